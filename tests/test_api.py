"""The public API: the names `generator` exports are these and no others, each resolves, importing the package
loads nothing heavy, and the example of docs/api.md works as written."""

import json
import re
import subprocess
import sys
from pathlib import Path

import generator
from generator.spec.paths import EXAMPLES_DIR
from generator.xlsx import examples

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = ["build", "build_many", "check", "blank_workbook", "next_workbook", "summarize", "memo_register",
          "PdfOptions", "Limits", "Result", "Finding", "GenError", "Report", "Kind", "KINDS"]


def test_the_exported_names_are_pinned():
    assert generator.__all__ == PUBLIC
    for name in PUBLIC:
        assert getattr(generator, name) is not None
    assert set(dir(generator)) >= set(PUBLIC)


def test_an_unknown_name_is_an_attribute_error():
    try:
        generator.pipeline  # noqa: B018 (a private module is not an attribute of the package)
    except AttributeError as e:
        assert "pipeline" in str(e)
    else:
        raise AssertionError("generator.pipeline should not be reachable from the package")


def test_import_generator_loads_nothing_heavy():
    code = "import sys, generator; print([m for m in ('docxtpl', 'openpyxl', 'starlette', 'pypdf', 'click') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"


def test_the_documented_example_runs(tmp_path):
    """docs/api.md's example, run as a script against the cc example: a built letter with its memo and files."""
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    workbook = examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "cc.xlsx")
    lines = code.splitlines()
    assert 5 <= len(lines) <= 12, "the example is about ten lines"
    script = tmp_path / "example.py"
    script.write_text(code.replace('"cc.xlsx"', json.dumps(str(workbook))), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "built ৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২" in done.stdout and "cc-2023-24-q1-letter.docx" in done.stdout
    assert "valid" in done.stdout


def test_the_documented_example_runs_in_a_program_with_another_thread(tmp_path):
    """With a thread already running the workers start from a fork server, which runs the script's top level
    again in each worker: the example's `if __name__ == "__main__":` keeps its build out of the workers."""
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    workbook = examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "cc.xlsx")
    thread = "import threading\nthreading.Thread(target=threading.Event().wait, daemon=True).start()\n"
    script = tmp_path / "example.py"
    script.write_text(thread + code.replace('"cc.xlsx"', json.dumps(str(workbook))), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "built ৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২" in done.stdout and "could-not-process" not in done.stdout


def test_a_script_building_at_its_top_level_is_not_told_its_workbook_is_damaged(tmp_path):
    """Without the guard, with a thread running, every worker fails as it starts (it runs the script again):
    the result says so, and does not call a good workbook damaged."""
    workbook = examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "cc.xlsx")
    script = tmp_path / "unguarded.py"
    script.write_text("import threading\nimport generator\n"
                      "threading.Thread(target=threading.Event().wait, daemon=True).start()\n"
                      f"result = generator.build({str(workbook)!r}, out='out', state='state')\n"
                      "print(result.status, result.issues[0].code, '|', result.issues[0].en)\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)})
    told = done.stdout.strip().splitlines()[-1]
    assert told.startswith("failed could-not-process |") and "no fault of the file" in told and "damaged" not in told
    assert 'if __name__ == "__main__"' in told


def test_check_and_build_through_the_api(tmp_path):
    workbook = examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "cc.xlsx")
    assert generator.check(workbook).status == "valid"
    result = generator.build(workbook, out=tmp_path / "out", state=tmp_path / "state")
    assert result.status == "built" and all(Path(p).is_file() for p in result.outputs)
    again = generator.build(workbook, out=tmp_path / "out", state=tmp_path / "state")
    assert again.memo == result.memo and again.memo_reused
    assert [e.serial for e in generator.memo_register(tmp_path / "state")] == [192]
    blank = generator.blank_workbook("nis", tmp_path / "nis.xlsx")
    assert blank.is_file()
    try:
        generator.blank_workbook("nope", tmp_path / "x.xlsx")
    except generator.GenError as e:
        assert e.code == "unknown-kind" and "cc" in e.en and "nope" in e.bn
    else:
        raise AssertionError("an unknown kind is refused")


