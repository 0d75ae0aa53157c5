"""One store of documents (issue 19) on both backends: a `versions` row written in the transaction that confirms
the serial, with its path relative to the output root; the current view changed under a lock every process
shares (PostgreSQL's advisory lock, or SQLite's file lock) and only to a higher serial; a build killed between
the confirmation and the rename, and what the next build of the same content does about it (real processes,
really killed); an official record never overwritten."""

import datetime as dt
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.records import state, store, stores
from generator.records.register import Register
from generator.service import pipeline
from generator.spec.paths import XLSX_DIR
from generator.xlsx import filling
from tests.support.workbooks import MYMENSINGH, ROWS

DAY = dt.date(2023, 7, 10)


@pytest.fixture
def state_dir(backend, tmp_path, monkeypatch):
    """The state folder a build is handed: SQLite's, or the local folder naming the PostgreSQL database."""
    if isinstance(backend, Path):
        return backend
    monkeypatch.setenv("GEN_STATE_DIR", str(tmp_path / "local"))  # inherited by the child processes too
    return state.resolve(backend)


def workbook(tmp_path, i: int, **letter) -> Path:
    """One office's report; `i` changes its content (a copy line), not its folder."""
    return filling.fill(XLSX_DIR / "cc.xlsx", tmp_path / f"w{i}.xlsx", dict(MYMENSINGH, copies=f"অনুলিপি {i}",
                                                                            **letter), ROWS)


def build(path, out, state_dir):
    result = pipeline.build(path, out_root=out, state_dir=state_dir, default_date=DAY)
    assert result.status == "built", [i.en for i in result.issues]
    return result


def versions(state_dir):
    with Register(state_dir) as register:
        return register.versions()


def current(folder):
    return store.current(folder)


def test_each_version_has_a_row_with_its_path_relative_to_the_output_root(tmp_path, state_dir):
    out = tmp_path / "out"
    results = [build(workbook(tmp_path, i), out, state_dir) for i in range(2)]
    rows = versions(state_dir)
    assert [(v.serial, v.memo) for v in rows] == [(1, results[0].memo), (2, results[1].memo)]
    for v, result in zip(rows, results):
        assert not Path(v.path).is_absolute() and str(tmp_path) not in v.path
        assert (out / v.path) == Path(result.outputs[0]).parent
        assert (out / v.path / store.CONTENT).read_text(encoding="utf-8").endswith(f"content: {v.content_hash}\n")
    assert abs(rows[0].created_at - time.time()) < 300  # the database's clock, in Unix seconds
    folder = Path(results[1].outputs[0]).parent.parent.parent
    assert current(folder)[1] == 2


def test_a_row_is_never_overwritten_when_a_serial_is_confirmed_again(state_dir):
    meta = dict(source="a.xlsx", kind="cc", office="o", fiscal_year="2023-24", period="q1")
    with Register(state_dir) as register:
        with register.reserved("P", None, "h", **meta) as held:
            held.memo, held.version = "P-1", "2023-24/o/cc-q1/versions/P-1"
        (first,) = register.versions()
        register.confirm(held.entry, memo="P-1", version="elsewhere/versions/P-1")  # a taker-over, another root
        assert register.versions() == [first]


CHILD = """
import os, signal, sys, datetime
from pathlib import Path
from generator.records import register
from generator.service import pipeline

confirm = register.Held.confirm

def confirm_then_die(self):
    confirm(self)
    os.kill(os.getpid(), signal.SIGKILL)  # after the commit point, before the staged version is renamed

register.Held.confirm = confirm_then_die
pipeline.build(Path(sys.argv[1]), out_root=Path(sys.argv[2]), state_dir=Path(sys.argv[3]),
               default_date=datetime.date(2023, 7, 10))
"""


