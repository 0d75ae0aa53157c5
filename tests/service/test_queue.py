"""The job queue on a PostgreSQL state (service/queue.py, queue_worker.py, leader.py): real PostgreSQL, real
`gen worker` and `gen watch` processes, killed with kill -9 for real."""
import contextlib
import os
import shutil
import signal
from pathlib import Path

import pytest

from tests.support.queue import archived, files, memos, watcher, wait, worker
from tests.support.state import one_memo_one_letter
from tests.support.workbooks import make_workbooks

pytestmark = pytest.mark.slow


def _settled(url: str, names: list[str]) -> bool:
    entries = files(url)
    return sorted(r[0] for r in entries if r[1] != "processing") == sorted(names) \
        and not [r for r in entries if r[1] == "processing"]


def test_a_worker_killed_mid_build_is_finished_by_another_with_the_same_serial(postgres, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first, watch = worker(tmp_path, postgres, "first.log"), watcher(tmp_path, postgres, inbox)
    second = None
    try:
        wait(lambda: watch.said("watching"), 60, "the watcher")
        [book] = make_workbooks(tmp_path / "src", 1)
        shutil.copy(book, inbox / book.name)
        # frozen the moment its build has reserved the file's serial (before its letter is confirmed), then killed
        wait(lambda: memos(postgres), 60, "the first worker reserving a serial", every=0.002)
        first.freeze()
        held = memos(postgres)
        assert not archived(inbox)
        first.kill()
        second = worker(tmp_path, postgres, "second.log")
        wait(lambda: archived(inbox) == [book.name] and _settled(postgres, [book.name]), 90, "the second worker")
    finally:
        for p in (first, watch, second):
            if p is not None:
                p.stop()
    assert second.said("built") or second.said("duplicate")
    [entry] = files(postgres)  # one ledger entry, resumed, not a second one
    assert entry[1] == "built" and entry[2]
    rows = memos(postgres)
    assert [(r[1], r[3]) for r in rows] == [(1, "issued")]  # never a second memo
    # the serial the killed worker had reserved (for the same content) is the one issued
    assert [(r[1], r[2]) for r in held] == [(r[1], r[2]) for r in rows]
    folders = one_memo_one_letter(postgres, tmp_path / "out")
    assert len(folders) == 1
    assert not list((tmp_path / "out").rglob(".tmp-*"))  # what the killed build staged, swept once its lease ran out


def test_two_watchers_on_one_inbox_the_leader_killed_the_standby_takes_over(postgres, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    books = make_workbooks(tmp_path / "src", 8)
    one = worker(tmp_path, postgres, "worker.log", "--jobs", "2")
    leader = watcher(tmp_path, postgres, inbox, "a.log")
    standby = None
    try:
        wait(lambda: leader.said("watching"), 60, "the first watcher leading")
        standby = watcher(tmp_path, postgres, inbox, "b.log")
        wait(lambda: standby.said("standing by"), 60, "the second watcher standing by")
        for book in books[:4]:
            shutil.copy(book, inbox / book.name)
        wait(lambda: len(archived(inbox)) >= 1, 90, "the first files built")
        leader.kill()
        for book in books[4:]:
            shutil.copy(book, inbox / book.name)
        wait(lambda: standby.said("leading"), 60, "the standby taking over")
        wait(lambda: len(archived(inbox)) == 8 and _settled(postgres, [b.name for b in books]), 120, "every file")
    finally:
        for p in (one, leader, standby):
            if p is not None:
                p.stop()
    entries = files(postgres)
    assert sorted(r[0] for r in entries) == sorted(b.name for b in books)  # each file once: nothing built twice
    assert {r[1] for r in entries} == {"built"}
    assert sorted(r[1] for r in memos(postgres)) == list(range(1, 9))
    assert len(one_memo_one_letter(postgres, tmp_path / "out")) == 8
    assert not [p for p in inbox.iterdir() if p.suffix == ".xlsx"]


def test_a_file_waiting_in_the_queue_is_not_queued_twice(postgres, tmp_path):
    from generator.service import queue

    job = queue.FileJob(str(tmp_path / "inbox" / "a.xlsx"), str(tmp_path / "inbox"), str(tmp_path / "out"), "watch")
    with queue.Queue(postgres) as q:
        first = q.defer(job)
        assert first is not None and q.status(first) == "todo"
        assert q.defer(job) is None  # noticed again while it waits: still one job
        assert q.defer(queue.FileJob(str(tmp_path / "inbox" / "b.xlsx"), job.inbox, job.out_root, "watch")) is not None


def test_gen_worker_on_a_state_folder_says_it_needs_postgresql(tmp_path):
    import subprocess
    import sys

    from tests.support.processes import service_env

    done = subprocess.run([sys.executable, "-m", "generator.cli", "worker", "--state", str(tmp_path / "state"),
                           "--no-pdf"], capture_output=True, text=True, env=service_env(), timeout=60)
    assert done.returncode == 2 and "PostgreSQL" in done.stderr and "postgresql://" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_watcher_whose_session_is_ended_by_the_server_stands_again_and_goes_on(postgres, tmp_path):
    """The lead lives in a database session: when PostgreSQL ends it (a restart, a failover, an operator), the
    watcher notices at its next rescan, waits, stands again and leads; files dropped meanwhile are not lost."""
    from tests.support.queue import rows

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    books = make_workbooks(tmp_path / "src", 2)
    one, watch = worker(tmp_path, postgres), watcher(tmp_path, postgres, inbox)
    try:
        wait(lambda: watch.said("watching"), 60, "the watcher")
        rows(postgres, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'gen watch leader'")
        shutil.copy(books[0], inbox / books[0].name)
        wait(lambda: watch.said("trying again"), 60, "the watcher noticing")
        shutil.copy(books[1], inbox / books[1].name)
        wait(lambda: len(archived(inbox)) == 2 and _settled(postgres, [b.name for b in books]), 90, "both built")
    finally:
        one.stop()
        watch.stop()
    assert watch.proc.returncode == 0 and "Traceback" not in watch.log_path.read_text()
    assert sorted(r[1] for r in memos(postgres)) == [1, 2]


def test_a_retried_job_whose_file_moved_on_closes_the_entry_its_stopped_worker_left(postgres, tmp_path, monkeypatch):
    """A worker built a file, moved it to archive/ (or rejected/), and was killed before it closed the entry: the
    job's retry finds no file, and closes the entry as the register and the folders say, instead of leaving it
    `processing` (and a clerk's page saying "building") for ever."""
    from generator.records.ledger import Ledger
    from generator.records.owners import Owners
    from generator.records.register import Register
    from generator.records.state import resolve
    from generator.service.queue_worker import FileBuilder

    monkeypatch.setenv("GEN_STATE_DIR", str(tmp_path / "local"))
    state_dir = resolve(postgres)
    inbox = tmp_path / "inbox"
    built, refused = make_workbooks(tmp_path / "src", 2)
    (inbox / "archive" / "2026-12-06").mkdir(parents=True)
    (inbox / "rejected").mkdir()
    shutil.copy(built, inbox / "archive" / "2026-12-06" / built.name)
    shutil.copy(refused, inbox / "rejected" / refused.name)
    with Owners(state_dir) as owners:
        dead, me = owners.claim("worker", "a"), owners.claim("worker", "b")
        owners.end(dead)
    with Ledger(state_dir) as ledger, Register(state_dir) as register:
        first = ledger.start(built.name, "1" * 64, route="watch", owner=dead.id)
        second = ledger.start(refused.name, "2" * 64, route="watch", owner=dead.id)
        entry, _ = register.allocate("৪৬.০০.০০০০.০০০.০০.০০০.২৪", "c" * 64, source=built.name, kind="cc",
                                     office="অফিস", fiscal_year="2023-24", period="q1", submission=first,
                                     owner=dead.id)
        register.confirm(entry)
    worker = FileBuilder(state_dir, None, me.id, None)  # no pool: nothing is built, there is nothing to build
    worker(str(inbox / built.name), str(inbox), str(tmp_path / "out"), "watch")
    worker(str(inbox / refused.name), str(inbox), str(tmp_path / "out"), "watch")
    with Ledger(state_dir) as ledger:
        one, two = ledger.get(first), ledger.get(second)
    assert (one.status, one.memo) == ("built", "৪৬.০০.০০০০.০০০.০০.০০০.২৪-১")
    assert one.moved_to.endswith(f"archive/2026-12-06/{built.name}")
    assert two.status == "rejected" and two.moved_to.endswith(f"rejected/{refused.name}")


@contextlib.contextmanager
def _worker_and_watcher(tmp_path, postgres):
    """A `gen worker` and a `gen watch` on tmp_path/inbox, the watcher ready: (inbox, worker); both stopped after."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    one, watch = worker(tmp_path, postgres, "worker.log"), watcher(tmp_path, postgres, inbox)
    try:
        wait(lambda: watch.said("watching"), 60, "the watcher")
        yield inbox, one
    finally:
        for p in (one, watch):
            p.stop()


def _drop_one(tmp_path, inbox: Path) -> Path:
    [book] = make_workbooks(tmp_path / "src", 1)
    shutil.copy(book, inbox / book.name)
    return book


def _group(pgid: int) -> dict[int, int]:
    """{pid: parent pid} of the live processes of a process group."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found[int(stat.parent.name)] = int(fields[1])
    return found


def test_a_worker_killed_alone_leaves_no_orphan_to_finish_its_build(postgres, tmp_path):
    """Found by trying: kill -9 of a `gen worker` alone (as the OOM killer does) left its build running: the
    build's parent is the forkserver, which every build kept alive (CPython hands each child the pipe end that
    tells the forkserver its client is gone), so PR_SET_PDEATHSIG never fired and the orphan issued its serial and
    wrote its letter under a lease long run out. Now the forkserver exits with the worker, and the build with it."""
    import time

    with _worker_and_watcher(tmp_path, postgres) as (inbox, first):
        _drop_one(tmp_path, inbox)
        wait(lambda: memos(postgres), 60, "the worker reserving a serial", every=0.002)
        first.freeze()
        main = first.proc.pid
        others = _group(main)
        os.kill(main, signal.SIGKILL)
        first.proc.wait(10)
        servers = [pid for pid, parent in others.items() if parent == main and pid != main]
        for pid in servers:  # the forkserver first: it sees its client gone
            os.kill(pid, signal.SIGCONT)
        time.sleep(2)
        for pid in others:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        wait(lambda: not _group(main), 20, "the worker's processes gone")
        time.sleep(1)
        assert [r[3] for r in memos(postgres)] == ["reserved"]  # never issued by an orphan
        assert not list((tmp_path / "out").rglob("*-letter.docx"))


def test_an_entry_whose_closing_failed_once_is_closed_by_the_jobs_retry(postgres, tmp_path):
    """Found by trying: the database lost at the moment a worker closed its ledger entry (made certain here by a
    trigger that refuses the first closing) left the entry 'processing' for ever: the file was built and moved,
    and the job's retry closed only the entries of workers whose lease had run out, never its own worker's."""
    from tests.support.queue import rows

    rows(postgres, """CREATE SEQUENCE once;
        CREATE FUNCTION refuse_once() RETURNS trigger AS $$ BEGIN
          IF NEW.status <> 'processing' AND OLD.status = 'processing' AND nextval('once') = 1 THEN
            RAISE EXCEPTION 'the database lost while the entry was closed'; END IF;
          RETURN NEW; END $$ LANGUAGE plpgsql;
        CREATE TRIGGER refuse_once BEFORE UPDATE ON files FOR EACH ROW EXECUTE FUNCTION refuse_once();""")
    with _worker_and_watcher(tmp_path, postgres) as (inbox, _):
        book = _drop_one(tmp_path, inbox)
        wait(lambda: archived(inbox) == [book.name] and [f[1] for f in files(postgres)] == ["built"], 90,
             "the entry closed by the job's retry")
    [entry] = files(postgres)
    assert entry[2] and [(r[1], r[3]) for r in memos(postgres)] == [(1, "issued")]


def test_a_serial_adopted_for_content_that_now_prints_another_date_is_given_back(postgres, tmp_path, monkeypatch):
    """Found by trying: a worker killed after reserving, its job retried after midnight (issue_date blank: the
    letter now prints another date, so it is other content and takes a new serial); the serial the retry adopted
    from the dead worker stayed 'reserved' for ever. Now it is given back before the new content takes one, which
    takes that very serial (helper-49; before, it was voided once a later serial was issued)."""
    from generator.records import state
    from generator.records.ledger import Ledger
    from generator.records.owners import Lease
    from generator.records.register import Register
    from generator.service.builds import BuildPool
    from generator.service.queue_worker import FileBuilder
    from generator.service.workers import Limits
    from generator.xlsx.source import load
    from generator.spec.memo import register_prefix
    from tests.support.workbooks import MYMENSINGH

    monkeypatch.setenv("GEN_STATE_DIR", str(tmp_path / "local"))
    folder = state.resolve(postgres)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    [book] = make_workbooks(tmp_path / "src", 1)
    path = Path(shutil.copy(book, inbox / book.name))
    dead = "d" * 32  # a worker whose lease ran out (no live lease by that id)
    with Ledger(folder) as ledger:
        id = ledger.start(path.name, load(path).digest, route="watch", owner=dead)
    with Register(folder) as register:
        register.take(register_prefix(MYMENSINGH["memo_prefix"]), None, "the content as yesterday's date made it", source=path.name, kind="cc",
                      office="অফিস ০", fiscal_year="2022-23", period="q2", submission=id, owner=dead)
    with BuildPool(1, Limits()) as pool, Lease(folder, "worker", "test") as owner:
        FileBuilder(folder, pool, owner.id, None)(str(path), str(inbox), str(tmp_path / "out"), "watch")
    assert [(r[1], r[3]) for r in memos(postgres)] == [(1, "issued")]
    assert [f[1] for f in files(postgres)] == ["built"]


def test_a_name_that_is_not_utf8_is_renamed_queued_and_built(postgres, tmp_path):
    """helper-44: on PostgreSQL such a file never went into a job (UnicodeEncodeError and a traceback at every
    rescan) and stayed in the inbox for ever; on a state folder it was renamed and built. Now both alike."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (good,) = make_workbooks(tmp_path / "src", 1)
    build, watch = worker(tmp_path, postgres), watcher(tmp_path, postgres, inbox)
    try:
        wait(lambda: watch.said("watching"), what="the watcher up")
        os.rename(good, os.path.join(os.fsencode(inbox), b"report-\xff\xfe.xlsx"))
        wait(lambda: _settled(postgres, ["report-__.xlsx"]), what="renamed and built")
        assert archived(inbox) == ["report-__.xlsx"]
        assert not watch.said("Traceback") and watch.said("the name was not UTF-8")
    finally:
        watch.stop()
        build.stop()


def test_servers_starting_together_on_a_fresh_database_all_find_the_job_queue(postgres_cluster):
    """helper-44: two `gen serve` started together on a fresh database: one stopped with a traceback, 'type
    procrastinate_job_status already exists' (the second, let through the lock once the first had created the
    tables, did not see them yet). Every one of them now finds the queue made, by whichever was first."""
    import threading

    from generator.service import queue

    def one(url: str, start: threading.Barrier, errors: list) -> None:
        start.wait()
        try:
            queue.ensure_schema(url)
        except Exception as e:  # noqa: BLE001 (any failure is the test's finding)
            errors.append(e)

    for _ in range(3):
        url, start, errors = postgres_cluster.fresh(empty=True), threading.Barrier(6), []
        threads = [threading.Thread(target=one, args=(url, start, errors)) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []


def test_a_lock_held_on_the_jobs_table_bounds_a_deferral_by_the_busy_timeout(postgres, tmp_path, monkeypatch):
    """helper-44: psql holding LOCK TABLE procrastinate_jobs hung a clerk's upload for the whole hold (a minute);
    the job queue's connections had no lock timeout. Now it gives up as the register does: a StateError."""
    import time

    import psycopg

    from generator.records import state
    from generator.service import queue

    monkeypatch.setattr(state, "BUSY_TIMEOUT_S", 1.0)
    monkeypatch.setattr(queue, "BUSY_TIMEOUT_S", 1.0)
    job = queue.FileJob(str(tmp_path / "inbox" / "a.xlsx"), str(tmp_path / "inbox"), str(tmp_path / "out"), "web")
    import threading

    raised: list[BaseException] = []

    def defer() -> None:
        try:
            q.defer(job)
        except BaseException as e:  # noqa: BLE001 (what it raised is the test's finding)
            raised.append(e)

    with queue.Queue(postgres) as q, psycopg.connect(postgres) as holder:
        holder.execute("LOCK TABLE procrastinate_jobs IN ACCESS EXCLUSIVE MODE")
        began = time.monotonic()
        waiting = threading.Thread(target=defer, daemon=True)
        waiting.start()
        waiting.join(20)
        holder.rollback()  # let a deferral still waiting (without the limit) finish, so that nothing is left hanging
        waiting.join(20)
        assert raised and isinstance(raised[0], state.StateError) and time.monotonic() - began < 20


def test_a_worker_that_cannot_see_the_jobs_folder_says_so_and_leaves_the_job(postgres, tmp_path, monkeypatch, caplog):
    """helper-44: a worker on a machine where the inbox is mounted at another path took the job, found no file,
    and ended it without a word; the watcher queued the file again at every rescan, for ever, and nothing said
    why. Now it says so, and the job fails on it (to be retried by a worker that sees the folder)."""
    import logging

    from generator.records import state
    from generator.service.queue_worker import FileBuilder

    monkeypatch.setenv("GEN_STATE_DIR", str(tmp_path / "local"))
    elsewhere = tmp_path / "not-mounted-here" / "inbox"
    builder = FileBuilder(state.resolve(postgres), pool=None, owner="0" * 32, pdf=None)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="gen.worker"), pytest.raises(FileNotFoundError):
        builder(str(elsewhere / "f00.xlsx"), str(elsewhere), str(tmp_path / "out"), "watch")
    assert "f00.xlsx" in caplog.text and "not on this machine" in caplog.text
