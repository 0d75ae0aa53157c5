"""The watcher in this process, its files on a real folder: a file dropped under the name of one it has just
handled is another file, looked at at once, not left for the next rescan (30 s)."""

import os
import threading
from pathlib import Path

from generator.service.builds import BuildPool
from generator.service.watch import Watcher


def _same_size_and_time(path: Path, like: Path, data: bytes) -> None:
    """`data` (as long as `like`'s) at `path`, with `like`'s modification time: as a move of a copy keeps it."""
    assert len(data) == like.stat().st_size
    path.write_bytes(data)
    st = like.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def _ready(w: Watcher) -> list[Path]:
    """What the watcher would hand on now: a first look notes each file's size and time, the next finds them
    steady (settle 0)."""
    w.ready()
    return w.ready()


def test_a_file_dropped_where_one_was_left_in_the_inbox_is_looked_at(tmp_path):
    inbox, unusable = tmp_path / "inbox", tmp_path / "state"
    inbox.mkdir()
    unusable.write_text("a file, not a folder: the state cannot be used, so a workbook stays in the inbox")
    w = Watcher(inbox, tmp_path / "out", unusable, settle=0, give_up=0)
    with BuildPool(1) as w.pool:
        left = inbox / "report.xlsx"
        left.write_bytes(b"PK\x03\x04 first")
        w.notice(left)
        assert _ready(w) == [left]
        w.handle(left)
        assert left.exists()
        w.notice(left)  # its own reading raised an event: the file left is not tried again before the rescan
        assert _ready(w) == []
        other = tmp_path / "report.xlsx"
        _same_size_and_time(other, left, b"PK\x03\x04 other")
        os.replace(other, left)
        w.notice(left)
        assert _ready(w) == [left]


def test_a_file_dropped_under_the_name_of_one_just_moved_is_built_at_once(tmp_path):
    """The second file arrives while the first is still being handled (its report written, its entry closed),
    as a clerk sends a corrected copy the moment the first is refused."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    w = Watcher(inbox, tmp_path / "out", tmp_path / "state", settle=0, give_up=0)
    first, second = inbox / "report.xlsx", tmp_path / "report.xlsx"
    first.write_bytes(b"not a zip")
    _same_size_and_time(second, first, b"also nope")

    def drop_when_moved():
        while first.exists():
            pass
        os.replace(second, first)

    with BuildPool(1) as w.pool:
        w.notice(first)
        assert _ready(w) == [first]
        dropper = threading.Thread(target=drop_when_moved)
        dropper.start()
        w.handle(first)
        dropper.join(timeout=10)
        w.notice(first)  # the observer's event for the drop, whenever it came
        assert _ready(w) == [first]
        w.handle(first)
    rejected = sorted(p.name for p in (inbox / "rejected").iterdir())
    assert rejected == ["report (2).errors.txt", "report (2).xlsx", "report.errors.txt", "report.xlsx"]


def test_a_file_dropped_as_the_handled_one_is_moved_goes_back_to_the_inbox(tmp_path):
    """Found by a hostile run (helper-38, 9 of 200 tries; 25 of 60 on the duplicate path): a corrected copy
    dropped under the name just after the first was built, just before its move, was what the move took: it went
    to archive/ unbuilt, under the first one's ledger entry, and the first one's bytes were nowhere. Now the
    bytes handled are archived from memory and the new file is put back, to be built as it comes."""
    from generator.service import intake
    from generator.xlsx.source import load

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = inbox / "a.xlsx"
    path.write_bytes(b"the bytes built")
    source = load(path)
    _same_size_and_time(tmp_path / "a.xlsx", path, b"a corrected!!!!")
    os.replace(tmp_path / "a.xlsx", path)
    moved, why = intake._move_handled(path, inbox, "archive", source)
    assert moved is not None and moved.read_bytes() == b"the bytes built" and why == intake.REPLACED
    assert path.read_bytes() == b"a corrected!!!!"  # back in the inbox
    assert [p.name for p in moved.parent.iterdir()] == ["a.xlsx"]
    # the same file moved: no second look needed, nothing put back
    again = load(path)
    moved, why = intake._move_handled(path, inbox, "archive", again)
    assert moved is not None and moved.read_bytes() == b"a corrected!!!!" and why is None and not path.exists()


def test_a_file_saved_over_while_it_waits_its_turn_settles_again(tmp_path):
    """Found by a hostile run: of 50 files found ready at once, one rewritten in place while the earlier ones
    were built was read half-written when its turn came (rejected as damaged, the whole workbook then finished
    inside rejected/, never built). It is looked at again and settles first."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    w = Watcher(inbox, tmp_path / "out", tmp_path / "state", settle=0, give_up=0)
    waiting = inbox / "f30.xlsx"
    waiting.write_bytes(b"PK\x03\x04 a workbook")
    w.notice(waiting)
    assert _ready(w) == [waiting]
    with open(waiting, "ab") as f:  # saved over in place, as a slow copy writes
        f.write(b" being rewritten")
    assert not w.still_steady(waiting)  # not handled now
    assert _ready(w) == [waiting]  # it settles again
    assert w.still_steady(waiting)


