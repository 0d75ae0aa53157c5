"""The memo register on both backends (SQLite, PostgreSQL): serials per prefix, same content same number, no
duplicates or gaps across processes, a serial given back only by its owner, leases judged by the database's clock."""

import multiprocessing as mp
import sqlite3
import time
from dataclasses import replace
from pathlib import Path

import pytest

from generator.records import state
from generator.records.register import Entry, MemoConflict, Register, SerialTaken
from generator.records.store import VersionConflict
from generator.records.state import FILE_NAME, PG_SCHEMA_VERSION, SCHEMA_VERSION, StateError, default_state_dir, resolve

P = "৪৬.১১.১৬০০.০০১.১৮.০৪১.২৩"
Q = "কেসিসি/সেঃবিঃ/সাঃপ্রঃশাঃ/III-২২৩(অঃকঃসঃ/২)/২২"
OFFICE = "চট্টগ্রাম সিটি কর্পোরেশন"
META = dict(source="a.xlsx", kind="cc", office=OFFICE, fiscal_year="2023-24", period="q1")


def test_first_serial_is_one_and_prefixes_count_independently(backend):
    with Register(backend) as reg:
        assert [reg.allocate(P, f"h{i}", **META)[0].serial for i in range(3)] == [1, 2, 3]
        assert [reg.allocate(Q, f"h{i}", **META)[0].serial for i in range(2)] == [1, 2]
        assert reg.allocate(P, "h9", **META)[0].serial == 4


def test_same_content_keeps_its_serial(backend):
    with Register(backend) as reg:
        first, reused = reg.allocate(P, "h", **META)
        again, reused_again = reg.allocate(P, "h", **dict(META, source="renamed.xlsx"))
        other, _ = reg.allocate(P, "other", **META)
    assert (first.serial, reused, reused_again, other.serial) == (1, False, True, 2)
    assert again == first


def test_same_content_under_another_prefix_is_a_new_letter(backend):
    with Register(backend) as reg:
        reg.allocate(P, "h", **META)
        reg.allocate(P, "g", **META)
        entry, reused = reg.allocate(Q, "h", **META)
    assert (entry.prefix, entry.serial, reused) == (Q, 1, False)


def test_explicit_serial_then_allocation_continues_above(backend):
    with Register(backend) as reg:
        reg.allocate(P, "a", **META)
        entry, reused = reg.record(P, 192, "seed", **META)
        assert (entry.serial, entry.explicit, reused) == (192, True, False)
        assert reg.record(P, 192, "seed", **META) == (entry, True)
        allocated, _ = reg.allocate(P, "new", **META)
        assert (allocated.serial, allocated.explicit) == (193, False)
        # A typed serial below the highest does not pull allocation back down.
        reg.record(P, 50, "low", **META)
        assert reg.allocate(P, "newer", **META)[0].serial == 194


def test_taken_serial_names_the_other_letter(backend):
    with Register(backend) as reg:
        first, _ = reg.record(P, 5, "one", **META)
        with pytest.raises(SerialTaken) as taken:
            reg.record(P, 5, "two", **dict(META, source="b.xlsx"))
        assert taken.value.entry == first
        assert "a.xlsx" in str(taken.value)
        assert [e.content_hash for e in reg.entries()] == ["one"]
        assert reg.record(Q, 5, "two", **META)[0].serial == 5


def test_entries_in_issue_order_and_filtered_by_prefix(backend):
    with Register(backend) as reg:
        assert reg.entries() == []
        reg.allocate(P, "x", **META)
        reg.allocate(Q, "y", **META)
        reg.record(P, 7, "z", **META)
        reg.allocate(P, "w", **META)
        listed = reg.entries()
        assert [(e.prefix, e.serial) for e in listed] == [(P, 1), (Q, 1), (P, 7), (P, 8)]
        assert [e.issued_at for e in listed] == sorted(e.issued_at for e in listed)
        assert [e.serial for e in reg.entries(prefix=P)] == [1, 7, 8]
        assert reg.entries(prefix="nothing") == []


