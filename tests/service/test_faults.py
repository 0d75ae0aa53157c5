"""Fault injection: hostile and unlucky files, full and read-only disks, crashes and races, with real
processes, a real observer, real file systems. Each test checks that the service survives and goes on,
that nothing is lost or overwritten, that the message names the file and the cause in Bangla and
English, that the register stays gap-free and that the office's original is untouched."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from generator.xlsx import examples
from generator.xlsx import filling
from generator.spec.paths import EXAMPLES_DIR, XLSX_DIR
from tests.support.docx import docx_text
from tests.support.processes import TEST_HOSTS, running_server
from tests.support.workbooks import MYMENSINGH, ROWS
from tests.support.state import ledger, serials
from tests.support.packages import shared_text_bomb
from tests.support.workbooks import make_workbooks
from tests.support.processes import small_disk, terminal_sigint
from tests.support.state import register_rows, sha

CC_JSON = EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json"
UNREADABLE = {"far-cell", "zip-bomb", "too-large", "could-not-process"}


def gen(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def json_lines(run: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]


def version(tmp: Path, name: str, **letter) -> Path:
    """The Mymensingh workbook with the letter fields changed (a corrected version of the same report)."""
    return filling.fill(XLSX_DIR / "cc.xlsx", tmp / name, dict(MYMENSINGH, **letter), ROWS)


def far_cell(src: Path, dst: Path, ref: str = "XFD1048576", part: str = "xl/worksheets/sheet2.xml") -> Path:
    """A copy with one value in a far-away cell of the plan sheet: 15 KB that once asked for 512 GB."""
    row = re.match(r"[A-Z]+(\d+)", ref).group(1)
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for item in z.infolist():
            data = z.read(item.filename)
            if item.filename == part:
                data = data.replace(b"</sheetData>", f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is>'
                                                      f'</c></row></sheetData>'.encode())
            out.writestr(item, data)
    return dst


def zip_bomb(src: Path, dst: Path, mb: int = 400, part: str = "xl/worksheets/sheet2.xml") -> Path:
    """A copy whose plan sheet unpacks to `mb` MB of blanks between its elements (about 1000:1)."""
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for item in z.infolist():
            data = z.read(item.filename)
            if item.filename != part:
                out.writestr(item, data)
                continue
            head, tail = data.split(b"</sheetData>")
            info = zipfile.ZipInfo(part, item.date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            with out.open(info, "w", force_zip64=True) as w:
                w.write(head)
                blank = b" " * (1 << 20)
                for _ in range(mb):
                    w.write(blank)
                w.write(b"</sheetData>" + tail)
    return dst


def peak_build(*args) -> tuple[subprocess.CompletedProcess, float]:
    """`gen build ARGS` in a fresh process; its result and the peak memory (MB) of the largest process in
    its tree (ru_maxrss of the waited-for children)."""
    script = ("import resource, subprocess, sys, json\n"
              "r = subprocess.run([sys.executable, '-m', 'generator.cli', 'build', *sys.argv[1:]], capture_output=True, text=True)\n"
              "print(json.dumps([r.returncode, r.stdout, r.stderr, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))")
    run = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True, timeout=300)
    code, out, err, maxrss = json.loads(run.stdout)
    return subprocess.CompletedProcess(args, code, out, err), maxrss / 1024


# 1. an older submission never serves a newer letter -------------------------------------------------

def test_each_version_keeps_its_own_letter_on_disk_in_json_and_on_the_page(tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    first = examples.write(CC_JSON, tmp_path / "cc.xlsx")
    data = examples.load(CC_JSON)
    corrected = filling.fill(XLSX_DIR / "cc.xlsx", tmp_path / "cc-corrected.xlsx", dict(data["letter"], memo_serial=None),
                              [dict(data["rows"][0], remarks="সংশোধিত")] + data["rows"][1:])
    (a,) = json_lines(gen("build", first, "--out", out, "--state", state, "--json"))
    (b,) = json_lines(gen("build", corrected, "--out", out, "--state", state, "--json"))
    assert a["memo"].endswith("-১৯২") and b["memo"].endswith("-১৯৩")
    for later in range(3):  # any number of later versions
        more = filling.fill(XLSX_DIR / "cc.xlsx", tmp_path / f"more{later}.xlsx", dict(data["letter"], memo_serial=None),
                             [dict(data["rows"][0], remarks=f"আরও {later}")] + data["rows"][1:])
        assert gen("build", more, "--out", out, "--state", state).returncode == 0
    for result in (a, b):
        letter, annex = result["outputs"]
        assert result["memo"] in docx_text(letter) and Path(annex).is_file()
    folder = Path(a["outputs"][0]).parent.parent.parent
    assert "-১৯৬" in docx_text(next(folder.glob("*-letter.docx")))  # the current copy: the highest serial
    assert len(list((folder / "versions").iterdir())) == 5

    from generator.web import create_app

    with TestClient(create_app(out_root=out, state_dir=state, hosts=TEST_HOSTS)) as client:
        page = client.get("/submissions/1")
        assert "১৯২" in page.text and "চলছে" not in page.text
        download = client.get("/submissions/1/files/0")
        assert download.status_code == 200
        saved = tmp_path / "downloaded.docx"
        saved.write_bytes(download.content)
        assert a["memo"] in docx_text(saved) and b["memo"] not in docx_text(saved)
        listing = client.get("/")
        assert listing.text.count("/submissions/") >= 5  # gen build's submissions are on the page


# 2. versions built at the same time ------------------------------------------------------------------

def _assert_four_versions(results: list[dict], out: Path) -> None:
    assert all(r["status"] == "built" for r in results)
    memos = [r["memo"] for r in results]
    assert len(set(memos)) == 4
    for r in results:
        letter, annex = r["outputs"]
        assert r["memo"] in docx_text(letter)
        assert Path(annex).is_file() and Path(annex).parent == Path(letter).parent
    folder = Path(results[0]["outputs"][0]).parent.parent.parent
    assert len(list((folder / "versions").iterdir())) == 4
    highest = max(memos, key=lambda m: int(m.rsplit("-", 1)[1].translate(str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789"))))
    assert f"memo: {highest}" in (folder / "CURRENT.txt").read_text(encoding="utf-8")
    assert highest in docx_text(next(folder.glob("*-letter.docx")))
    assert not list(folder.glob("*.errors.txt")) and not (folder / "previous").exists()


def test_four_versions_with_jobs_4(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for i in range(4):
        version(src, f"v{i}.xlsx", copies=f"সংশোধন {i}")
    run = gen("build", src, "--out", tmp_path / "out", "--state", tmp_path / "state", "--jobs", "4", "--json")
    assert run.returncode == 0, run.stdout + run.stderr
    _assert_four_versions(json_lines(run), tmp_path / "out")
    assert serials(tmp_path / "state") == [1, 2, 3, 4]


def test_four_versions_from_four_processes(tmp_path):
    paths = [version(tmp_path, f"p{i}.xlsx", copies=f"সংশোধন {i}") for i in range(4)]
    procs = [subprocess.Popen([sys.executable, "-m", "generator.cli", "build", str(p), "--out", str(tmp_path / "out"),
                               "--state", str(tmp_path / "state"), "--json"], stdout=subprocess.PIPE, text=True)
             for p in paths]
    results = [json.loads(p.communicate(timeout=300)[0]) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4
    _assert_four_versions(results, tmp_path / "out")


# 3 and 4. a stray far cell and a zip bomb ------------------------------------------------------------

@pytest.fixture
def hostile(tmp_path):
    """A folder holding a far-cell workbook, a zip bomb and two good workbooks."""
    folder = tmp_path / "in"
    folder.mkdir()
    good = examples.write(CC_JSON, tmp_path / "good.xlsx")
    far_cell(good, folder / "a-far.xlsx")
    zip_bomb(good, folder / "b-bomb.xlsx")
    shutil.copy(good, folder / "c-good.xlsx")
    version(folder, "d-good.xlsx")
    return folder


def test_far_cell_and_zip_bomb_are_rejected_and_the_rest_built(tmp_path, hostile):
    before = {p.name: sha(p) for p in hostile.iterdir()}
    assert (hostile / "b-bomb.xlsx").stat().st_size < 2_000_000
    run, peak_mb = peak_build(hostile, "--out", tmp_path / "out", "--state", tmp_path / "state", "--json")
    results = {Path(r["source"]).name: r for r in json_lines(run)}
    assert run.returncode == 1, run.stderr
    assert [results[n]["status"] for n in sorted(results)] == ["rejected", "rejected", "built", "built"]
    for name in ("a-far.xlsx", "b-bomb.xlsx"):
        (issue,) = [i for i in results[name]["issues"] if i["severity"] == "error"]
        assert issue["code"] in UNREADABLE and issue["message_bn"] and issue["message_en"]
        assert results[name]["outputs"] and all(Path(p).is_file() for p in results[name]["outputs"])
    assert "Traceback" not in run.stderr
    assert peak_mb < 500, f"peak memory {peak_mb:.0f} MB"
    assert {p.name: sha(p) for p in hostile.iterdir()} == before  # the originals are untouched
    print(f"far cell + zip bomb + 2 good: peak {peak_mb:.0f} MB")


def test_a_shared_text_bomb_is_refused_by_its_cell_with_little_memory_and_no_traceback(tmp_path):
    """51 KB whose cells all use one 30 000-character shared string: before, gen build's worker ran out of memory
    or time with a Python traceback and a Rust panic on the terminal, and no report."""
    folder = tmp_path / "in"
    folder.mkdir()
    good = examples.write(CC_JSON, folder / "good.xlsx")
    shared_text_bomb(good, folder / "shared.xlsx", cells=900 * 16, length=30_000)
    run, peak_mb = peak_build(folder, "--out", tmp_path / "out", "--state", tmp_path / "state", "--json")
    results = {Path(r["source"]).name: r for r in json_lines(run)}
    assert run.returncode == 1 and results["good.xlsx"]["status"] == "built", run.stderr
    (issue,) = results["shared.xlsx"]["issues"]
    assert (issue["code"], issue["sheet"]) == ("too-large", "কর্মপরিকল্পনা") and issue["cell"], issue
    [report] = results["shared.xlsx"]["outputs"]
    assert Path(report).name == "shared.errors.txt" and issue["cell"] in Path(report).read_text(encoding="utf-8-sig")
    assert "Traceback" not in run.stderr and "panicked" not in run.stderr
    assert peak_mb < 500, f"peak memory {peak_mb:.0f} MB"


def test_watcher_survives_hostile_files_and_builds_the_next(tmp_path, hostile, watcher):
    w = watcher()
    w.drop(sorted(hostile.iterdir()))
    w.wait(lambda: w.done(2) and len(ledger(w.state)) == 4, what="all four handled")
    statuses = {r[0]: r[1] for r in ledger(w.state)}
    assert statuses == {"a-far.xlsx": "rejected", "b-bomb.xlsx": "rejected", "c-good.xlsx": "built",
                        "d-good.xlsx": "built"}
    assert (w.inbox / "rejected" / "a-far.errors.txt").is_file()
    late = make_workbooks(tmp_path / "late", 1, tag="late")
    w.drop(late)
    w.wait(lambda: w.done(3), what="a later file built")
    assert w.proc.poll() is None


def test_a_file_in_hand_at_two_crashes_is_set_aside(tmp_path, watcher):
    """The service died twice while it held this file (simulated in the ledger, as a crash leaves it):
    it is not tried a third time, and the next file is built."""
    inbox, state = tmp_path / "inbox", tmp_path / "state"
    (bad,) = make_workbooks(inbox, 1, tag="bad")
    from generator.xlsx.source import load
    from generator.records.ledger import Ledger

    with Ledger(state) as led:
        id = led.start(bad.name, load(bad).digest)
        led.start(bad.name, load(bad).digest)  # the restart after the first crash
    w = watcher()
    w.wait(lambda: all(r[1] != "processing" for r in ledger(state)) and ledger(state), what="set aside")
    (row,) = ledger(state)
    assert row[1] == "rejected" and "rejected" in row[3]
    told = (inbox / "rejected" / f"{bad.stem}.errors.txt").read_text(encoding="utf-8")
    assert "could-not-process" in told
    # found by a hostile run: it said only that the file was damaged; the service being stopped is as likely
    assert "Either may be the cause" in told and "the service being stopped" in told and "বিদ্যুৎ" in told
    assert serials(state) == []
    w.drop(make_workbooks(tmp_path / "next", 1, tag="next"))
    w.wait(lambda: w.done(1), what="the next file built")
    assert id == 1


def test_a_file_whose_letter_was_built_before_two_crashes_is_built_not_set_aside(tmp_path, watcher):
    """Found by a re-attack: the service killed twice after the letter was confirmed and placed, before the file was
    moved, set it aside as 'no letter was built' while its memo stood issued and its letter in place. Now the
    register's issued memo says it was built: it is built again (the same memo) and archived."""
    inbox, state, out = tmp_path / "inbox", tmp_path / "state", tmp_path / "out"
    (done,) = make_workbooks(inbox, 1, tag="done")
    from generator.records.ledger import Ledger
    from generator.service import pipeline
    from generator.xlsx.source import load

    with Ledger(state) as led:
        id = led.start(done.name, load(done).digest)
        led.start(done.name, load(done).digest)  # the restart after the first crash
    first = pipeline.build(done, out_root=out, state_dir=state, submission=id)  # built, then the second crash
    assert first.status == "built"
    w = watcher()
    w.wait(lambda: all(r[1] != "processing" for r in ledger(state)) and ledger(state), what="closed")
    (row,) = ledger(state)
    assert row[1] == "built" and "archive" in row[3], row
    assert not (inbox / "rejected").exists() or not list((inbox / "rejected").iterdir())
    assert serials(state) == [1]