def test_check_of_a_folder_is_could_not_read_as_build_says(tmp_path):
    folder = tmp_path / "x.xlsx"
    folder.mkdir()
    for result in (generator.check(folder), generator.build(folder, out=tmp_path / "o", state=tmp_path / "s")):
        assert result.status == "rejected" and not result.ok
        assert [i.code for i in result.issues] == ["could-not-read"] and "not a regular file" in result.issues[0].en


def _refused(call):
    """The GenError `call` raises (and no other exception)."""
    try:
        call()
    except generator.GenError as e:
        return e
    raise AssertionError("a GenError was expected")


def test_blank_workbook_unknown_kind_names_the_kinds(tmp_path):
    e = _refused(lambda: generator.blank_workbook("zzz", tmp_path / "p.xlsx"))
    assert e.code == "unknown-kind" and "zzz" in e.bn and "zzz" in e.en
    assert all(kind in e.en and kind in e.bn for kind in generator.KINDS)
    assert not (tmp_path / "p.xlsx").exists()


def test_blank_and_next_workbooks_that_cannot_be_written_are_gen_errors(cc_example, tmp_path):
    folder, a_file = tmp_path / "d", tmp_path / "afile"
    folder.mkdir()
    a_file.write_text("in the way")
    original = cc_example.read_bytes()
    for call in (lambda: generator.blank_workbook("cc", folder),
                 lambda: generator.next_workbook(cc_example, folder, force=True)):
        e = _refused(call)
        assert e.code == "output-not-a-file" and e.bn and "not an ordinary file" in e.en
    for call in (lambda: generator.blank_workbook("cc", a_file / "x.xlsx"),
                 lambda: generator.next_workbook(cc_example, a_file / "n.xlsx")):
        e = _refused(call)
        assert e.code == "could-not-write" and e.bn and e.en.startswith("Could not write")
        assert "afile is a file, not a folder" in e.en
    assert folder.is_dir() and list(folder.iterdir()) == [] and a_file.read_text() == "in the way"
    assert cc_example.read_bytes() == original


def test_next_workbook_force_replaces_an_ordinary_file_only(cc_example, tmp_path):
    """force is for the clerk's own file: a FIFO (or a device, /dev/null as root) or a link at the output is
    refused and left as it is, and so is a link's target."""
    import os
    import stat

    fifo, target, link = tmp_path / "pipe.xlsx", tmp_path / "target.xlsx", tmp_path / "link.xlsx"
    os.mkfifo(fifo)
    target.write_bytes(b"the clerk's other file")
    link.symlink_to(target)
    dangling = tmp_path / "dangling.xlsx"
    dangling.symlink_to(tmp_path / "nowhere.xlsx")
    for out in (fifo, link, dangling):
        for force in (True, False):
            e = _refused(lambda out=out, force=force: generator.next_workbook(cc_example, out, force=force))
            assert e.code == "output-not-a-file" and str(out) in e.en and str(out) in e.bn
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert link.is_symlink() and target.read_bytes() == b"the clerk's other file"
    assert dangling.is_symlink() and not (tmp_path / "nowhere.xlsx").exists()
    ordinary = tmp_path / "mine.xlsx"
    ordinary.write_bytes(b"old")
    written, _ = generator.next_workbook(cc_example, ordinary, force=True)
    assert written == ordinary and ordinary.read_bytes()[:2] == b"PK"


def test_blank_workbook_is_not_written_through_a_link(tmp_path):
    target, link = tmp_path / "target.xlsx", tmp_path / "link.xlsx"
    target.write_bytes(b"kept")
    link.symlink_to(target)
    assert _refused(lambda: generator.blank_workbook("cc", link)).code == "output-not-a-file"
    assert target.read_bytes() == b"kept"


def test_the_documented_example_runs_on_a_workbook_that_cannot_be_read(tmp_path):
    """Found by a new user: with no cc.xlsx the example died on `check`'s missing score."""
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "could-not-read" in done.stdout and "rejected None" in done.stdout