def test_entry_fields_and_bangla_text_round_trip(backend):
    meta = dict(source="প্রতিবেদন ১ম.xlsx", kind="cc", office=OFFICE, fiscal_year="২০২৩-২৪", period="q1")
    with Register(backend) as reg:
        made, _ = reg.allocate(Q, "hash", **meta)
    with Register(backend) as reg:
        (stored,) = reg.entries(prefix=Q)
    assert stored == made == Entry(Q, 1, "hash", *meta.values(), issued_at=made.issued_at, explicit=False,
                                   state="reserved")
    assert stored.issued_at.endswith("+00:00")


def test_register_persists_across_instances(backend):
    with Register(backend) as reg:
        reg.allocate(P, "a", **META)
        reg.record(P, 10, "b", **META)
    with Register(backend) as reg:
        assert reg.allocate(P, "a", **META)[0].serial == 1
        assert reg.allocate(P, "c", **META)[0].serial == 11
    with Register(backend) as reg:
        assert [e.serial for e in reg.entries()] == [1, 10, 11]


def test_creates_state_dir_with_wal_and_schema_version(tmp_path):
    state = tmp_path / "deep" / "state"
    Register(state).close()
    db = sqlite3.connect(state / FILE_NAME)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        row = (P, 1, "h", "a.xlsx", "cc", OFFICE, "2023-24", "q1", "2024-01-01T00:00:00+00:00", 0)
        insert = ("INSERT INTO memos (prefix, serial, content_hash, source, kind, office, fiscal_year, period, "
                  "issued_at, explicit) VALUES (?,?,?,?,?,?,?,?,?,?)")
        db.execute(insert, row)
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(insert, row[:2] + ("other",) + row[3:])
    finally:
        db.close()


def test_default_state_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("GEN_STATE", raising=False)
    monkeypatch.setenv("GEN_STATE_DIR", str(tmp_path / "a"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "x"))
    assert default_state_dir() == tmp_path / "a"
    monkeypatch.delenv("GEN_STATE_DIR")
    assert default_state_dir() == tmp_path / "x" / "gen"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", "relative/ignored")
    assert default_state_dir() == tmp_path / "home" / ".local" / "state" / "gen"
    monkeypatch.delenv("XDG_STATE_HOME")
    assert default_state_dir() == tmp_path / "home" / ".local" / "state" / "gen"


def test_a_postgresql_state_is_a_local_folder_naming_its_database(monkeypatch, tmp_path):
    """--state URL and $GEN_STATE: the register is in the database; the local folder that the rest of the program
    is handed (locks, uploads) names it in its `database` file, readable by this user only, password and all."""
    monkeypatch.setenv("GEN_STATE_DIR", str(tmp_path / "local"))
    url = "postgresql://gen:secret@db.example:5432/register"
    folder = resolve(url)
    assert folder.parent == tmp_path / "local" / "postgresql" and (folder / "database").read_text().strip() == url
    assert (folder / "database").stat().st_mode & 0o077 == 0
    assert state.database_url(folder) == url and state.database_url(url) == url
    assert state.database_url(tmp_path / "sqlite") is None and resolve(str(tmp_path / "d")) == tmp_path / "d"
    monkeypatch.setenv("GEN_STATE", url)
    assert default_state_dir() == folder and resolve(None) == folder
    monkeypatch.setenv("GEN_STATE", str(tmp_path / "plain"))
    assert default_state_dir() == tmp_path / "plain"
    assert "secret" not in state.shown(url) and state.shown(url).startswith("postgresql://gen:***@db.example")
    # A URL made into a Path lost a slash: refused, never taken for a SQLite folder of that name.
    with pytest.raises(StateError, match="turned into a folder path"):
        Register(Path(url))
    (folder / FILE_NAME).touch()
    with pytest.raises(StateError, match="both"):
        state.database_url(folder)