def test_web_page_survives_a_hostile_upload(tmp_path, hostile):
    from generator.web import create_app
    from tests.support.web import upload

    with TestClient(create_app(out_root=tmp_path / "out", state_dir=tmp_path / "state", hosts=TEST_HOSTS)) as client:
        for name in ("a-far.xlsx", "b-bomb.xlsx"):
            response = upload(client, name, (hostile / name).read_bytes())
            assert response.status_code == 303, response.text
            page = client.get(response.headers["location"])
            assert "বাতিল" in page.text and "চলছে" not in page.text
        response = upload(client, "c-good.xlsx", (hostile / "c-good.xlsx").read_bytes())
        assert "১৯২" in client.get(response.headers["location"]).text


# 5. the watcher's inbox ------------------------------------------------------------------------------

def test_file_deleted_while_in_hand(tmp_path, watcher):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from synthetic import workbooks

    w = watcher()
    deleted = 0
    for attempt in range(5):  # a big workbook takes long enough to build to be deleted meanwhile; if it was
        (big,) = workbooks(tmp_path / f"big{attempt}", 1, 900)  # built first, try again
        w.drop([big])
        w.wait(lambda n=attempt + 1 - deleted: any(r[1] == "processing" for r in ledger(w.state)) or w.done(n),
               timeout=60, what="in hand")
        try:
            (w.inbox / big.name).unlink()
        except FileNotFoundError:
            continue
        deleted += 1
        break
    assert deleted == 1
    w.wait(lambda: all(r[1] != "processing" for r in ledger(w.state)), what="entry closed")
    before = len(w.archived())
    w.drop(make_workbooks(tmp_path / "next", 1, tag="n"))
    w.wait(lambda: len(w.archived()) == before + 1, what="the next file built")
    assert w.proc.poll() is None
    assert "vanished" in (tmp_path / "watch.log").read_text() or "gone" in (tmp_path / "watch.log").read_text()


