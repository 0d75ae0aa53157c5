"""A state folder's register file held open while a service runs. One removed or replaced under it (the state
folder deleted, a backup moved over it) would be made anew, empty, or read in its older state, by the next build's
opening of it: a memo could be given twice and the register's history lost. Held open, the file's inode cannot be
reused by a new file of the same name, so a look at the name tells the one held from any other. A backup copied
over it in place (`cp`) is the same file, and is not told apart (docs/service.md).

Closed only once the process has closed its connections to the register: closing any descriptor of a file drops
the process's POSIX locks on it, SQLite's among them."""

from __future__ import annotations

import os
from pathlib import Path

from generator.records.state import FILE_NAME, StateError


class RegisterReplaced(StateError):
    """The register this service started with was removed or replaced while it ran: nothing more is built."""

    def __init__(self, path: Path):
        super().__init__(path.parent, "the memo register was removed or replaced while the service ran")
        self.bn = (f"স্মারক-রেজিস্টার {path} সার্ভিস চলাকালে মুছে ফেলা বা বদলে দেওয়া হয়েছে; একই স্মারক নম্বর যাতে দুবার "
                   "না যায়, তাই আর কিছু তৈরি হচ্ছে না। রেজিস্টারটি (ব্যাকআপ থেকে) ফেরত আনুন এবং সার্ভিস আবার চালু করুন; "
                   "জমা দেওয়া ফাইলগুলো রাখা আছে।")
        self.en = (f"The memo register {path} was removed or replaced while the service ran: nothing more is built, "
                   "so that no memo number is given twice. Restore it (from a backup) and start the service again; "
                   "the files sent are kept.")


class HeldRegister:
    """The register file of `state_dir`, held open from `open()` (once the service's lease has made it) to
    `close()`; `intact()` says whether the file at its name is still that one."""

    def __init__(self, state_dir: Path):
        self.path = Path(state_dir) / FILE_NAME
        self._fd: int | None = None

    def open(self) -> HeldRegister:
        try:
            self._fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            self._fd = None  # nothing to hold: the build's own opening of it says why
        return self

    def intact(self) -> bool:
        """False once the file held was removed, or another put at its name; True when it cannot be told just now
        (the build's own opening of the register then says why)."""
        if self._fd is None:
            return True
        try:
            held, found = os.fstat(self._fd), os.stat(self.path)
        except FileNotFoundError:
            return False
        except OSError:
            return True
        return bool(held.st_nlink) and (found.st_dev, found.st_ino) == (held.st_dev, held.st_ino)

    def check(self) -> None:
        """RegisterReplaced unless `intact()`."""
        if not self.intact():
            raise RegisterReplaced(self.path)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