def killed_after_confirm(path, out, state_dir) -> None:
    child = subprocess.run([sys.executable, "-c", CHILD, str(path), str(out), str(state_dir)],
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr


def test_a_build_killed_between_confirm_and_rename_is_finished_by_the_next_build_of_its_content(tmp_path, state_dir):
    """What the next owner finds: the register says issued, the versions row names a folder that is not there,
    a staging folder is left (never visible). What it does: the same content reuses the serial, writes the same
    version folder (the row kept as written) and makes it current, since its serial is the highest."""
    out = tmp_path / "out"
    first = build(workbook(tmp_path, 0), out, state_dir)
    folder = Path(first.outputs[0]).parent.parent.parent
    killed_after_confirm(workbook(tmp_path, 1), out, state_dir)

    with Register(state_dir) as register:
        assert [(e.serial, e.state) for e in register.entries()] == [(1, "issued"), (2, "issued")]
        (_, row) = register.versions()
    assert not (out / row.path).exists()
    assert [p.name.startswith(".tmp-") for p in (folder / store.VERSIONS).iterdir()].count(True) == 1
    assert current(folder)[1] == 1  # nothing of serial 2 is visible

    again = build(workbook(tmp_path, 1), out, state_dir)
    assert (again.memo, again.memo_reused) == (row.memo, True)
    assert Path(again.outputs[0]).parent == out / row.path and all(Path(p).is_file() for p in again.outputs)
    assert versions(state_dir)[1] == row  # the commit point's row, as it was written
    assert current(folder)[1] == 2
    letter = next(p for p in again.outputs if p.endswith("letter.docx"))
    assert (folder / Path(letter).name).read_bytes() == Path(letter).read_bytes()


def test_a_killed_build_finished_after_a_newer_version_does_not_take_the_current_view_back(tmp_path, state_dir):
    out = tmp_path / "out"
    killed_after_confirm(workbook(tmp_path, 1), out, state_dir)
    newer = build(workbook(tmp_path, 2), out, state_dir)
    folder = Path(newer.outputs[0]).parent.parent.parent
    assert current(folder)[1] == 2
    again = build(workbook(tmp_path, 1), out, state_dir)
    assert again.memo_reused and Path(again.outputs[0]).is_file()
    assert current(folder)[1] == 2
    assert [v.serial for v in versions(state_dir)] == [1, 2]


def _update_many(state_dir: str, root: str, serials: list[int], go) -> None:
    where = stores.Folder(Path(root), Path(state_dir))
    go.wait()
    for serial in serials:
        version = Path(root) / "r" / store.VERSIONS / f"P-{serial}"
        where.update_current("r", prefix="P", serial=serial, memo=f"P-{serial}", source=f"{serial}.xlsx",
                             paths=[version / "letter.docx", version / "annex.docx"])


def test_four_processes_updating_one_current_view_leave_the_highest_serial_and_its_copies(tmp_path, state_dir):
    """The attack on the lock: four processes climb together, each offering every fourth serial (1+i, 5+i, …),
    with copies large enough that reading CURRENT.txt, copying and writing it take a while. Without one lock
    shared by all, a process that read an older CURRENT.txt puts a lower version's copies and CURRENT.txt over
    a higher one (seen here without the lock: the view ends below the highest, or its copies disagree)."""
    root, n = tmp_path / "out", 40
    for serial in range(1, n + 1):
        store.write_version(root / "r", f"P-{serial}", f"h{serial}",
                            {"letter.docx": serial.to_bytes(2, "big") * 1_000_000, "annex.docx": b"%d" % serial})
    ctx = mp.get_context("spawn")
    go = ctx.Barrier(4)  # all four start at once, each once it is ready
    procs = [ctx.Process(target=_update_many, args=(str(state_dir), str(root), list(range(1 + i, n + 1, 4)), go))
             for i in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    assert current(root / "r") == ("P", n)
    assert (root / "r" / "letter.docx").read_bytes()[:2] == n.to_bytes(2, "big")
    assert (root / "r" / "annex.docx").read_bytes() == b"%d" % n
    assert not list((root / "r").glob(".tmp-*"))


def _hold_the_view_lock(state_dir: str, held) -> None:
    with stores.view_lock(Path(state_dir), "r", Path(state_dir) / "r"):
        held.set()
        time.sleep(600)


def test_a_process_killed_holding_the_current_views_lock_does_not_hold_it(tmp_path, state_dir):
    ctx = mp.get_context("spawn")
    held = ctx.Event()
    holder = ctx.Process(target=_hold_the_view_lock, args=(str(state_dir), held))
    holder.start()
    try:
        assert held.wait(60)
        os.kill(holder.pid, signal.SIGKILL)
        holder.join(10)
        start = time.monotonic()
        with stores.view_lock(Path(state_dir), "r", Path(state_dir) / "r"):
            pass
        assert time.monotonic() - start < 10
    finally:
        holder.kill()


def test_the_current_views_lock_is_in_the_database_for_postgresql(postgres, tmp_path, monkeypatch):
    """Two servers share the database, not a local folder: the lock of one report is PostgreSQL's, seen from
    any connection (pg_locks), and two reports do not wait for each other."""
    import psycopg

    monkeypatch.setenv("GEN_STATE_DIR", str(tmp_path / "local"))
    folder = state.resolve(postgres)
    with stores.view_lock(folder, "2023-24/o/cc-q1", tmp_path / "anywhere"):
        with psycopg.connect(postgres, autocommit=True) as other:
            assert other.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'").fetchone()[0] == 1
        with stores.view_lock(folder, "2023-24/o/cc-q2", tmp_path / "anywhere"):
            pass
    assert not (folder / "locks").exists()


def _build_at_once(tmp: str, state_dir: str, out: str, go, results) -> None:
    path = workbook(Path(tmp), 0)  # the same content in both processes (each writes its own copy of the file)
    go.wait()
    result = pipeline.build(path, out_root=Path(out), state_dir=Path(state_dir), default_date=DAY)
    results.put((result.status, result.memo, result.outputs))


def test_two_processes_building_the_same_content_at_once_make_one_version_and_one_row(tmp_path, state_dir):
    ctx = mp.get_context("spawn")
    go, results = ctx.Barrier(2), ctx.Queue()
    out = tmp_path / "out"
    procs = [ctx.Process(target=_build_at_once, args=(str(tmp_path / f"p{i}"), str(state_dir), str(out), go, results))
             for i in range(2)]
    for i, p in enumerate(procs):
        (tmp_path / f"p{i}").mkdir()
        p.start()
    got = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    assert [status for status, _, _ in got] == ["built", "built"] and got[0][1] == got[1][1]
    (row,) = versions(state_dir)
    assert [p.name for p in (out / row.path).parent.iterdir()] == [Path(row.path).name]
    assert current(out / row.path.rsplit("/versions/", 1)[0])[1] == row.serial == 1


def test_a_frozen_process_holding_the_current_views_lock_is_cut_off_on_postgresql(postgres, tmp_path, monkeypatch):
    """SIGSTOP (a hung share, a debugger) while holding the lock: PostgreSQL ends the frozen session after
    idle_in_transaction_session_timeout and the lock is free again; the others wait that long, not for ever."""
    monkeypatch.setenv("GEN_STATE_DIR", str(tmp_path / "local"))
    monkeypatch.setenv("GEN_STATE_IDLE_TIMEOUT", "2")  # the frozen child's session; this process keeps its own
    folder = state.resolve(postgres)
    ctx = mp.get_context("spawn")
    held = ctx.Event()
    holder = ctx.Process(target=_hold_the_view_lock, args=(str(folder), held))
    holder.start()
    try:
        assert held.wait(60)
        os.kill(holder.pid, signal.SIGSTOP)
        start = time.monotonic()
        with stores.view_lock(folder, "r", folder / "r"):
            waited = time.monotonic() - start
        assert 1 < waited < 15
    finally:
        os.kill(holder.pid, signal.SIGCONT)
        holder.kill()
        holder.join(10)


def test_gen_register_names_an_issued_memo_whose_letter_is_not_in_the_store(tmp_path, state_dir, backend):
    out = tmp_path / "out"
    killed_after_confirm(workbook(tmp_path, 1), out, state_dir)

    def listed():
        run = subprocess.run([sys.executable, "-m", "generator.cli", "register", "--state", str(backend), "--out",
                              str(out)], capture_output=True, text=True, timeout=120)
        assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
        return run.stderr

    (row,) = versions(state_dir)
    told = listed()
    assert f"! {row.memo}: রেজিস্টারে দেওয়া হয়েছে" in told and "Sending the same file again" in told
    assert str(out / row.path) in told
    build(workbook(tmp_path, 1), out, state_dir)
    assert row.memo not in listed()


def test_a_staging_folder_is_swept_once_its_builds_lease_ran_out_not_before(tmp_path, state_dir):
    """A build killed while it wrote leaves its hidden staging folder, named by the lease it ran under: the next
    version written beside it removes it as soon as that lease has run out (by the database's clock), keeps the
    staging folder of a build still alive, and an unnamed one only once it is an hour old."""
    from generator.records.owners import Owners

    with Owners(state_dir) as owners:
        dead, live, me = (owners.claim("build", str(tmp_path)) for _ in range(3))
        owners.end(dead)
    versions = tmp_path / "out" / "report" / store.VERSIONS
    versions.mkdir(parents=True)
    left = {name: versions / name for name in (f".tmp-{dead.id}.abc", f".tmp-{live.id}.abc", ".tmp-old")}
    for folder in left.values():
        folder.mkdir()
        (folder / "letter.docx").write_bytes(b"half")
    where = stores.Folder(tmp_path / "out", state_dir, me.id)
    paths = where.write_version("report", "৪৬-১", "c" * 64, {"letter.docx": b"whole"})
    assert [p.read_bytes() for p in paths] == [b"whole"]
    assert sorted(p.name for p in versions.glob(".tmp-*")) == sorted([f".tmp-{live.id}.abc", ".tmp-old"])
    hour_ago = time.time() - 3700
    os.utime(left[".tmp-old"], (hour_ago, hour_ago))
    where.write_version("report", "৪৬-২", "d" * 64, {"letter.docx": b"next"})
    assert [p.name for p in versions.glob(".tmp-*")] == [f".tmp-{live.id}.abc"]  # its build goes on


def test_a_staging_folder_of_another_states_build_is_left_to_it(tmp_path):
    """Found by a hostile run: two `gen serve` with states of their own writing one output folder (a setup
    service.md allows) swept each other's staging folders as a dead build's, and a valid upload failed with
    could-not-write (11 of 40). A lease this state does not know may be alive in another: its staging stays (until
    it is an hour old)."""
    from generator.records.owners import Owners

    with Owners(tmp_path / "state-a") as owners:
        other = owners.claim("serve", str(tmp_path / "a-uploads"))
    with Owners(tmp_path / "state-b") as owners:
        me = owners.claim("serve", str(tmp_path / "b-uploads"))
    versions = tmp_path / "out" / "report" / store.VERSIONS
    staging = versions / f".tmp-{other.id}.abc"
    staging.mkdir(parents=True)
    (staging / "letter.docx").write_bytes(b"being written")
    where = stores.Folder(tmp_path / "out", tmp_path / "state-b", me.id)
    where.write_version("report", "৪৬-১", "c" * 64, {"letter.docx": b"whole"})
    assert (staging / "letter.docx").read_bytes() == b"being written"


def test_a_duplicate_sweeps_the_staging_its_own_killed_try_left_beside_the_version(tmp_path):
    """Before: a file whose first try was killed while staging, then found a duplicate of the same content built
    meanwhile under another name, left that staging folder for an hour (test_three_servers… saw it)."""
    from generator.records import store

    versions = tmp_path / "report" / store.VERSIONS
    built = versions / "৪৬-১"
    built.mkdir(parents=True)
    (built / "letter.docx").write_bytes(b"x")
    dead, alive = "a" * 32, "b" * 32
    for owner in (dead, alive):
        stage = versions / f".tmp-{owner}.x1"
        stage.mkdir()
        (stage / ".tmp-1.docx").write_bytes(b"half")
    store.sweep_beside([str(built / "letter.docx")], gone=lambda owner: owner == dead)
    assert sorted(p.name for p in versions.iterdir()) == [f".tmp-{alive}.x1", "৪৬-১"]


def test_a_name_loses_the_marks_that_turn_text_right_to_left():
    """Found by a hostile run: evidence named report\u202efdp.png showed as 'reportgnp.pdf' and garbled its page
    stamp in the bundle (its পাতা reversed). A joiner, which shapes Bangla, is kept."""
    assert store.safe_name("report\u202efdp.png") == "reportfdp.png"
    assert store.safe_name("\u2067রসিদ\u2069 \u200fস্ক্যান") == "রসিদ স্ক্যান"
    assert store.safe_name("র\u200d\u09cdযাব") == "র\u200d\u09cdযাব"


def test_a_name_typed_as_another_names_safe_folder_never_shares_it():
    """Found by a hostile run: an office typed as another's made-safe folder name ('…/মিঠাপুকুর' is filed as
    '…-মিঠাপুকুর~<tag>') shared that office's folder, and its letter became the current copy there."""
    made_safe = store.office_folder("উপজেলা/মিঠাপুকুর")
    assert made_safe != "উপজেলা/মিঠাপুকুর" and "~" in made_safe
    typed_so = store.office_folder(made_safe)
    assert typed_so != made_safe and store.office_folder("উপজেলা মিঠাপুকুর") == "উপজেলা মিঠাপুকুর"
    assert store.office_folder("অফিস~12345678") != store.office_folder("অফিস~12345678~x")
    assert store.version_name("৪৬.২১-১") == "৪৬.২১-১"


def _update_under_a_size_limit(root: str, state_dir: str, limit: int) -> None:
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the limit a write fails (EFBIG), as on a full disk
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    version = Path(root) / "r" / store.VERSIONS / "P-1"
    try:
        stores.Folder(Path(root), Path(state_dir)).update_current(
            "r", prefix="P", serial=1, memo="P-1", source="1.xlsx", paths=[version / "letter.docx"])
    except OSError:
        sys.exit(3)


def test_a_current_copy_that_cannot_be_written_whole_leaves_no_temporary_file(tmp_path, state_dir):
    """helper-46: with the output disk full, '.tmp-xlfrwium.docx' (a current copy cut short) stayed in the report's
    folder for good, beside the letter: the failed copy's temporary file was never removed."""
    root = tmp_path / "out"
    store.write_version(root / "r", "P-1", "h1", {"letter.docx": b"x" * 200_000})
    Register(state_dir).close()
    child = mp.get_context("fork").Process(target=_update_under_a_size_limit, args=(str(root), str(state_dir), 50_000))
    child.start()
    child.join(60)
    if child.is_alive():
        child.kill()
    assert child.exitcode == 3
    assert not list((root / "r").glob(".tmp-*")) and not (root / "r" / "letter.docx").exists()