def test_a_second_watcher_on_the_same_inbox_is_refused(tmp_path, watcher):
    w = watcher()
    w.wait(lambda: (w.inbox / ".gen-watch.lock").exists() and "watching" in (tmp_path / "watch.log").read_text(),
           what="first watcher up")
    second = gen("watch", "--inbox", w.inbox, "--out", tmp_path / "out2", "--state", tmp_path / "state2", timeout=60)
    assert second.returncode == 2
    assert "আরেকটি 'gen watch'" in second.stderr and "Another 'gen watch'" in second.stderr
    assert f"pid {w.proc.pid}" in second.stderr
    w.drop(make_workbooks(tmp_path / "src", 1))
    w.wait(lambda: w.done(1), what="the first watcher still builds")


def test_a_name_that_is_not_utf8_is_built(tmp_path, watcher):
    (good,) = make_workbooks(tmp_path / "src", 1)
    w = watcher()
    os.rename(good, os.path.join(os.fsencode(w.inbox), b"report-\xff\xfe.xlsx"))
    w.wait(lambda: w.done(1), what="built")
    assert w.archived() == ["report-__.xlsx"]
    assert ledger(w.state)[0][:2] == ("report-__.xlsx", "built")


def test_links_and_special_files_are_set_aside_never_followed(tmp_path, watcher):
    (good,) = make_workbooks(tmp_path / "src", 1)
    outside = tmp_path / "outside.xlsx"
    shutil.copy(good, outside)
    w = watcher()
    (w.inbox / "link.xlsx").symlink_to(outside)
    os.mkfifo(w.inbox / "pipe.xlsx")  # opening a FIFO would block the watcher for ever
    w.drop([good])
    w.wait(lambda: w.done(1) and not (w.inbox / "link.xlsx").is_symlink() and not (w.inbox / "pipe.xlsx").exists(),
           what="sorted")
    rejected = w.inbox / "rejected"
    assert (rejected / "link.xlsx").is_symlink() and outside.is_file() and sha(outside) == sha(rejected / "link.xlsx")
    assert "not a regular file" in (rejected / "link.xlsx.reason.txt").read_text(encoding="utf-8")
    assert "not a regular file" in (rejected / "pipe.xlsx.reason.txt").read_text(encoding="utf-8")
    assert serials(w.state) == [1]


