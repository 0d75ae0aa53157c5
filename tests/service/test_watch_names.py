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