def test_a_rejected_workbooks_reports_are_named_after_it_whole(tmp_path):
    """Found by a hostile run: a clerk's own 'X.errors.txt' in rejected/ made X.xlsx's report 'X.errors (2).txt'
    beside the clerk's file, which then read as X's report; a long name's second file got '…ক (2).xlsx' with
    reports '…ক.err (2).txt'. A rejected workbook now takes a name whose reports are free too, and a report's
    suffix is never cut."""
    from generator.service import intake

    inbox = tmp_path / "inbox"
    (inbox / "rejected").mkdir(parents=True)
    (inbox / "rejected" / "X.errors.txt").write_text("the clerk's own note")
    moved = intake._destination(inbox, "rejected", "X.xlsx")
    assert moved.name == "X (2).xlsx"
    assert intake._beside(moved, moved.stem, ".errors.txt", b"report").name == "X (2).errors.txt"
    long = "ক" * 83 + ".xlsx"  # 254 bytes
    for n in (1, 2):
        moved = intake._destination(inbox, "rejected", long)
        moved.write_bytes(b"workbook")
        names = [intake._beside(moved, moved.stem, suffix, b"r").name for suffix in intake.REPORT_SUFFIXES]
        mark = " (2)" if n == 2 else ""
        assert moved.name.endswith(f"ক{mark}.xlsx") and len(moved.name.encode()) <= 255
        assert names == [moved.stem + ".errors.txt", moved.stem + ".annotated.xlsx"]
        assert all(len(name.encode()) <= 255 for name in names)


def test_after_a_killed_watcher_new_files_are_built_while_its_own_wait_for_its_lease(tmp_path):
    """Found by a hostile run: after `kill -9` and a restart, every file dropped waited (25 s) for the killed
    watcher's lease to run out, not only the one it held. Now only that one waits; it is resumed after."""
    import shutil

    from generator.records.ledger import Ledger
    from generator.records.owners import Owners
    from generator.xlsx.source import load
    from tests.support.processes import Watch
    from tests.support.state import ledger
    from tests.support.workbooks import make_workbooks

    held, new = make_workbooks(tmp_path / "src", 2)
    inbox, state = tmp_path / "inbox", tmp_path / "state"
    inbox.mkdir()
    with Owners(state) as owners:  # the killed watcher: its lease still running (8 s more), its file in hand
        killed = owners.claim("watch", str(inbox.resolve()))
        owners._db.execute("UPDATE owners SET lease_until = (julianday('now') - 2440587.5) * 86400.0 + 8 "
                           "WHERE id = ?", (killed.id,))
    shutil.copy(held, inbox / held.name)
    with Ledger(state) as book:
        book.start(held.name, load(inbox / held.name).digest, route="watch", owner=killed.id)
    w = Watch(tmp_path)
    try:
        shutil.copy(new, tmp_path / "new.part")
        os.replace(tmp_path / "new.part", inbox / new.name)
        w.wait(lambda: [r[1] for r in ledger(state) if r[0] == new.name] == ["built"], timeout=60, what="the new one")
        rows = {r[0]: r[1] for r in ledger(state)}
        assert rows[held.name] == "processing" and (inbox / held.name).exists()  # still the killed watcher's
        w.wait(lambda: {r[0]: r[1] for r in ledger(state)}[held.name] == "built", timeout=60, what="resumed")
        assert "other files are handled meanwhile" in (tmp_path / "watch.log").read_text()
    finally:
        w.stop()


def test_a_save_in_place_of_the_same_size_and_time_is_still_a_change(tmp_path):
    """Found by a re-attack (30 of 30 tries): a workbook rewritten in place while it was built, same size, its
    modification time set back (as a share with coarse times may leave it), was archived unbuilt under the first
    one's entry; the first one's bytes were nowhere. The change time is compared too."""
    import time

    from generator.service.watch import identity
    from generator.xlsx.source import load, unchanged

    path = tmp_path / "a.xlsx"
    path.write_bytes(b"the first workbook")
    source, before = load(path), identity(path)
    st = path.stat()
    time.sleep(0.05)  # the kernel's file clock ticks in milliseconds
    with open(path, "r+b") as f:
        f.write(b"another workbook!!")
        f.truncate()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    assert not unchanged(source) and identity(path) != before


def test_the_log_names_why_a_file_was_not_written_not_a_warning_found_on_the_way(caplog):
    """helper-44: a build stopped by a locked database was logged as 'not written f00.xlsx: achievement-blank …',
    the first finding, a mere warning; the cause is the error."""
    import logging

    from generator.findings import warning
    from generator.service import intake
    from generator.service.result import Result, failed

    blank = warning("achievement-blank", "অর্জন ফাঁকা", "the achievement is blank", "কর্মপরিকল্পনা", "P4")
    result = failed(Result("f00.xlsx", "valid", issues=(blank,)), "state-unavailable", "ডেটাবেস তালাবদ্ধ",
                    "the state database is locked")
    with caplog.at_level(logging.WARNING, logger=intake.log.name):
        intake._log_result(Path("f00.xlsx"), result, 30.4)
    assert "not written f00.xlsx: state-unavailable" in caplog.text and "achievement-blank" not in caplog.text