# 6. disks and permissions ----------------------------------------------------------------------------


def _assert_not_written(run: subprocess.CompletedProcess, where: str, state: Path, original: Path, digest: str):
    assert run.returncode == 3, run.stdout + run.stderr
    text = run.stdout + run.stderr
    assert "Traceback" not in text
    assert where in text and "লেখা যায়নি" in text and "could not" in text.lower()
    # no promise that the number went back (a hostile caller: two builds failing at once, the earlier serial is
    # kept void, as the register must while a later one is out)
    assert "No letter carries its memo number" in text and "কোনো পত্র হয়নি" in text
    assert register_rows(state) == []  # the serial went back: the register has no gap
    assert sha(original) == digest


@pytest.mark.parametrize("fault", ["full", "read-only", "file-in-the-way"])
def test_output_that_cannot_be_written(tmp_path, fault):
    path = version(tmp_path, "report.xlsx")
    digest, state = sha(path), tmp_path / "state"
    disk = tmp_path / "disk"
    if fault == "file-in-the-way":
        disk.mkdir()
        (disk / "2022-23").write_text("a file where the fiscal year's folder should be")
        run = gen("build", path, "--out", disk, "--state", state)
        _assert_not_written(run, str(disk / "2022-23"), state, path, digest)
        assert not list(disk.rglob("*.docx"))
    else:
        options = ("ro",) if fault == "read-only" else ()
        with small_disk(disk, "60k" if fault == "full" else "1m", *options):
            run = gen("build", path, "--out", disk, "--state", state)
            _assert_not_written(run, str(disk), state, path, digest)
            assert not list(disk.rglob("*.docx"))  # never a letter without its annex
            assert not [p for p in disk.rglob("*") if p.is_file()]
    fixed = gen("build", path, "--out", tmp_path / "out", "--state", state, "--json")
    assert fixed.returncode == 0 and json_lines(fixed)[0]["memo"].endswith("-১")  # the same serial, issued now
    assert register_rows(state) == [(1, "issued")]


def test_state_folder_that_cannot_be_written(tmp_path):
    path = version(tmp_path, "report.xlsx")
    (tmp_path / "shared").write_text("a file where a folder should be")
    blocked = tmp_path / "shared" / "state"
    run = gen("build", path, "--out", tmp_path / "out", "--state", blocked)
    assert run.returncode == 3 and "Traceback" not in run.stderr
    assert str(blocked) in run.stderr and "অবস্থা-ফোল্ডার" in run.stderr and "state folder" in run.stderr
    assert not (tmp_path / "out").exists()


def test_a_serial_given_back_late_is_void_not_a_gap(tmp_path):
    from generator.records.register import Register

    meta = dict(source="a.xlsx", kind="cc", office="অফিস", fiscal_year="2023-24", period="q1")
    with Register(tmp_path) as reg:
        first, _ = reg.allocate("৪৬", "a", submission=1, **meta)
        second, _ = reg.allocate("৪৬", "b", submission=2, **meta)
        reg.confirm(second)
        assert reg.release_submission(1) == [(first, "void")]  # a later serial exists: kept, marked void
        third, _ = reg.allocate("৪৬", "c", submission=3, **meta)
        assert reg.release(third) == "released"  # the last one: the next letter gets it
        assert reg.allocate("৪৬", "d", **meta)[0].serial == 3
        assert [(e.serial, e.state) for e in reg.entries()] == [(1, "void"), (2, "issued"), (3, "reserved")]
        assert reg.release(second) is None  # an issued serial is never taken back


# 7. reports never overwrite reports ------------------------------------------------------------------

def test_rejection_reports_never_collide(tmp_path, watcher):
    w = watcher()
    first = tmp_path / "one" / "report.xlsx"
    second = tmp_path / "two" / "report.xlsx"
    for path, text in ((first, "not a zip"), (second, "")):
        path.parent.mkdir()
        path.write_text(text)
    w.drop([first])
    w.wait(lambda: (w.inbox / "rejected" / "report.errors.txt").exists(), what="first rejected")
    w.drop([second])
    w.wait(lambda: (w.inbox / "rejected" / "report (2).errors.txt").exists(), what="second rejected")
    assert (w.inbox / "rejected" / "report (2).xlsx").exists()
    reports = list((w.out / "rejected").rglob("report.errors.txt"))
    assert len(reports) == 2 and reports[0].parent != reports[1].parent


def test_other_formats_of_the_same_name_keep_their_own_reports(tmp_path):
    for suffix in (".ods", ".xls"):
        (tmp_path / f"x{suffix}").write_bytes(b"PK\x03\x04 not really" if suffix == ".ods" else b"\xd0\xcf\x11\xe0")
    run = gen("build", tmp_path / "x.ods", tmp_path / "x.xls", "--out", tmp_path / "out", "--state", tmp_path / "s",
              "--json")
    reports = [p for r in json_lines(run) for p in r["outputs"]]
    assert len(reports) == 2 and len(set(reports)) == 2
    assert ".ods" in Path(reports[0]).read_text(encoding="utf-8") and ".xls" in Path(reports[1]).read_text(encoding="utf-8")
    # a finding of the file as a whole is placed at the file, not at an empty place ('[error]  (unsupported-format)')
    assert "[error] x.ods (unsupported-format)" in Path(reports[0]).read_text(encoding="utf-8")