def test_processes_starting_together_on_one_postgresql_state_all_find_its_local_folder(monkeypatch, tmp_path):
    """Before: each wrote the folder's `database` file through one temporary name, and all but the first to
    rename it failed with 'No such file or directory' (a `gen worker` and a `gen watch` started together)."""
    import concurrent.futures
    import multiprocessing as mp

    monkeypatch.setenv("GEN_STATE_DIR", str(tmp_path / "local"))
    with concurrent.futures.ProcessPoolExecutor(6, mp_context=mp.get_context("fork")) as pool:
        found = list(pool.map(resolve, ["postgresql://gen@db.example/one"] * 24))
    assert len(set(found)) == 1 and (found[0] / "database").read_text().strip() == "postgresql://gen@db.example/one"
    assert not list(found[0].glob(".*.tmp"))


def _allocate_many(state: str | Path, worker: int, n: int, start, results) -> None:
    start.wait()
    with Register(state) as reg:
        results.put([reg.allocate(P, f"w{worker}-{i}", **META)[0].serial for i in range(n)])


def test_processes_never_share_or_skip_a_serial(backend, request):
    """All workers open a fresh register together, so the schema's creation (SQLite's migrations under its write
    lock, PostgreSQL's under an advisory lock, in a database without tables) races too."""
    workers, each = 4, 25
    target = request.getfixturevalue("postgres_cluster").fresh(empty=True) if isinstance(backend, str) else backend
    ctx = mp.get_context("spawn")
    start, results = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=_allocate_many, args=(target, w, each, start, results)) for w in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * workers
    got = [results.get(timeout=10) for _ in procs]
    assert all(len(r) == each and r == sorted(r) for r in got)
    assert sorted(s for r in got for s in r) == list(range(1, workers * each + 1))
    with Register(target) as reg:
        assert sorted(e.serial for e in reg.entries(prefix=P)) == list(range(1, workers * each + 1))


def _gather(procs, results, *, timeout: float) -> list:
    """Each process's result; fails at once when one of them died without giving one."""
    import queue

    got, deadline = [], time.monotonic() + timeout
    while len(got) < len(procs):
        try:
            got.append(results.get(timeout=0.5))
        except queue.Empty:
            dead = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
            assert not dead and time.monotonic() < deadline, f"worker exit codes {[p.exitcode for p in procs]}"
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0] * len(procs)
    return got


class GiveBack(Exception):
    """A build that failed after its serial was reserved: the serial goes back to the register."""


PREFIXES = (P, Q, "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২")


def _allocate_and_give_back(state: str | Path, worker: int, n: int, start, results) -> None:
    """As a build does: reserve through `reserved`, confirm, or (one time in ten) fail and give it back."""
    from generator.records.owners import Owners

    with Owners(state) as owners:
        me = owners.claim("build", f"worker {worker}")
    start.wait()
    issued, given = [], []
    with Register(state) as reg:
        for i in range(n):
            prefix = PREFIXES[(worker + i) % len(PREFIXES)]
            try:
                with reg.reserved(prefix, None, f"w{worker}-{i}", owner=me.id, **META) as held:
                    if (worker * n + i) % 10 == 0:
                        raise GiveBack
                issued.append((prefix, held.entry.serial, f"w{worker}-{i}"))
            except GiveBack:
                given.append(f"w{worker}-{i}")
    results.put((issued, given))


