"""The watch folder: every workbook dropped into the inbox is built once, then archived or rejected.

An observer thread only notes which paths changed; the main loop waits until a file is complete
(size and modification time steady for the settle time, and it opens as a zip), then runs it
through the same pipeline as `gen build`. Each file is noted in the ledger before it is built;
a file found half-done after a crash is simply built again: the memo register gives the same
content the same serial, so no number is lost or issued twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import shutil
import signal
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from . import pipeline
from .ledger import Ledger

log = logging.getLogger("gen.watch")

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
TEMPORARY_SUFFIXES = {".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".swp"}
ARCHIVE, REJECTED = "archive", "rejected"


def ignored(name: str) -> bool:
    """Office lock files, hidden files and the temporary names of copies in progress."""
    lower = name.lower()
    return (name.startswith(("~$", ".~lock", ".")) or lower.endswith("~") or lower.endswith("#")
            or Path(lower).suffix in TEMPORARY_SUFFIXES)


def looks_complete(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return z.testzip() is None
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _unique(target: Path) -> Path:
    if not target.exists():
        return target
    for n in range(2, 10000):
        candidate = target.with_name(f"{target.stem} ({n}){target.suffix}")
        if not candidate.exists():
            return candidate
    raise FileExistsError(target)


@dataclass
class _Pending:
    size: int
    mtime: float
    steady_since: float


class _Events(FileSystemEventHandler):
    def __init__(self, notify):
        self.notify = notify

    def on_any_event(self, event):
        if event.is_directory:
            return
        for attr in ("src_path", "dest_path"):
            p = getattr(event, attr, None)
            if p:
                self.notify(Path(os.fsdecode(p)))


@dataclass
class Watcher:
    inbox: Path
    out_root: Path
    state_dir: Path
    poll: float | None = None  # seconds between polls; None = the native observer
    settle: float = 2.0  # how long size and time must stay still
    give_up: float = 60.0  # a steady file that never opens as a zip is handed on after this long
    rescan: float = 30.0  # a full look at the inbox, in case an event was missed
    stop: threading.Event = field(default_factory=threading.Event)
    signalled: int | None = None  # set by the signal handler alone; the loop turns it into `stop`
    _pending: dict[Path, _Pending] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def notice(self, path: Path) -> None:
        if path.parent.resolve() != self.inbox.resolve() or ignored(path.name):
            return
        with self._lock:
            self._pending.setdefault(path, _Pending(-1, -1.0, time.monotonic()))

    def scan(self) -> None:
        for entry in sorted(self.inbox.iterdir()):
            if entry.is_file():
                self.notice(entry)

    def ready(self) -> list[Path]:
        """Files whose size and time have not moved for the settle time (and that open, for workbooks)."""
        out, now = [], time.monotonic()
        with self._lock:
            for path, p in list(self._pending.items()):
                try:
                    st = path.stat()
                except FileNotFoundError:
                    del self._pending[path]
                    continue
                if (st.st_size, st.st_mtime) != (p.size, p.mtime):
                    self._pending[path] = _Pending(st.st_size, st.st_mtime, now)
                    continue
                steady = now - p.steady_since
                if steady < self.settle:
                    continue
                workbook = path.suffix.lower() in WORKBOOK_SUFFIXES
                if workbook and not looks_complete(path) and steady < self.give_up:
                    continue
                del self._pending[path]
                out.append(path)
        return out

    def run(self) -> None:
        self.inbox.mkdir(parents=True, exist_ok=True)
        with Ledger(self.state_dir) as ledger:
            self._recover(ledger)
        observer = PollingObserver(timeout=self.poll) if self.poll else Observer()
        observer.schedule(_Events(self.notice), str(self.inbox), recursive=False)
        observer.start()
        log.info("watching %s (%s), output %s", self.inbox, f"polling every {self.poll:g}s" if self.poll else "native events",
                 self.out_root)
        self.scan()
        last_scan = time.monotonic()
        try:
            while not self._stopping():
                for path in self.ready():
                    if self._stopping():
                        break
                    self.handle(path)
                if time.monotonic() - last_scan > self.rescan:
                    self.scan()
                    last_scan = time.monotonic()
                self.stop.wait(0.1)
        finally:
            observer.stop()
            observer.join(timeout=5)
            log.info("stopped")

    def _stopping(self) -> bool:
        if self.signalled is not None and not self.stop.is_set():
            log.info("signal %s: finishing the file in hand, then stopping", self.signalled)
            self.stop.set()
        return self.stop.is_set()

    def _recover(self, ledger: Ledger) -> None:
        """Files interrupted by a crash: those still in the inbox are built again by the normal path;
        those already moved only need their ledger entry closed."""
        for record in ledger.unfinished():
            if (self.inbox / record.name).exists():
                log.info("resuming %s, interrupted before", record.name)
            else:
                ledger.finish(record.id, "done", note="interrupted after the file was moved")

    def handle(self, path: Path) -> None:
        process(path, inbox=self.inbox, out_root=self.out_root, state_dir=self.state_dir)


def process(path: Path, *, inbox: Path, out_root: Path, state_dir: Path) -> int | None:
    """Build one file that arrived in `inbox` and move it to archive/ or rejected/; returns its ledger id.
    The watch folder and the web upload both come through here."""
    if not path.exists():
        return None
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        return _reject_other(path, inbox, state_dir)
    started = time.monotonic()
    digest = file_hash(path)
    log.info("received %s", path.name)
    with Ledger(state_dir) as ledger:
        earlier = ledger.done_with(digest)
        id = ledger.start(path.name, digest)
        if earlier is not None:
            moved = _move(path, inbox, ARCHIVE if earlier.status == "built" else REJECTED)
            ledger.finish(id, "duplicate", memo=earlier.memo, kind=earlier.kind, office=earlier.office,
                          fiscal_year=earlier.fiscal_year, period=earlier.period, outputs=earlier.outputs,
                          moved_to=str(moved), note=f"same content as ledger entry {earlier.id}",
                          seconds=time.monotonic() - started, details=earlier.details)
            log.info("duplicate %s: same as %s, memo %s, nothing new built", path.name, earlier.name, earlier.memo)
            return id
        result = pipeline.build(path, out_root=out_root, state_dir=state_dir)
        if result.ok:
            moved = _move(path, inbox, ARCHIVE)
            status = "built"
        else:
            moved = _move(path, inbox, REJECTED)
            for output in result.outputs:  # the error report and the marked-up copy go beside it
                shutil.copy2(output, moved.parent / Path(output).name)
            status = "rejected"
        seconds = time.monotonic() - started
        ledger.finish(id, status, memo=result.memo, kind=result.kind, office=result.office,
                      fiscal_year=result.fiscal_year, period=result.period, outputs=result.outputs,
                      moved_to=str(moved), note="memo reused: same content" if result.memo_reused else None,
                      seconds=seconds, details=result.as_dict())
    if status == "built":
        event = "duplicate" if result.memo_reused else "built"
        log.info("%s %s: %s, memo %s, %.2fs", event, path.name, result.office, result.memo, seconds)
    else:
        first = result.issues[0] if result.issues else None
        log.warning("rejected %s: %s %s %s, %.2fs", path.name, first.code if first else "", first.where if first else "",
                    first.en if first else "", seconds)
    for issue in result.issues:
        log.debug("  %s %s %s: %s", issue.severity, issue.where, issue.code, issue.en)
    return id


def _move(path: Path, inbox: Path, where: str) -> Path:
    folder = inbox / where / (dt.date.today().isoformat() if where == ARCHIVE else "")
    folder.mkdir(parents=True, exist_ok=True)
    target = _unique(folder / path.name)
    os.replace(path, target)
    return target


def _reject_other(path: Path, inbox: Path, state_dir: Path) -> int:
    moved = _move(path, inbox, REJECTED)
    note = moved.with_name(moved.name + ".reason.txt")
    note.write_text(
        f"{moved.name}: এটি Excel ওয়ার্কবুক (.xlsx) নয়, তাই গ্রহণ করা হয়নি। 'gen template' দিয়ে পাওয়া ছক পূরণ করে পাঠান।\n"
        f"{moved.name}: not an Excel workbook (.xlsx), so it was not taken. Fill the workbook from 'gen template'.\n",
        encoding="utf-8")
    with Ledger(state_dir) as ledger:
        id = ledger.start(path.name, file_hash(moved))
        ledger.finish(id, "rejected", moved_to=str(moved), note="not a workbook")
    log.warning("rejected %s: not a workbook", path.name)
    return id


def run(watcher: Watcher) -> None:
    """Run until SIGTERM or Ctrl-C; the file in hand is finished first."""
    def stop(signum, _frame):
        # only a plain assignment here: Event.set() and logging take locks that the interrupted main
        # thread may be holding (inside Event.wait), and would deadlock it
        watcher.signalled = signum

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    watcher.run()