def test_arguments_of_the_wrong_type_are_refused_at_the_call_naming_them(tmp_path):
    """Found by a new user: each went deep (an AttributeError in a worker, every workbook 'too long') or, for a
    string given as the list, built one could-not-read result per character."""
    import datetime as dt

    import pytest

    workbook = tmp_path / "cc.xlsx"
    for call, says in ((lambda: list(generator.build_many(str(workbook), state=tmp_path / "s")), "a list"),
                       (lambda: generator.build(workbook, pdf=True, state=tmp_path / "s"), "pdf must be"),
                       (lambda: generator.build(workbook, limits=(1, 2), state=tmp_path / "s"), "limits must be"),
                       (lambda: generator.check(workbook, today="2023-10-10"), "today must be a datetime.date")):
        with pytest.raises(TypeError, match=says):
            call()
    with pytest.raises(TypeError, match="outputs is a list"):  # the review: it wrote 's.xlsx' character by character
        generator.summarize("2023-24", "q1", state=tmp_path / "s", outputs=str(tmp_path / "s.xlsx"))
    for memory_mb, seconds in ((-1, 120), (1536, 0)):
        with pytest.raises(ValueError, match="memory_mb >= 256 and seconds >= 1"):
            generator.Limits(memory_mb=memory_mb, seconds=seconds)
    assert not (tmp_path / "s").exists()  # refused before anything was made
    assert generator.build(workbook, jobs=4, state=tmp_path / "s2", out=tmp_path / "o").issues[0].code == "could-not-read"
    assert generator.check(workbook, today=dt.date(2024, 1, 1)).issues[0].code == "could-not-read"


def test_summarize_takes_its_files_as_strings_too(tmp_path, cc_example):
    state, out = tmp_path / "state", tmp_path / "out"
    assert generator.build(cc_example, out=out, state=state).status == "built"
    roster = tmp_path / "roster.txt"
    roster.write_text("চট্টগ্রাম সিটি কর্পোরেশন\n", encoding="utf-8")
    done = generator.summarize("2023-24", "q1", state=state, out=out, kind="cc", roster=str(roster),
                               outputs=[str(tmp_path / "s.xlsx")])
    assert [p.name for p in done.written] == ["s.xlsx"]


def test_an_evidence_folder_that_cannot_be_read_is_a_gen_error(tmp_path):
    (tmp_path / "a-file").write_text("x")
    for folder in (tmp_path / "missing", tmp_path / "a-file"):
        e = _refused(lambda folder=folder: generator.PdfOptions.from_folder(folder))
        assert e.code == "could-not-read" and str(folder) in e.en and str(folder) in e.bn


def test_a_hostile_callers_arguments_are_refused_at_the_call_naming_them(tmp_path):
    """Found by a hostile caller (helper-39): `state=b"s4"` or `state=5` made a folder named "b's4'" or "5" and
    built there; `PdfOptions(timeout=-5)` or `evidence="cc.xlsx"` blamed every workbook (could-not-process, or
    evidence 'c' unreadable); `build_many` checked nothing until its first result was asked for."""
    import math
    import os

    import pytest

    workbook, state = tmp_path / "cc.xlsx", tmp_path / "s"
    wrong_type = ((lambda: generator.build_many(None), "a list of workbooks"),
                  (lambda: generator.build_many([b"cc.xlsx"], state=state), "each workbook must be a path"),
                  (lambda: generator.build(workbook, state=b"s4"), "state must be a path"),
                  (lambda: generator.build(workbook, state=5), "state must be a path"),
                  (lambda: generator.build(workbook, out=None, state=state), "out must be a path"),
                  (lambda: generator.build_many([workbook], jobs="2", state=state), "jobs must be a whole number"),
                  (lambda: generator.build_many([workbook], date="2024-01-01", state=state), "date must be"),
                  (lambda: generator.check(None), "path must be a path"),
                  (lambda: generator.Limits(memory_mb="512"), "Limits.memory_mb must be a number"),
                  (lambda: generator.PdfOptions(bundle=1), "bundle must be True or False"),
                  (lambda: generator.PdfOptions(bundle=True, evidence=str(workbook)), "a list of files"),
                  (lambda: generator.PdfOptions(timeout="20"), "timeout must be seconds"))
    for call, says in wrong_type:
        with pytest.raises(TypeError, match=says):
            call()  # build_many too: at the call, before any result is asked for
    wrong_value = ((lambda: generator.build_many([workbook], jobs=0, state=state), "jobs must be 1 or more"),
                   (lambda: generator.PdfOptions(timeout=-5), "timeout must be 1 second or more"),
                   (lambda: generator.PdfOptions(timeout=math.inf), "timeout must be 1 second or more"),
                   (lambda: generator.Limits(seconds=math.inf), "seconds >= 1"),
                   (lambda: generator.build_many([workbook], out=os.fsdecode(b"out\xff"), state=state),
                    r"out 'out\\xff' is not UTF-8 text"))
    for call, says in wrong_value:
        with pytest.raises(ValueError, match=says):
            call()
    assert not state.exists() and not (tmp_path / "b's4'").exists() and not (tmp_path / "5").exists()
    assert generator.PdfOptions(evidence=[str(workbook)]).evidence == (workbook,)