def test_six_processes_allocating_and_giving_back_leave_every_prefix_gap_free(backend):
    """6 processes × 150 serials over three prefixes, one in ten given back (released when it was the last,
    else voided): every prefix's serials are exactly 1..max, each once, none left reserved; each confirmed
    content has its serial, and no content given back is issued."""
    workers, each = 6, 150
    ctx = mp.get_context("spawn")
    start, results = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=_allocate_and_give_back, args=(backend, w, each, start, results))
             for w in range(workers)]
    for p in procs:
        p.start()
    got = _gather(procs, results, timeout=300)
    issued = {(prefix, serial): content for r in got for prefix, serial, content in r[0]}
    given = {content for r in got for content in r[1]}
    assert len(issued) == workers * each * 9 // 10 and len(given) == workers * each // 10
    with Register(backend) as reg:
        entries = reg.entries()
    for prefix in PREFIXES:
        serials = sorted(e.serial for e in entries if e.prefix == prefix)
        assert serials == list(range(1, len(serials) + 1)), prefix
    assert [e for e in entries if e.state == "reserved"] == []
    assert {(e.prefix, e.serial): e.content_hash for e in entries if e.state == "issued"} == issued
    assert {e.content_hash for e in entries if e.state == "void"} <= given


def test_an_expired_lease_is_taken_over_by_the_database_clock(backend):
    """A build whose owner went silent: while its lease runs (by the database's clock) nobody touches its ledger
    entry or its reserved serial; once it has run out, another owner takes both over and gives the serial back."""
    from generator.records.ledger import Ledger
    from generator.records.owners import Owners

    with Owners(backend) as owners:
        gone, heir = owners.claim("watch", "inbox"), owners.claim("watch", "inbox")
        owners._db.execute(f"UPDATE owners SET lease_until = {owners._db.NOW} + 1.5 WHERE id = ?", (gone.id,))
    with Ledger(backend) as ledger, Register(backend) as reg:
        id = ledger.start("a.xlsx", "h", owner=gone.id)
        entry, _ = reg.allocate(P, "h", submission=id, owner=gone.id, **META)
        assert reg.take_over([id], heir.id) == []  # its owner is alive: nothing is given back
        assert ledger.orphans("watch") == [] and [r.id for r in ledger.in_other_hands("watch", "inbox", heir.id)] == [id]
        assert ledger.start("a.xlsx", "h", owner=heir.id) != id  # a live owner's entry is not taken
        time.sleep(2)
        with Owners(backend) as owners:
            assert not owners.alive(gone.id) and owners.alive(heir.id)
        assert [r.id for r in ledger.orphans("watch", "inbox")] == [id]
        assert reg.take_over([id], heir.id) == [(replace(entry, owner=heir.id), "released")]
        assert reg.entries() == [] and reg.allocate(P, "next", **META)[0].serial == 1


def test_only_the_owner_gives_a_serial_back(backend):
    with Register(backend) as reg:
        mine, _ = reg.allocate(P, "a", owner="me", **META)
        later, _ = reg.allocate(P, "b", owner="me", **META)
        assert reg.release(replace(mine, owner="someone else")) is None
        assert reg.release_submission(0, owner="someone else") == []
        assert reg.release(mine) == "void"  # a later serial exists: it stays, void, so no gap opens
        assert reg.release(later) == "released"
        assert [(e.serial, e.state) for e in reg.entries()] == [(1, "void")]
        assert reg.allocate(P, "c", **META)[0].serial == 2


def test_a_serial_confirmed_for_other_content_is_a_conflict(backend):
    from generator.records.register import MemoConflict

    with Register(backend) as reg:
        entry, _ = reg.allocate(P, "a", owner="me", **META)
        assert reg.release(entry) == "released"
        other, _ = reg.allocate(P, "b", owner="other", **META)
        with pytest.raises(MemoConflict) as conflict:
            reg.confirm(entry)
        reg.confirm(other)
        assert [(e.serial, e.content_hash, e.state) for e in reg.entries()] == [(1, "b", "issued")]
    assert f"স্মারক {P}-১ " in conflict.value.bn  # as the letter would print it (a hostile run saw '…-1')


