"""`gen` as a clerk runs it: real processes, real files, exit codes and messages."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.support.workbooks import fill_cc
from tests.support.workbooks import MYMENSINGH, ROWS
from tests.support.cli import gen_here


def gen(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "generator.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, **(env or {})}, timeout=120)


def test_template_writes_a_blank_workbook(tmp_path):
    target = tmp_path / "cc.xlsx"
    run = gen("template", "cc", "-o", target)
    assert run.returncode == 0, run.stderr
    wb = load_workbook(target)
    assert wb.sheetnames == ["পত্র", "কর্মপরিকল্পনা", "নির্দেশনা"]


def test_template_unknown_kind_is_a_usage_error(tmp_path):
    run = gen("template", "xyz", "-o", tmp_path / "x.xlsx")
    assert run.returncode == 2 and "unknown kind" in run.stderr


def test_build_prints_where_files_are_and_json(cc_example, tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    run = gen("build", cc_example, "--out", out, "--state", state)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২" in run.stdout and "-letter.docx" in run.stdout
    run = gen("build", cc_example, "--out", out, "--state", state, "--json")
    record = json.loads(run.stdout.strip().splitlines()[0])
    assert run.returncode == 0
    assert {"source", "status", "kind", "office", "fiscal_year", "period", "memo", "outputs", "issues"} <= set(record)
    assert record["status"] == "built" and record["memo_reused"] is True
    assert all(Path(p).exists() for p in record["outputs"])


def test_build_date_option_fills_blank_issue_date(tmp_path):
    path = fill_cc(tmp_path, MYMENSINGH, ROWS)
    run = gen("build", path, "--out", tmp_path / "o", "--state", tmp_path / "s", "--date", "2023-10-10", "--json")
    assert run.returncode == 0, run.stdout
    from tests.support.docx import docx_text

    assert "২৫ আশ্বিন ১৪৩০" in docx_text(json.loads(run.stdout)["outputs"][0])


def test_bad_date_option_is_a_usage_error(cc_example, tmp_path):
    run = gen("build", cc_example, "--date", "10/10/2023", "--state", tmp_path)
    assert run.returncode == 2


def test_missing_file_is_a_usage_error(tmp_path):
    assert gen("build", tmp_path / "nope.xlsx", "--state", tmp_path).returncode == 2


@pytest.mark.parametrize("args, bangla, english", [
    (("build", "{tmp}/নথি ২.xlsx"), "'{tmp}/নথি ২.xlsx' পাওয়া যায়নি", "does not exist"),
    (("build", "{tmp}", "--out", "{tmp}/a-file"), "'{tmp}/a-file' একটি ফাইল, এখানে ফোল্ডার চাই", "is a file"),
    (("build", "{tmp}", "--jobs", "x"), "'-j' / '--jobs'-এর মান ঠিক নয়", "not a valid integer"),
    (("build", "{tmp}", "--date", "10/10/2023"), "'--date'-এর তারিখ বোঝা যায়নি: লিখুন বছর-মাস-দিন", "--date"),
    (("build", "{tmp}", "--frob"), "কোনো অপশন নেই", "No such option '--frob'"),
    (("bild",), "কোনো কমান্ড নেই", "No such command 'bild'"),
    (("template",), "প্রয়োজনীয় 'KIND' দেওয়া হয়নি", "Missing argument 'KIND'"),
    (("template", "xyz"), "কোনো প্রতিবেদনের ধরন নেই", "unknown kind 'xyz'"),
    (("state", "migrate"), "প্রয়োজনীয় '--from' দেওয়া হয়নি", "Missing option '--from'"),
])
def test_a_usage_error_is_told_in_bangla_with_english_beneath_and_exits_2(tmp_path, args, bangla, english):
    (tmp_path / "a-file").write_text("")
    run = gen(*(a.format(tmp=tmp_path) for a in args))
    lines = run.stderr.splitlines()
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert lines[0].startswith("✘ ") and bangla.format(tmp=tmp_path) in lines[0], run.stderr
    assert english in lines[1] and lines[1].startswith("  "), run.stderr
    assert any(line.startswith("Usage: ") for line in lines), run.stderr


def test_a_bare_gen_still_shows_its_help():
    run = gen()
    assert run.returncode == 2 and "Commands:" in run.stdout + run.stderr and "✘" not in run.stderr


def test_missing_required_field_names_sheet_and_cell(tmp_path):
    letter = dict(MYMENSINGH)
    letter["office_name"] = None
    path = fill_cc(tmp_path, letter, ROWS)
    original = path.read_bytes()
    run = gen("build", path, "--out", tmp_path / "o", "--state", tmp_path / "s", "--json")
    assert run.returncode == 1
    record = json.loads(run.stdout)
    assert record["status"] == "rejected"
    wb = load_workbook(path)
    row = next(r[0].row for r in wb["পত্র"].iter_rows(max_col=1) if r[0].value == "office_name")
    issue = next(i for i in record["issues"] if i["code"] == "missing-field")
    assert (issue["sheet"], issue["cell"]) == ("পত্র", f"C{row}")
    assert "আবশ্যক" in issue["message"] and "Required field 'office_name'" in issue["message"]
    assert path.read_bytes() == original  # the office's file is never modified
    human = gen("build", path, "--out", tmp_path / "o", "--state", tmp_path / "s")
    assert human.returncode == 1 and f"পত্র!C{row}" in human.stdout and "Traceback" not in human.stdout + human.stderr
    assert any(p.endswith(".errors.txt") for p in record["outputs"])
    annotated = next(p for p in record["outputs"] if p.endswith(".annotated.xlsx"))
    marked = load_workbook(annotated)["পত্র"][f"C{row}"]
    assert marked.comment is not None and "office_name" in marked.comment.text


def test_not_a_workbook(tmp_path):
    fake = tmp_path / "report.xlsx"
    fake.write_text("this is not a workbook")
    run = gen("build", fake, "--out", tmp_path / "o", "--state", tmp_path / "s")
    assert run.returncode == 1
    assert "not-a-workbook" in run.stdout and str(fake) in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    assert fake.read_text() == "this is not a workbook"


def _set_kind(path, kind):
    wb = load_workbook(path)
    ws = wb["পত্র"]
    row = next(r[0].row for r in ws.iter_rows(max_col=1) if r[0].value == "kind")
    ws.cell(row, 3, kind)
    wb.save(path)
    return row


def test_workbook_of_an_unknown_kind(tmp_path):
    path = fill_cc(tmp_path, dict(MYMENSINGH), ROWS)
    row = _set_kind(path, "apa")
    run = gen("build", path, "--out", tmp_path / "o", "--state", tmp_path / "s", "--json")
    assert run.returncode == 1
    issue = json.loads(run.stdout)["issues"][0]
    assert issue["code"] == "unknown-kind" and issue["cell"] == f"C{row}"


def test_workbook_saying_another_kind_than_its_template(tmp_path):
    path = fill_cc(tmp_path, dict(MYMENSINGH, period="অর্ধবার্ষিক"), ROWS)
    _set_kind(path, "egov")
    run = gen("build", path, "--out", tmp_path / "o", "--state", tmp_path / "s", "--json")
    assert run.returncode == 1
    issue = json.loads(run.stdout)["issues"][0]
    assert issue["code"] == "missing-columns" and "self_score" in issue["message"] and issue["sheet"] == "কর্মপরিকল্পনা"


def test_plan_sheet_of_another_template(tmp_path):
    path = fill_cc(tmp_path, dict(MYMENSINGH), ROWS)
    wb = load_workbook(path)
    plan = wb["কর্মপরিকল্পনা"]
    for cell in plan[1]:
        if cell.value in ("target_90", "target_80"):
            cell.value = "q1_target"
    wb.save(path)
    run = gen("build", path, "--out", tmp_path / "o", "--state", tmp_path / "s", "--json")
    assert run.returncode == 1
    issue = json.loads(run.stdout)["issues"][0]
    assert issue["code"] == "missing-columns" and "target_90" in issue["message"]


def test_some_rejected_means_exit_1_but_others_built(cc_example, tmp_path):
    fake = tmp_path / "bad.xlsx"
    fake.write_bytes(b"PK\x03\x04broken")
    run = gen("build", cc_example, fake, "--out", tmp_path / "o", "--state", tmp_path / "s", "--json")
    statuses = [json.loads(line)["status"] for line in run.stdout.splitlines()]
    assert run.returncode == 1 and statuses == ["built", "rejected"]


def test_register_lists_issued_memos(cc_example, tmp_path):
    state = tmp_path / "s"
    gen("build", cc_example, "--out", tmp_path / "o", "--state", state)
    run = gen("register", "--state", state)
    assert run.returncode == 0 and "৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২" in run.stdout
    run = gen("register", "--state", state, "--json")
    entry = json.loads(run.stdout.splitlines()[0])
    assert entry["serial"] == 192 and entry["explicit"] is True


def test_register_of_a_mistyped_state_folder_names_it_and_makes_nothing(cc_example, tmp_path):
    """Found by a hostile run: `gen register --state stat` (a typo) made an empty register there and said no memo
    was issued yet, as if the office had never built a letter."""
    state = tmp_path / "state"
    gen("build", cc_example, "--out", tmp_path / "o", "--state", state)
    run = gen("register", "--state", tmp_path / "stat")
    assert run.returncode == 3 and "no memo register" in run.stderr and "রেজিস্টার" in run.stderr, run.stderr
    assert str(tmp_path / "stat") in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "stat").exists()
    assert gen("register", "--state", state).returncode == 0
    (tmp_path / "zero").mkdir()
    (tmp_path / "zero" / "register.sqlite3").write_bytes(b"")  # what a build's first moment leaves: no register yet
    run = gen("register", "--state", tmp_path / "zero")
    assert run.returncode == 3 and "no memo register" in run.stderr
    assert (tmp_path / "zero" / "register.sqlite3").stat().st_size == 0


def test_state_dir_from_environment(cc_example, tmp_path):
    state = tmp_path / "env-state"
    run = gen("build", cc_example, "--out", tmp_path / "o", env={"GEN_STATE_DIR": str(state)})
    assert run.returncode == 0 and (state / "register.sqlite3").exists()


def test_register_of_an_empty_postgresql_database_makes_no_tables(postgres_cluster, tmp_path):
    """Found by a re-attack: on a database that was never a state, `gen register` made the tables and said no memo
    was issued yet; it names the database and leaves it empty."""
    import psycopg

    empty = postgres_cluster.fresh(empty=True)
    run = gen("register", "--state", empty, env={"GEN_STATE_DIR": str(tmp_path / "local")})
    assert run.returncode == 3 and "no memo register" in run.stderr and empty.rsplit("/", 1)[1] in run.stderr, run.stderr
    with psycopg.connect(empty) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)


def test_build_and_register_on_postgresql(postgres, tmp_path):
    """--state postgresql://…: the memo is taken from PostgreSQL's register and the file recorded in its ledger;
    `gen register` (by --state or $GEN_STATE) lists it; no SQLite register is made anywhere."""
    import psycopg

    local = {"GEN_STATE_DIR": str(tmp_path / "local")}
    path = fill_cc(tmp_path, MYMENSINGH, ROWS)
    run = gen("build", path, "--out", tmp_path / "out", "--state", postgres, "--date", "2023-10-10", "--json", env=local)
    assert run.returncode == 0, run.stdout + run.stderr
    built = json.loads(run.stdout)
    assert built["status"] == "built" and built["memo"] and all(Path(p).exists() for p in built["outputs"])
    with psycopg.connect(postgres) as conn:
        assert conn.execute("SELECT prefix, serial, state FROM memos").fetchall() == [
            (built["memo"].rsplit("-", 1)[0], 1, "issued")]
        assert conn.execute("SELECT status, memo, route FROM files").fetchall() == [("built", built["memo"], "build")]
    listed = gen("register", "--state", postgres, env=local)
    assert listed.returncode == 0 and built["memo"].rsplit("-", 1)[0] in listed.stdout, listed.stderr
    by_env = gen("register", "--json", env={**local, "GEN_STATE": postgres})
    assert [json.loads(line)["serial"] for line in by_env.stdout.splitlines()] == [1], by_env.stderr
    assert not list(tmp_path.rglob("register.sqlite3"))
    gone = gen("register", "--state", postgres.rsplit("/", 1)[0] + "/no_such_database", env=local)
    assert gone.returncode == 3 and "PostgreSQL" in gone.stderr and "Traceback" not in gone.stderr


def _validate_and_build(path, tmp_path) -> tuple[tuple, ...]:
    """`gen validate` and `gen build` of `path`, each plain and with --json."""
    build = ("build", path, "--out", tmp_path / "o", "--state", tmp_path / "s")
    return ("validate", path), ("validate", "--json", path), build, (*build, "--json")


def test_a_folder_named_as_a_workbook_is_refused_not_a_silent_success(tmp_path):
    """x.xlsx/ is a folder: validate and build say it cannot be read (could-not-read), exit 1, even with --json."""
    folder = tmp_path / "x.xlsx"
    folder.mkdir()
    for args in _validate_and_build(folder, tmp_path):
        run = gen(*args)
        assert run.returncode == 1, (args, run.stdout, run.stderr)
        assert "could-not-read" in run.stdout and "not a regular file" in run.stdout, args
        assert "Traceback" not in run.stdout + run.stderr
        if "--json" in args:
            assert json.loads(run.stdout)["issues"][0]["code"] == "could-not-read"
    assert not (tmp_path / "o").exists() and list(folder.iterdir()) == []


def test_a_folder_without_workbooks_is_said_and_exits_1(tmp_path):
    empty = tmp_path / "inbox"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a workbook")
    for args in _validate_and_build(empty, tmp_path):
        run = gen(*args)
        assert run.returncode == 1, (args, run.stdout, run.stderr)
        assert "কোনো ওয়ার্কবুক (.xlsx) নেই" in run.stderr and "holds no workbook" in run.stderr, args
        assert run.stdout == "" and "Traceback" not in run.stderr


def test_a_folder_with_workbooks_is_still_checked_and_built(cc_example, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    cc_example.rename(inbox / cc_example.name)
    run = gen("validate", inbox)
    assert run.returncode == 0 and "valid" in run.stdout, run.stdout + run.stderr
    run = gen("build", inbox, "--out", tmp_path / "o", "--state", tmp_path / "s", "--json")
    assert run.returncode == 0, run.stdout + run.stderr
    assert json.loads(run.stdout)["status"] == "built" and run.stderr == ""


def _as_unprivileged():
    """A prefix that runs a command without root's power to write anywhere (root ignores a folder's
    permissions): setpriv drops the capabilities from the bounding set."""
    if os.geteuid() != 0:
        return []
    import shutil

    if shutil.which("setpriv") is None:
        pytest.skip("running as root, and no setpriv to drop root's override of folder permissions")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def _says_not_written(run, path):
    assert "could-not-write" in run.stdout + run.stderr or "লেখা যায়নি" in run.stderr, run.stdout + run.stderr
    assert f"Could not write {path}" in run.stdout + run.stderr and "Traceback" not in run.stdout + run.stderr


def test_template_and_next_under_a_file_say_so_and_exit_3(cc_example, tmp_path):
    a_file = tmp_path / "afile"
    a_file.write_text("in the way")
    run = gen("template", "cc", "-o", a_file / "x.xlsx")
    assert run.returncode == 3
    _says_not_written(run, a_file / "x.xlsx")
    assert "is a file, not a folder" in run.stderr
    run = gen("next", cc_example, "-o", a_file / "n.xlsx")
    assert run.returncode == 3
    _says_not_written(run, a_file / "n.xlsx")
    assert a_file.read_text() == "in the way"


def test_template_and_next_into_a_read_only_folder_say_so_and_exit_3(cc_example, tmp_path):
    locked = tmp_path / "ro"
    locked.mkdir()
    locked.chmod(0o555)
    prefix = _as_unprivileged()
    try:
        for args, target in ((("template", "cc", "-o", locked / "x.xlsx"), locked / "x.xlsx"),
                             (("next", cc_example, "-o", locked / "n.xlsx"), locked / "n.xlsx")):
            run = subprocess.run([*prefix, sys.executable, "-m", "generator.cli", *map(str, args)],
                                 capture_output=True, text=True, timeout=120)
            assert run.returncode == 3, run.stdout + run.stderr
            _says_not_written(run, target)
            assert "Permission denied" in run.stdout + run.stderr
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def test_next_force_and_template_leave_a_fifo_alone_and_exit_3(cc_example, tmp_path):
    """--force replaces an ordinary file only: a FIFO stays a FIFO (a device such as /dev/null was replaced
    by a file when run as root). gen template would otherwise block on it: a short timeout."""
    import stat

    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    for args in (("next", cc_example, "-o", fifo, "--force"), ("template", "cc", "-o", fifo)):
        run = subprocess.run([sys.executable, "-m", "generator.cli", *map(str, args)], capture_output=True,
                             text=True, timeout=60)
        assert run.returncode == 3, run.stdout + run.stderr
        said = run.stdout + run.stderr
        assert "not an ordinary file" in said and "সাধারণ ফাইল নয়" in said and "Traceback" not in said
        assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_template_never_writes_a_blank_over_the_register(tmp_path):
    """Found by trying after a hostile run showed the same of gen next: -o on the register replaced it."""
    state = tmp_path / "state"
    from generator.records.register import Register

    with Register(state) as register:
        register.entries()
    before = (state / "register.sqlite3").read_bytes()
    run = gen_here("template", "cc", "-o", state / "register.sqlite3")
    assert run.returncode == 3 and "not even with --force" in run.stderr and "Traceback" not in run.stderr
    assert (state / "register.sqlite3").read_bytes() == before


def test_workbooks_in_a_folders_subfolders_are_said_not_to_be_read(tmp_path, cc_example):
    """Found by a hostile run: `gen build d` skipped d/sub/*.xlsx without a word."""
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "sub" / "q1.xlsx").write_bytes(Path(cc_example).read_bytes())
    (tmp_path / "d" / "q2.xlsx").write_bytes(Path(cc_example).read_bytes())
    run = gen_here("validate", tmp_path / "d")
    assert run.returncode == 0 and "subfolders hold 1 workbook(s), which were not read" in run.stderr
    assert "১টি ওয়ার্কবুক" in run.stderr and "q1.xlsx" not in run.stdout


def test_template_never_writes_into_a_file_there_nor_over_one_without_force(tmp_path):
    """Found by a hostile run: `ln state/register.sqlite3 b.xlsx; gen template cc -o b.xlsx` turned the register
    into a workbook (openpyxl saved into the linked file), and `gen template cc` replaced a filled cc.xlsx."""
    from generator.records.register import Register

    state = tmp_path / "state"
    with Register(state) as register:
        register.entries()
    before = (state / "register.sqlite3").read_bytes()
    os.link(state / "register.sqlite3", tmp_path / "b.xlsx")
    refused = gen_here("template", "cc", "-o", tmp_path / "b.xlsx")
    assert refused.returncode == 2 and "--force" in refused.stderr and "আগে থেকেই আছে" in refused.stderr
    forced = gen_here("template", "cc", "-o", tmp_path / "b.xlsx", "--force")
    assert forced.returncode == 0, forced.stderr
    assert (state / "register.sqlite3").read_bytes() == before  # the link replaced, never written into
    assert load_workbook(tmp_path / "b.xlsx").sheetnames[0] == "পত্র"


@pytest.mark.parametrize("value", ["abc", "0", "-5", "inf", "nan"])
def test_a_setting_in_the_environment_that_cannot_be_used_is_said_and_the_default_taken(tmp_path, value):
    """helper-46: GEN_STATE_BUSY_TIMEOUT=abc stopped every gen command with a traceback; GEN_LEASE_SECONDS=0 made a
    second run on the same state loop for ever, the lease running out as soon as taken (176,000 owners a minute)."""
    import subprocess
    import sys

    from tests.support.workbooks import MYMENSINGH, ROWS, fill_cc

    env = {**os.environ, "GEN_STATE_BUSY_TIMEOUT": value, "GEN_LEASE_SECONDS": value}
    source = fill_cc(tmp_path, MYMENSINGH, ROWS)
    for _ in range(2):  # the second on the same state: the one that looped
        run = subprocess.run([sys.executable, "-m", "generator.cli", "build", str(source), "--out", str(tmp_path / "out"),
                              "--state", str(tmp_path / "state")], env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
        assert f"GEN_LEASE_SECONDS={value!r} cannot be used" in run.stderr and "ব্যবহার করা যায় না" in run.stderr