def test_a_fixed_resubmission_leaves_no_stale_report_beside_the_letter(tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    bad = filling.fill(XLSX_DIR / "cc.xlsx", tmp_path / "report.xlsx", dict(MYMENSINGH, recipient=None), ROWS)
    assert gen("build", bad, "--out", out, "--state", state).returncode == 1
    fixed = version(tmp_path, "report.xlsx")
    assert gen("build", fixed, "--out", out, "--state", state).returncode == 0
    (folder,) = {p.parent for p in out.rglob("CURRENT.txt")}
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == sorted(
        ["CURRENT.txt", "cc-2022-23-q2-letter.docx", "cc-2022-23-q2-annex.docx"])
    (report,) = (folder / "rejected").rglob("report.errors.txt")
    assert "recipient" in report.read_text(encoding="utf-8")


# 8. files other clerks can open ----------------------------------------------------------------------

def test_outputs_follow_the_umask(tmp_path):
    path = version(tmp_path, "report.xlsx")
    run = subprocess.run(["sh", "-c", f'umask 022 && exec "{sys.executable}" -m generator.cli build "{path}" '
                                      f'--out "{tmp_path / "out"}" --state "{tmp_path / "state"}"'], capture_output=True)
    assert run.returncode == 0
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert len(files) == 7  # two in the version and its .content, two current copies, CURRENT.txt, the memo's claim
    assert {oct(p.stat().st_mode & 0o777) for p in files} == {"0o644"}
    assert {oct(p.stat().st_mode & 0o777) for p in (tmp_path / "out").rglob("*") if p.is_dir()} == {"0o755"}


# 9. the web page never blocks ------------------------------------------------------------------------

def test_pages_answer_while_an_upload_is_being_built(tmp_path):
    import httpx

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from synthetic import workbooks

    (big,) = workbooks(tmp_path / "big", 1, 1000)
    with running_server(tmp_path) as base:
        page = httpx.get(base + "/upload")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        events = []

        def post():
            with httpx.Client(base_url=base, cookies=page.cookies, timeout=120) as c:
                r = c.post("/upload", data={"csrf": token}, files={"workbook": (big.name, big.read_bytes())})
            events.append(("upload", r.status_code))

        thread = threading.Thread(target=post)
        thread.start()
        state = tmp_path / "state"
        deadline = time.monotonic() + 60
        while not any(r[1] == "processing" for r in ledger(state)) and time.monotonic() < deadline:
            time.sleep(0.02)  # the upload is being built now
        r = httpx.get(base + "/", timeout=60)
        events.append(("list", r.status_code, any(r[1] == "processing" for r in ledger(state))))
        thread.join(120)
        assert events[0] == ("list", 200, True), events  # answered while the build was still going
        assert ("upload", 303) in events


# what the review found -----------------------------------------------------------------------

def test_a_failed_build_never_takes_back_a_serial_another_build_holds(tmp_path):
    """Two builds of the same content share one serial; if one cannot write, the other's reservation stays."""
    from generator.service import pipeline
    from generator.spec.memo import register_prefix
    from generator.records.register import Register

    path = version(tmp_path, "report.xlsx")
    examined = pipeline.examine(path)
    prefix, digest = register_prefix(examined.report.get("memo_prefix")), pipeline.content_hash(examined.raw)
    state = tmp_path / "state"
    with Register(state) as reg:  # another build of the same content, still writing
        held, _ = reg.allocate(prefix, digest, source="x", kind="cc", office="o", fiscal_year="f", period="p",
                               submission=99)
    (tmp_path / "blocked").write_text("a file where a folder should be")
    result = pipeline.build(path, out_root=tmp_path / "blocked", state_dir=state, submission=1)
    assert result.status == "failed" and result.issues[-1].code == "could-not-write"
    assert register_rows(state) == [(held.serial, "reserved")]


def test_a_memo_already_on_disk_is_never_given_to_another_letter(tmp_path):
    """Two registers (--state) over one output folder would issue the same memo (so would a serial taken back
    after its letter was written): the second letter skips the number, voided, with a warning; the first
    letter is untouched. A serial the office typed is refused instead."""
    out = tmp_path / "out"
    first = version(tmp_path, "first.xlsx")
    second = version(tmp_path, "second.xlsx", copies="সংশোধিত")
    a = gen("build", first, "--out", out, "--state", tmp_path / "s1", "--json")
    (letter, annex) = json_lines(a)[0]["outputs"]
    before = sha(letter)
    b = gen("build", second, "--out", out, "--state", tmp_path / "s2", "--json")
    assert b.returncode == 0
    (result,) = json_lines(b)
    assert result["memo"].endswith("-২") and result["memo"] in docx_text(result["outputs"][0])
    issue = result["issues"][-1]
    assert issue["code"] == "memo-exists" and "একটি পত্র" in issue["message_bn"] and "voided" in issue["message_en"]
    assert sha(letter) == before and json_lines(a)[0]["memo"] in docx_text(letter)
    assert register_rows(tmp_path / "s2") == [(1, "void"), (2, "issued")]
    typed = version(tmp_path, "typed.xlsx", copies="আবার", memo_serial="১")
    c = gen("build", typed, "--out", out, "--state", tmp_path / "s3", "--json")
    assert c.returncode == 3 and json_lines(c)[0]["issues"][-1]["code"] == "memo-exists"
    assert sha(letter) == before


def build_or_hang(task):
    """A build, except for 'stuck.xlsx', whose worker hangs until its time is up."""
    from generator.service import builds

    if task.path.name == "stuck.xlsx":
        time.sleep(600)
    return builds.run(task)


def test_more_callers_than_workers_and_one_worker_runs_late(tmp_path):
    """A caller waits for a free slot, not for a particular worker: a worker stopped for its time limit
    does not strand the others (the watcher and the web server call from several threads)."""
    from generator.service import builds
    from generator.service.workers import Limits, Pool

    fifo = tmp_path / "stuck.xlsx"
    os.mkfifo(fifo)  # never opened now (a FIFO is refused unread): the worker is made to hang on it instead
    good = [version(tmp_path, f"g{i}.xlsx", copies=f"{i}") for i in range(2)]
    results = {}

    def call(path):
        task = builds.Task(path, out_root=tmp_path / "out", state_dir=tmp_path / "state")
        results[path.name] = pool.run(task)

    with Pool(build_or_hang, builds.lost, 1, Limits(seconds=3), start_method="forkserver") as pool:
        threads = [threading.Thread(target=call, args=(p,)) for p in (fifo, *good)]
        for t in threads:
            t.start()
            time.sleep(0.2)
        for t in threads:
            t.join(120)
        assert not any(t.is_alive() for t in threads)
    assert results["stuck.xlsx"].issues[0].code == "took-too-long"
    assert [results[p.name].status for p in good] == ["built", "built"]


def test_gen_build_never_opens_a_fifo(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "a-pipe.xlsx")
    version(folder, "b-good.xlsx")
    run = gen("build", folder, "--out", tmp_path / "out", "--state", tmp_path / "state", "--json", timeout=120)
    results = {Path(r["source"]).name: r for r in json_lines(run)}
    assert results["a-pipe.xlsx"]["issues"][0]["code"] == "could-not-read"
    assert results["b-good.xlsx"]["status"] == "built" and run.returncode == 1


def test_a_killed_gen_build_leaves_nothing_processing_or_reserved(tmp_path):
    src = tmp_path / "src"
    make_workbooks(src, 30)
    state = tmp_path / "state"
    env = {**os.environ, "GEN_LEASE_SECONDS": "2"}
    proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "build", str(src), "--out", str(tmp_path / "out"),
                             "--state", str(state), "--json", "--jobs", "2"], stdout=subprocess.PIPE, text=True, env=env)
    proc.stdout.readline()  # one built
    proc.kill()
    proc.wait(30)
    time.sleep(3)  # its lease runs out (its workers died with it)
    (late,) = make_workbooks(tmp_path / "late", 1, tag="late")
    assert subprocess.run([sys.executable, "-m", "generator.cli", "build", str(late), "--out", str(tmp_path / "out"),
                           "--state", str(state)], env=env, capture_output=True).returncode == 0
    db = sqlite3.connect(state / "register.sqlite3")
    try:
        statuses = [r[0] for r in db.execute("SELECT status FROM files")]
        reserved = db.execute("SELECT COUNT(*) FROM memos WHERE state = 'reserved'").fetchone()[0]
    finally:
        db.close()
    assert "processing" not in statuses and "interrupted" in statuses and reserved == 0


