"""A workbook file read once: its bytes and their hash. Every later stage (the package check, the reader,
the marked-up copy of a rejected workbook) works on these bytes; the file is opened once per build."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from generator.xlsx.package import MAX_FILE_BYTES


@dataclass(frozen=True)
class Source:
    path: Path
    data: bytes | None  # None when the file is larger than any workbook may be (it is refused unread)
    size: int
    digest: str  # of the bytes; of the size alone for a file too large to read
    stamp: tuple[int, int, int, int] | None = None  # (inode, size, mtime, ctime) of the file as read: the same still?

    @property
    def name(self) -> str:
        return self.path.name


class NotAFile(OSError):
    """A link, a folder, a FIFO: never opened (a FIFO would block the reader)."""


def load(path: Path) -> Source:
    """The file's bytes, read once (at most MAX_FILE_BYTES). OSError when it cannot be read."""
    path = Path(path)
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise NotAFile(0, "not a regular file", str(path))
    if info.st_size > MAX_FILE_BYTES:
        return Source(path, None, info.st_size, hashlib.sha256(f"size {info.st_size}".encode()).hexdigest())
    with open(path, "rb") as f:
        data = f.read(MAX_FILE_BYTES + 1)
        read = os.fstat(f.fileno())
    if len(data) > MAX_FILE_BYTES:  # it grew since it was looked at
        return Source(path, None, len(data), hashlib.sha256(f"size {len(data)}".encode()).hexdigest())
    return Source(path, data, len(data), hashlib.sha256(data).hexdigest(), stamp(read))


def stamp(info: os.stat_result) -> tuple[int, int, int, int]:
    # the change time too: a save in place of the same size that keeps (or sets back) the modification time,
    # as a share with coarse times may, still changes it (a rename does as well: then the file is read again)
    return info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


def unchanged(source: Source) -> bool:
    """Whether the file at the source's path is still the bytes it was read as."""
    return holds(source.path, source)


def holds(path: Path, source: Source) -> bool:
    """Whether the file at `path` (the source's own, or where it was moved) is the bytes the source read: told by
    its inode, size and times when they are the same (no second read of the file; a rename changes the change
    time, a hard link's copy is a new file), else by reading it again."""
    try:
        if source.stamp is not None and stamp(os.stat(path)) == source.stamp:
            return True
        return load(path).digest == source.digest
    except OSError:
        return True  # gone or unreadable: whoever moves it says so


def of_bytes(path: Path, data: bytes) -> Source:
    """A workbook already in memory (an upload), under the name it is known by."""
    return Source(Path(path), data, len(data), hashlib.sha256(data).hexdigest())
