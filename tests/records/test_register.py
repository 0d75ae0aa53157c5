"""The SQLite memo register: serials per prefix, same content same number, no duplicates or gaps across processes."""

import multiprocessing as mp
import sqlite3
from pathlib import Path

import pytest

from generator.records.register import Entry, Register, SerialTaken
from generator.records.state import FILE_NAME, SCHEMA_VERSION, default_state_dir

P = "৪৬.১১.১৬০০.০০১.১৮.০৪১.২৩"
Q = "কেসিসি/সেঃবিঃ/সাঃপ্রঃশাঃ/III-২২৩(অঃকঃসঃ/২)/২২"
OFFICE = "চট্টগ্রাম সিটি কর্পোরেশন"
META = dict(source="a.xlsx", kind="cc", office=OFFICE, fiscal_year="2023-24", period="q1")


def test_first_serial_is_one_and_prefixes_count_independently(tmp_path):
    with Register(tmp_path) as reg:
        assert [reg.allocate(P, f"h{i}", **META)[0].serial for i in range(3)] == [1, 2, 3]
        assert [reg.allocate(Q, f"h{i}", **META)[0].serial for i in range(2)] == [1, 2]
        assert reg.allocate(P, "h9", **META)[0].serial == 4


def test_same_content_keeps_its_serial(tmp_path):
    with Register(tmp_path) as reg:
        first, reused = reg.allocate(P, "h", **META)
        again, reused_again = reg.allocate(P, "h", **dict(META, source="renamed.xlsx"))
        other, _ = reg.allocate(P, "other", **META)
    assert (first.serial, reused, reused_again, other.serial) == (1, False, True, 2)
    assert again == first


def test_same_content_under_another_prefix_is_a_new_letter(tmp_path):
    with Register(tmp_path) as reg:
        reg.allocate(P, "h", **META)
        reg.allocate(P, "g", **META)
        entry, reused = reg.allocate(Q, "h", **META)
    assert (entry.prefix, entry.serial, reused) == (Q, 1, False)


def test_explicit_serial_then_allocation_continues_above(tmp_path):
    with Register(tmp_path) as reg:
        reg.allocate(P, "a", **META)
        entry, reused = reg.record(P, 192, "seed", **META)
        assert (entry.serial, entry.explicit, reused) == (192, True, False)
        assert reg.record(P, 192, "seed", **META) == (entry, True)
        allocated, _ = reg.allocate(P, "new", **META)
        assert (allocated.serial, allocated.explicit) == (193, False)
        # A typed serial below the highest does not pull allocation back down.
        reg.record(P, 50, "low", **META)
        assert reg.allocate(P, "newer", **META)[0].serial == 194


def test_taken_serial_names_the_other_letter(tmp_path):
    with Register(tmp_path) as reg:
        first, _ = reg.record(P, 5, "one", **META)
        with pytest.raises(SerialTaken) as taken:
            reg.record(P, 5, "two", **dict(META, source="b.xlsx"))
        assert taken.value.entry == first
        assert "a.xlsx" in str(taken.value)
        assert [e.content_hash for e in reg.entries()] == ["one"]
        assert reg.record(Q, 5, "two", **META)[0].serial == 5


def test_entries_in_issue_order_and_filtered_by_prefix(tmp_path):
    with Register(tmp_path) as reg:
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


def test_entry_fields_and_bangla_text_round_trip(tmp_path):
    meta = dict(source="প্রতিবেদন ১ম.xlsx", kind="cc", office=OFFICE, fiscal_year="২০২৩-২৪", period="q1")
    with Register(tmp_path) as reg:
        made, _ = reg.allocate(Q, "hash", **meta)
    with Register(tmp_path) as reg:
        (stored,) = reg.entries(prefix=Q)
    assert stored == made == Entry(Q, 1, "hash", *meta.values(), issued_at=made.issued_at, explicit=False,
                                   state="reserved")
    assert stored.issued_at.endswith("+00:00")


def test_register_persists_across_instances(tmp_path):
    with Register(tmp_path) as reg:
        reg.allocate(P, "a", **META)
        reg.record(P, 10, "b", **META)
    with Register(tmp_path) as reg:
        assert reg.allocate(P, "a", **META)[0].serial == 1
        assert reg.allocate(P, "c", **META)[0].serial == 11
    with Register(tmp_path) as reg:
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


def _allocate_many(state: Path, worker: int, n: int, start, results) -> None:
    start.wait()
    with Register(state) as reg:
        results.put([reg.allocate(P, f"w{worker}-{i}", **META)[0].serial for i in range(n)])


def test_processes_never_share_or_skip_a_serial(tmp_path):
    workers, each = 4, 25
    ctx = mp.get_context("spawn")
    # All workers open the fresh register together, so schema creation races too.
    start, results = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=_allocate_many, args=(tmp_path, w, each, start, results)) for w in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * workers
    got = [results.get(timeout=10) for _ in procs]
    assert all(len(r) == each and r == sorted(r) for r in got)
    assert sorted(s for r in got for s in r) == list(range(1, workers * each + 1))
    with Register(tmp_path) as reg:
        assert sorted(e.serial for e in reg.entries(prefix=P)) == list(range(1, workers * each + 1))