def test_postgresql_schema_has_the_unique_guard_and_no_sequence_for_serials(postgres):
    import psycopg

    with Register(postgres) as reg:
        reg.allocate(P, "a", **META)
    with psycopg.connect(postgres, autocommit=True) as conn:
        assert conn.execute("SELECT version FROM gen_schema").fetchone()[0] == PG_SCHEMA_VERSION
        assert conn.execute("SELECT prefix_key FROM memo_counters").fetchall() == [(P,)]
        sequences = conn.execute("SELECT sequencename FROM pg_sequences "
                                 "WHERE sequencename NOT LIKE 'procrastinate%'").fetchall()  # the job queue's ids
        assert sequences == [("files_id_seq",)]  # the ledger's ids only; serials never come from a sequence
        row = (P, 1, "other", "b.xlsx", "cc", OFFICE, "2023-24", "q1", "2024-01-01T00:00:00+00:00", 0)
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO memos (prefix, serial, content_hash, source, kind, office, fiscal_year, period, "
                         "issued_at, explicit) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", row)


def _hold_the_register_then_freeze(url: str, holding) -> None:
    import os
    import signal

    from generator.records import db

    database = db.connect(url)
    with database.transaction():
        database.lock_prefix(P)
        holding.set()
        os.kill(os.getpid(), signal.SIGSTOP)  # frozen while holding the prefix's row lock


def test_a_frozen_process_holding_the_register_is_cut_off(postgres, monkeypatch):
    """A process stopped (SIGSTOP) inside a transaction that holds a prefix's lock: PostgreSQL ends its session
    after idle_in_transaction_session_timeout (3 s here), and the others allocate again."""
    import signal

    import psycopg

    monkeypatch.setenv("GEN_STATE_IDLE_TIMEOUT", "3")  # read by the frozen child
    ctx = mp.get_context("spawn")
    holding = ctx.Event()
    frozen = ctx.Process(target=_hold_the_register_then_freeze, args=(postgres, holding))
    frozen.start()
    try:
        assert holding.wait(60)
        started = time.monotonic()
        with psycopg.connect(postgres, autocommit=True) as conn, pytest.raises(psycopg.errors.LockNotAvailable):
            conn.execute("BEGIN; SET LOCAL lock_timeout = 200")
            # held, really (a new prefix: its counter row is not committed yet, so its insertion waits)
            conn.execute("INSERT INTO memo_counters (prefix_key) VALUES (%s) ON CONFLICT DO NOTHING", (P,))
        with Register(postgres) as reg:
            assert reg.allocate(P, "a", **META)[0].serial == 1
        assert 1 < time.monotonic() - started < 10
    finally:
        frozen.kill()
        frozen.join(10)
    assert frozen.exitcode == -signal.SIGKILL


def test_a_stale_build_never_voids_the_serial_its_register_gave_another_letter(tmp_path):
    """Found by trying: a build stopped past its lease (SIGSTOP, an orphan) had its serial given back and issued
    to a corrected letter; resumed, it found that letter's folder under the memo, set `void` and voided the other
    letter's issued serial: the corrected letter then got a second memo. Now a void is fenced as a release is:
    the stale build stops with memo-conflict and the other letter's serial stays issued."""
    state = tmp_path / "state"
    with Register(state) as stale, Register(state) as other:
        with pytest.raises(MemoConflict):
            with stale.reserved(P, None, "withdrawn", **META, owner="a" * 32) as held:
                assert held.entry.serial == 1
                with other._db.transaction():  # given back by a takeover once its lease ran out
                    other._db.execute("DELETE FROM memos WHERE serial = 1")
                with other.reserved(P, None, "corrected", **META, owner="b" * 32) as fresh:
                    assert fresh.entry.serial == 1
                held.void = True  # the stale build finds the corrected letter's folder under …-১
                raise VersionConflict(tmp_path / "out", "…-১")
        assert [(e.serial, e.content_hash, e.state) for e in other.entries()] == [(1, "corrected", "issued")]