def test_a_new_file_code_makes_the_newest_version_current(tmp_path):
    """Serials of different memo prefixes are not compared: a version under a corrected prefix is newer."""
    out, state = tmp_path / "out", tmp_path / "state"
    for i in range(3):  # serials 1, 2, 3 under the old file code
        assert gen("build", version(tmp_path, f"old{i}.xlsx", copies=f"{i}"), "--out", out, "--state", state).returncode == 0
    corrected = version(tmp_path, "new.xlsx", memo_prefix="46.21.6100.049.18.001.23")
    run = gen("build", corrected, "--out", out, "--state", state, "--json")
    memo = json_lines(run)[0]["memo"]
    assert memo.endswith(".২৩-১")
    (folder,) = {p.parent for p in out.rglob("CURRENT.txt")}
    assert f"memo: {memo}" in (folder / "CURRENT.txt").read_text(encoding="utf-8")
    assert memo in docx_text(next(folder.glob("*-letter.docx")))
    assert not list(folder.glob(".tmp-*"))


def test_a_file_that_cannot_be_written_is_not_retried_in_a_loop(tmp_path, watcher):
    """Reading a file raises events of its own: a workbook left in the inbox (its output disk read-only) is
    tried again at the next rescan, not every settle period, and keeps one ledger entry."""
    disk = tmp_path / "ro"
    with small_disk(disk, "1m", "ro"):
        w = watcher("--out", str(disk))
        (wb,) = make_workbooks(tmp_path / "src", 1)
        w.drop([wb])
        w.wait(lambda: any(r[1] == "failed" for r in ledger(w.state)), what="not written")
        time.sleep(5)
        rows = ledger(w.state)
        assert [r[1] for r in rows] == ["failed"] and w.inbox_files() == [wb.name]
        assert (tmp_path / "watch.log").read_text().count("not written") == 1
        assert register_rows(w.state) == []


