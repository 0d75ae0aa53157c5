"""The SQLite memo register: serials per prefix, same content same number, no duplicates across processes."""

import multiprocessing as mp

import pytest

from generator.register import Register, SerialTaken, default_state_dir

META = dict(source="a.xlsx", kind="cc", office="চট্টগ্রাম সিটি কর্পোরেশন", fiscal_year="2023-24", period="q1")
P = "৪৬.১১.১৬০০.০০১.১৮.০৪১.২৩"


def test_serials_count_up_per_prefix(tmp_path):
    with Register(tmp_path) as reg:
        assert [reg.allocate(P, f"h{i}", **META)[0].serial for i in range(3)] == [1, 2, 3]
        assert reg.allocate("other", "h0", **META)[0].serial == 1


def test_same_content_same_serial(tmp_path):
    with Register(tmp_path) as reg:
        first, reused = reg.allocate(P, "h", **META)
        again, reused_again = reg.allocate(P, "h", **META)
    assert (first.serial, reused, again.serial, reused_again) == (1, False, 1, True)


def test_explicit_serial_then_allocation_continues_above(tmp_path):
    with Register(tmp_path) as reg:
        entry, reused = reg.record(P, 192, "seed", **META)
        assert entry.explicit and not reused
        assert reg.record(P, 192, "seed", **META)[1] is True
        assert reg.allocate(P, "new", **META)[0].serial == 193


def test_taken_serial_names_the_other_letter(tmp_path):
    with Register(tmp_path) as reg:
        reg.record(P, 5, "one", **META)
        with pytest.raises(SerialTaken) as taken:
            reg.record(P, 5, "two", **dict(META, source="b.xlsx"))
    assert taken.value.entry.source == "a.xlsx" and taken.value.entry.serial == 5


def test_entries_persist_and_filter(tmp_path):
    with Register(tmp_path) as reg:
        reg.allocate(P, "x", **META)
        reg.allocate("other", "y", **META)
    with Register(tmp_path) as reg:
        assert len(reg.entries()) == 2
        (only,) = reg.entries(prefix=P)
    assert only.prefix == P and only.office == "চট্টগ্রাম সিটি কর্পোরেশন"


def test_default_state_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("GEN_STATE_DIR", str(tmp_path / "a"))
    assert default_state_dir() == tmp_path / "a"
    monkeypatch.delenv("GEN_STATE_DIR")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "x"))
    assert default_state_dir() == tmp_path / "x" / "gen"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_state_dir() == tmp_path / "home" / ".local" / "state" / "gen"


def _allocate_many(state, worker, n):
    with Register(state) as reg:
        return [reg.allocate(P, f"w{worker}-{i}", **META)[0].serial for i in range(n)]


def test_processes_never_share_a_serial(tmp_path):
    ctx = mp.get_context("spawn")
    with ctx.Pool(4) as pool:
        results = pool.starmap(_allocate_many, [(tmp_path, w, 25) for w in range(4)])
    serials = sorted(s for r in results for s in r)
    assert serials == list(range(1, 101))