def test_a_workbook_whose_name_is_not_utf8_is_refused_alone_and_the_rest_built(tmp_path, cc_example):
    """Found by a hostile caller: such a name (a share mounted with the wrong character set) stopped the whole
    batch with a UnicodeEncodeError from the ledger, the good workbook before it never returned."""
    import os
    import shutil

    if os.uname().sysname != "Linux":  # other systems refuse such a name when the file is made
        return
    folder = tmp_path / "in"
    folder.mkdir()
    good = shutil.copy(cc_example, folder / "a.xlsx")
    odd = folder / os.fsdecode(b"bad\xff\xfename.xlsx")
    shutil.copy(cc_example, odd)
    before = odd.read_bytes()
    results = list(generator.build_many([good, odd], out=tmp_path / "out", state=tmp_path / "s"))
    assert [r.status for r in results] == ["built", "rejected"]
    (finding,) = results[1].issues
    assert finding.code == "could-not-read" and r"bad\xff\xfename.xlsx" in results[1].source
    assert r"bad\xff\xfename.xlsx" in finding.en and "UTF-8" in finding.en and "UTF-8" in finding.bn
    assert odd.read_bytes() == before  # never renamed nor changed: it is the office's file
    run = subprocess.run([sys.executable, "-m", "generator.cli", "build", str(folder), "--out", str(tmp_path / "out"),
                          "--state", str(tmp_path / "s"), "--json"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert [json.loads(line)["status"] for line in run.stdout.splitlines()] == ["built", "rejected"]


def test_memo_register_of_a_mistyped_folder_is_told_not_made(tmp_path):
    """Found by a hostile caller: memo_register on a folder that holds no register made one there, empty, and
    returned [] as if nothing had ever been issued (`gen register` already refused; the API now does)."""
    import pytest

    with pytest.raises(generator.GenError) as told:
        generator.memo_register(tmp_path / "stat")
    assert told.value.code == "state-unavailable" and "no memo register" in told.value.en
    assert str(tmp_path / "stat") in told.value.en and not (tmp_path / "stat").exists()


def test_a_start_imports_only_what_it_uses():
    """A service's own process (`gen watch`, `gen serve`, `gen worker`) imports no build stack: its workers do,
    once, in the forkserver (service/builds.PRELOAD). The web desk imports openpyxl and python-docx only when the
    next period's workbook or the summary's files are asked for, and a build loads num2words' Bangla converter
    alone (the package imports its fifty languages first). Each is a tenth of a second of every start."""
    code = ("import sys; import generator.cli, generator.service.watch, generator.service.queue_worker, "
            "generator.web.app, generator.web.server; "
            "print(sorted(m for m in ('generator.service.pipeline', 'generator.documents.make', 'PIL', 'num2words', "
            "'openpyxl', 'docx') if m in sys.modules)); "
            "import generator.service.batch; from generator.text import bangla; bangla.count_phrase(2, 'পাতা'); "
            "print('num2words' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["[]", "False"]