def test_stray_names_and_long_names_in_the_inbox(tmp_path, watcher):
    """A file named like the watcher's own folder, and a 250-byte name sent twice: each handled, no loop."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "rejected").write_text("a stray file with the name of the rejected folder")
    w = watcher()
    long_name = "ক" * 81 + ".xlsx"  # 248 bytes: its copy "… (2).xlsx" would be over 255
    (src,) = make_workbooks(tmp_path / "src", 1)
    for i in range(2):
        shutil.copy(src, tmp_path / long_name)
        os.replace(tmp_path / long_name, w.inbox / long_name)
        w.wait(lambda: not (w.inbox / long_name).exists(), what=f"long name {i}")
    (w.inbox / ("খ" * 82 + ".pdf")).write_text("not a workbook")
    w.wait(lambda: len(list((w.inbox / "rejected").glob("*.reason.txt"))) >= 2, what="set aside")
    assert (w.inbox / "rejected").is_dir()
    assert [r[1] for r in ledger(w.state)].count("built") == 1
    assert all(r[1] != "processing" for r in ledger(w.state))
    assert all(len(p.name.encode()) <= 255 for p in (w.inbox / "rejected").iterdir())
    assert "Traceback" not in (tmp_path / "watch.log").read_text()


# what the second attack found ------------------------------------------------------------------------

def test_a_version_written_before_stamps_is_adopted_not_voided(tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    path = version(tmp_path, "report.xlsx")
    (first,) = json_lines(gen("build", path, "--out", out, "--state", state, "--json"))
    stamp = Path(first["outputs"][0]).parent / ".content"
    stamp.unlink()  # as an earlier release left it
    (again,) = json_lines(gen("build", path, "--out", out, "--state", state, "--json"))
    assert again["memo"] == first["memo"] and again["status"] == "built" and stamp.is_file()
    assert register_rows(state) == [(1, "issued")]


def test_a_locked_state_database_is_a_state_failure(tmp_path):
    """Another process holds the database's write lock past the busy timeout: exit 3 with the state
    message, no traceback, nothing issued."""
    state = tmp_path / "state"
    path = version(tmp_path, "report.xlsx")
    from generator.records.register import Register

    Register(state).close()  # the database exists
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys, time\n"
        f"db = sqlite3.connect({str(state / 'register.sqlite3')!r}, isolation_level=None)\n"
        "db.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(20)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        run = subprocess.run([sys.executable, "-m", "generator.cli", "build", str(path), "--out", str(tmp_path / "out"),
                              "--state", str(state)], capture_output=True, text=True, timeout=120,
                             env={**os.environ, "GEN_STATE_BUSY_TIMEOUT": "1"})
    finally:
        holder.kill()
        holder.wait()
    assert run.returncode == 3, run.stdout + run.stderr
    assert "Traceback" not in run.stderr and "অবস্থা-ফোল্ডার" in run.stderr and "locked" in run.stderr
    assert register_rows(state) == []


def test_an_unfinished_build_is_taken_over_only_when_its_lease_has_run_out(tmp_path):
    """No pid is looked at: an entry whose owner still renews its lease (a build in another container, say)
    is left alone; one whose owner's lease ran out is an orphan, and only its reservations go back."""
    from generator.records.ledger import Ledger
    from generator.records.owners import Owners
    from generator.records.register import Register

    with Owners(tmp_path) as owners, Ledger(tmp_path) as led, Register(tmp_path) as reg:
        live, dead, me = (owners.claim("build", "/out") for _ in range(3))
        a = led.start("a.xlsx", "h", route="build", owner=dead.id)
        b = led.start("b.xlsx", "h2", route="build", owner=live.id)
        meta = dict(source="x", kind="cc", office="o", fiscal_year="2023-24", period="q1")
        reg.allocate("P", "h", submission=a, owner=dead.id, **meta)
        reg.allocate("P", "h2", submission=b, owner=live.id, **meta)
        led.db.execute("UPDATE owners SET lease_until = 1 WHERE id = ?", (dead.id,))  # silent for too long
        assert [r.id for r in led.orphans("build")] == [a]
        # serial 1 is not the last: voided, not handed out again; serial 2's owner is alive: untouched
        assert [(e.serial, how) for e, how in reg.take_over([a, b], me.id)] == [(1, "void")]
        assert [(e.serial, e.state, e.owner) for e in reg.entries(prefix="P")] == [(1, "void", me.id),
                                                                                  (2, "reserved", live.id)]
        assert reg.release_submission(b, owner=me.id) == []  # only its owner gives a serial back


def test_the_same_older_version_sent_again_does_not_become_current_again(tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    first = version(tmp_path, "first.xlsx")
    corrected = version(tmp_path, "corrected.xlsx", memo_prefix="46.21.6100.049.18.001.23")
    for path in (first, corrected, first):
        assert gen("build", path, "--out", out, "--state", state).returncode == 0
    (folder,) = {p.parent for p in out.rglob("CURRENT.txt")}
    assert "source: corrected.xlsx" in (folder / "CURRENT.txt").read_text(encoding="utf-8")


def test_serials_given_back_together_are_released_highest_first(tmp_path):
    from generator.records.register import Register

    meta = dict(source="a.xlsx", kind="cc", office="অফিস", fiscal_year="2023-24", period="q1")
    with Register(tmp_path) as reg:
        reg.allocate("৪৬", "a", submission=1, **meta)
        reg.allocate("৪৬", "b", submission=2, **meta)
        assert [o for _, o in reg.release_submission(1, 2)] == ["released", "released"]
        assert reg.allocate("৪৬", "c", **meta)[0].serial == 1


def test_ctrl_c_leaves_the_ledger_and_the_register_agreeing(tmp_path):
    src = tmp_path / "src"
    make_workbooks(src, 30)
    state = tmp_path / "state"
    proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "build", str(src), "--out", str(tmp_path / "out"),
                             "--state", str(state), "--json", "--jobs", "2"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=terminal_sigint)
    proc.stdout.readline()
    proc.send_signal(signal.SIGINT)
    # bytes: communicate() reads on past what readline() buffered, which may be the middle of a Bangla letter
    err = proc.communicate(timeout=60)[1].decode("utf-8")
    assert "Traceback" not in err
    # said in both languages, and not exit 1 (a rejection): found by a hostile run ('Aborted!', exit 1)
    assert proc.returncode == 130 and "থামানো হয়েছে" in err and "Stopped (Ctrl-C)" in err, (proc.returncode, err)
    ledger_and_register_agree(state)


def ledger_and_register_agree(state: Path) -> None:
    """Nothing left 'processing' or 'reserved', and a letter whose serial was issued is built in the ledger, and
    only then."""
    db = sqlite3.connect(state / "register.sqlite3")
    try:
        files = dict(db.execute("SELECT id, status FROM files"))
        memos = dict(db.execute("SELECT submission, state FROM memos"))
    finally:
        db.close()
    assert "processing" not in files.values() and "reserved" not in memos.values(), (files, memos)
    for id, status in files.items():
        assert (memos.get(id) == "issued") == (status == "built"), (id, status, memos.get(id))


def test_the_workers_of_a_killed_gen_build_go_too(tmp_path):
    """kill -9 of gen build leaves no worker behind (each holds a copy of its sibling's pipe, so none saw the
    pipe close: they waited for ever)."""
    src = tmp_path / "src"
    make_workbooks(src, 30)
    proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "build", str(src), "--out", str(tmp_path / "out"),
                             "--state", str(tmp_path / "state"), "--json", "--jobs", "2"], stdout=subprocess.PIPE,
                            text=True)
    proc.stdout.readline()  # one built: the workers are up
    workers = [int(p) for p in subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                                               text=True).stdout.split()]
    assert workers
    proc.kill()
    proc.wait(30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() and
                                               "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[1][:3]
                                               for pid in workers):
        time.sleep(0.2)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()
             and "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[1][:3]]
    assert alive == []


def test_ctrl_c_while_a_result_is_being_printed_leaves_nothing_processing(tmp_path):
    """Before: a Ctrl-C that came while gen build was printing a result (here: blocked writing to a full pipe)
    left the batch paused behind it, and its builds in hand were closed only if, and when, the interpreter
    collected it on the way out; once in a full run two entries stayed 'processing'."""
    import fcntl

    src = tmp_path / "src"
    make_workbooks(src, 24)
    state = tmp_path / "state"
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, 1031, 4096)  # F_SETPIPE_SZ: a page, so that a few results fill it
    proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "build", str(src), "--out", str(tmp_path / "out"),
                             "--state", str(state), "--json", "--jobs", "2"], stdout=write_end,
                            stderr=subprocess.PIPE, preexec_fn=terminal_sigint)
    os.close(write_end)
    deadline, seen, still = time.monotonic() + 120, -1, 0
    while time.monotonic() < deadline and still < 10:  # the ledger stops growing: gen build is blocked in a write
        rows = ledger(state)
        still = still + 1 if len(rows) == seen and any(r[1] == "built" for r in rows) else 0
        seen = len(rows)
        time.sleep(0.2)
    assert still >= 10 and seen < 24, "gen build was not held up by the full pipe"
    proc.send_signal(signal.SIGINT)
    with os.fdopen(read_end, "rb") as out:
        out.read()
    err = proc.communicate(timeout=60)[1].decode("utf-8")
    assert "Traceback" not in err
    ledger_and_register_agree(state)


def test_a_register_removed_while_the_watcher_runs_stops_it_never_a_new_register(tmp_path, watcher):
    """helper-46: `rm -rf state` while `gen watch` ran: the next build made a new, empty register, and the same
    workbook sent again got a second memo (the old register and ledger gone, and no word of it). The watcher now
    stops and says so, and the file waits in the inbox."""
    (first,) = make_workbooks(tmp_path / "src", 1)
    shutil.copy(first, tmp_path / "first-copy.xlsx")
    w = watcher("--rescan", "1")
    w.drop([first])
    w.wait(lambda: w.done(1), what="the first built")
    shutil.rmtree(w.state)
    w.drop([tmp_path / "first-copy.xlsx"])
    assert w.proc.wait(timeout=60) is not None
    text = (tmp_path / "watch.log").read_text(encoding="utf-8")
    assert "was removed or replaced while this watcher ran: stopping" in text
    assert w.inbox_files() == ["first-copy.xlsx"] and w.archived() == [first.name]
    assert len(list((w.out).rglob("versions/*/*-letter.docx"))) == 1


def test_a_file_named_like_a_log_line_cannot_forge_one(tmp_path, watcher):
    """helper-46: a file name holding line breaks wrote a line of its own into the watcher's log, 'INFO built
    forged.xlsx: … memo FAKE-1', that no build made. A message's control characters are shown escaped."""
    (good,) = make_workbooks(tmp_path / "src", 1)
    w = watcher()
    forged = "r\n2026-12-07 10:00:00,000 INFO built forged.xlsx: অফিস, memo FAKE-1, 0.01s\nx.xlsx"
    w.drop([good.rename(good.with_name(forged))])
    w.wait(lambda: w.done(1), what="built")
    lines = (tmp_path / "watch.log").read_text(encoding="utf-8").splitlines()
    assert not [line for line in lines if line.startswith("2026-12-07 10:00:00,000")]
    assert any("\\n2026-12-07 10:00:00,000 INFO built forged.xlsx" in line for line in lines)


def test_a_copy_of_a_refused_file_is_logged_as_refused_not_memo_none(tmp_path, watcher):
    """Left alone in the last session's note: a duplicate of a rejected file was logged 'memo None'."""
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook at all")
    shutil.copy(bad, tmp_path / "again.xlsx")
    w = watcher()

    def closed(n: int) -> bool:
        rows = ledger(w.state)
        return len(rows) == n and all(r[1] != "processing" for r in rows)

    w.drop([bad])
    w.wait(lambda: closed(1), what="the first refused")
    w.drop([tmp_path / "again.xlsx"])
    w.wait(lambda: closed(2), what="the copy handled")
    text = (tmp_path / "watch.log").read_text(encoding="utf-8")
    assert f"duplicate again.xlsx: same as {bad.name}, which was rejected; nothing new built" in text, text
    assert "memo None" not in text
