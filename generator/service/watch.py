"""The watch folder: every workbook dropped into the inbox is built once, then archived or rejected.

An observer thread only notes which paths changed; the main loop waits until a file is complete
(size and modification time steady for the settle time, and it opens as a zip), then runs it
through intake (the same as the web page's upload), which builds it in an isolated worker process.
Each file is noted in the ledger before it is built; a file found half-done after a crash is built
once more (the memo register gives the same content the same serial), and set aside if it was in
hand at two crashes. One watcher per inbox: a second is refused at start.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import signal
import stat
import threading
import time
import zipfile
from contextlib import contextmanager
from typing import IO
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from generator.findings import GenError
from generator.service import intake, ledgering, queue
from generator.service.leader import Leadership
from generator.service.intake import ARCHIVE_DIR, REJECTED_DIR, WORKBOOK_SUFFIXES
from generator.records.ledger import Ledger
from generator.records.owners import LEASE_S, Lease, Owner
from generator.records.register import Register
from generator.records import db
from generator.records.held_register import HeldRegister
from generator.records.state import StateError, is_url
from generator.documents.settings import PdfSettings
from generator.service.builds import BuildPool
from generator.service.workers import Limits
from generator.xlsx.source import stamp
from generator.spec import settings

log = logging.getLogger("gen.watch")

TEMPORARY_SUFFIXES = {".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".swp"}
LOCK_FILE = ".gen-watch.lock"
DATABASE_RETRY_S = settings.number("GEN_STATE_RETRY", 5.0, 0.1)  # a state database out of reach: tried this often


class AlreadyWatched(GenError):
    def __init__(self, inbox: Path, holder: str):
        super().__init__(
            "already-watched",
            f"আরেকটি 'gen watch' ({holder}) এই ইনবক্স দেখছে: {inbox}। একটি ইনবক্সে একটিই চলতে পারে; "
            "আগেরটি বন্ধ করুন বা অন্য ইনবক্স দিন।",
            f"Another 'gen watch' ({holder}) is already watching {inbox}. Only one may watch an inbox; stop "
            "that one or give another inbox.")


class BadLayout(GenError):
    """The state or output folder is the inbox or inside it: every folder in the inbox is set aside into
    rejected/, the register with it. Refused before anything is watched."""

    def __init__(self, inbox: Path, what_bn: str, what_en: str, folder: Path):
        super().__init__(
            "folder-in-inbox",
            f"{what_bn} ({folder}) ও ইনবক্স ({inbox}) একই, বা একটি অন্যটির ভেতরে: ইনবক্সে রাখা সবকিছু যাচাই করে সরানো "
            f"হয়, তাই তা হতে পারে না। দুটি আলাদা ফোল্ডার দিন।",
            f"The {what_en} ({folder}) and the inbox ({inbox}) are one folder, or one is inside the other: whatever "
            "is in the inbox is checked and moved, so that cannot be. Give two separate folders.")


class InboxUnusable(GenError):
    """The inbox cannot be used at start (read-only, full, not a folder)."""

    def __init__(self, inbox: Path, cause: OSError):
        why = cause.strerror or str(cause)
        super().__init__(
            "inbox-unusable",
            f"ইনবক্স {inbox} ব্যবহার করা যাচ্ছে না ({why}): ফোল্ডারটি আছে কি না, লেখার অনুমতি ও ডিস্কে জায়গা আছে কি না "
            "দেখুন, অথবা অন্য ইনবক্স দিন।",
            f"The inbox {inbox} cannot be used ({why}): check that the folder exists, may be written and that the "
            "disk has room, or give another inbox.")


def check_layout(inbox: Path, out_root: Path, state_dir: Path | str) -> None:
    """BadLayout when the output or the (local) state folder is the inbox, inside it, or holds it (an inbox in
    the output folder would set the reports in it aside)."""
    folders = [("আউটপুট ফোল্ডার", "output folder", Path(out_root))]
    if not queue.url_of(state_dir):
        folders.append(("অবস্থা-ফোল্ডার (রেজিস্টার)", "state folder (the register)", Path(state_dir)))
    for what_bn, what_en, folder in folders:
        if intake.nested(inbox, folder):
            raise BadLayout(inbox, what_bn, what_en, folder)


def ignored(name: str) -> bool:
    """Office lock files, hidden files and the temporary names of copies in progress."""
    lower = name.lower()
    return (name.startswith(("~$", ".~lock", ".")) or lower.endswith("~") or lower.endswith("#")
            or Path(lower).suffix in TEMPORARY_SUFFIXES)


def looks_complete(path: Path) -> bool:
    """The zip's directory reads (it is written last, so a copy in progress has none), or the file is plainly
    not a zip at all (it does not begin as one: no copy will make it a workbook, so it is handed on to be
    set aside as soon as it has settled). Nothing is unpacked here: a zip bomb is the package check's to
    refuse, in a worker."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))  # swapped for a FIFO: no wait
        with os.fdopen(fd, "rb") as f:
            if f.read(4) not in (b"PK\x03\x04", b"", b"PK\x05\x06"):
                return True
        with zipfile.ZipFile(path) as z:
            return bool(z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


@dataclass
class _Pending:
    size: int
    mtime: float
    steady_since: float


class _Events(FileSystemEventHandler):
    def __init__(self, notify):
        self.notify = notify

    def on_any_event(self, event):
        # opening and reading a file (the watcher's own reads included) says nothing new about it
        if event.is_directory or event.event_type in ("opened", "closed_no_write"):
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
    limits: Limits = field(default_factory=Limits)
    pdf: PdfSettings | None = None  # PDFs beside the Word files, through the LibreOffice the caller keeps warm
    pool: BuildPool | None = None
    owner: Owner | None = None  # this watcher's lease in the state database, while it runs
    stop: threading.Event = field(default_factory=threading.Event)
    signalled: int | None = None  # set by the signal handler alone; the loop turns it into `stop`
    _pending: dict[Path, _Pending] = field(default_factory=dict)
    _held: dict[Path, tuple[float, Identity | None]] = field(default_factory=dict)  # left in the inbox: (until, which file)
    _steady: dict[Path, Identity | None] = field(default_factory=dict)  # which file each was when found ready
    _awaiting: set[str] = field(default_factory=set)  # names a stopped watcher still holds under its live lease
    _awaiting_until: float = 0.0  # when to stop waiting for that lease whatever the database says
    _next_look: float = 0.0  # when to ask the database again
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _state_down: bool = False  # the state database could not be used at the last try (logged once)
    _inbox_down: bool = False  # the inbox could not be read at the last scan (logged once)
    _layout_bad: bool = False  # the inbox was found to be the output or state folder, or in or around one
    _lock_file: IO[str] | None = None  # the open, locked INBOX/.gen-watch.lock (taken again if the inbox is remade)
    queue: queue.Queue | None = None  # PostgreSQL state: files are enqueued for `gen worker`, not built here
    _leader: Leadership | None = None
    _register: HeldRegister | None = None  # the state folder's register, held open while running (_keep_register)

    def notice(self, path: Path) -> None:
        if path.parent.resolve() != self.inbox.resolve() or ignored(path.name):
            return
        with self._lock:
            held = self._held.get(path)
            if held and held[0] > time.monotonic() and held[1] == identity(path):  # the very file left, unchanged
                return
            self._pending.setdefault(path, _Pending(-1, -1.0, time.monotonic()))

    def scan(self) -> None:
        try:
            entries = sorted(self.inbox.iterdir())
        except OSError as e:  # the inbox (a share) went away or cannot be read: said once, looked at again later
            if not self._inbox_down:
                log.error("the inbox cannot be read (%s): looking again every %.0f s", e.strerror or e, self.rescan)
                self._inbox_down = True
            return
        if self._inbox_down:
            log.info("the inbox can be read again")
            self._inbox_down = False
        if not self._layout_holds():  # an inbox replaced by a link to the output folder: nothing taken, nor locked
            return
        self._keep_lock()
        self._keep_register()
        if self.stop.is_set():
            return
        for entry in entries:
            if entry.name in (ARCHIVE_DIR, REJECTED_DIR) and entry.is_dir() and not entry.is_symlink():
                continue
            self.notice(entry)

    def _layout_holds(self) -> bool:
        """Whether the inbox is still apart from the output and state folders (check_layout); said once when not."""
        try:
            check_layout(self.inbox, self.out_root, self.state_dir)
        except BadLayout as e:
            if not self._layout_bad:
                log.error("%s; nothing is moved until it is put right", e.en)
                self._layout_bad = True
            return False
        self._layout_bad = False
        return True

    def _keep_register(self) -> bool:
        """The state folder's register is still the file this watcher started with (records/held_register.py): one
        removed or replaced while it runs stops the watcher, which says so. True while it is."""
        if self._register is None or self._register.intact():
            return True
        if not self.stop.is_set():
            log.error("the memo register %s was removed or replaced while this watcher ran: stopping, so that no memo "
                      "number is given twice; restore it (from a backup) and start the watcher again",
                      self._register.path)
            self.stop.set()
        return False

    def _keep_lock(self) -> None:
        """The inbox's lock file is still the one this watcher holds; an inbox removed and made again lost it: it
        is taken again, or, when another watcher took the new one meanwhile, this one stops (one per inbox)."""
        held = self._lock_file
        if held is None or held.closed:
            return
        path = self.inbox / LOCK_FILE
        try:
            if os.stat(path).st_ino == os.fstat(held.fileno()).st_ino:
                return
        except FileNotFoundError:
            pass
        except OSError:
            return
        try:
            fresh = open(path, "a+")
        except OSError:
            return
        try:
            fcntl.flock(fresh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fresh.close()
            log.error("another watcher took this inbox while it was away: stopping")
            self.stop.set()
            return
        try:
            _mark(fresh)
        except OSError:
            pass  # the lock is held; only the note of who holds it is missing
        self._lock_file = fresh
        if held is not None:
            held.close()
        log.info("the inbox's lock is taken again")

    def ready(self) -> list[Path]:
        """Files whose size and time have not moved for the settle time (and that open, for workbooks)."""
        out, now = [], time.monotonic()
        with self._lock:
            for path, p in list(self._pending.items()):
                try:
                    st = os.lstat(path)  # a link is never followed, a FIFO never opened
                except FileNotFoundError:
                    del self._pending[path]
                    continue
                if not stat.S_ISREG(st.st_mode):
                    del self._pending[path]
                    if not (path.name in (ARCHIVE_DIR, REJECTED_DIR) and stat.S_ISDIR(st.st_mode)):  # our own folders
                        out.append(path)  # intake sets it aside
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
                self._steady[path] = _identity_of(st)
                out.append(path)
        return out

    def still_steady(self, path: Path) -> bool:
        """Whether a file found ready is still that file, unchanged: a batch is handled one file after another, and
        one saved over meanwhile (in place, while a later file waited its turn) must settle again, not be read
        half-written. One that is not is looked at again as it comes."""
        found = self._steady.pop(path, None)
        if found is None or identity(path) in (found, None):
            return True
        self._look_again(path)
        return False

    def run(self) -> None:
        check_layout(self.inbox, self.out_root, self.state_dir)
        try:
            self.inbox.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise InboxUnusable(self.inbox, e) from None
        url = queue.url_of(self.state_dir)
        if url is not None:
            return self._run_queued(url)
        lease = Lease(self.state_dir, "watch", self.inbox.resolve(),
                      on_new_owner=lambda fresh: setattr(self, "owner", fresh))  # its lease ran out: a new one
        try:
            with _inbox_lock(self.inbox) as self._lock_file, lease as self.owner, \
                    BuildPool(1, self.limits, start_method="forkserver") as self.pool:
                try:
                    self._register = HeldRegister(self.state_dir).open()  # there once the lease is taken
                    self._note_predecessor()
                    self._recover()
                    self._watch()
                finally:
                    if self._lock_file is not None:
                        self._lock_file.close()  # one taken again (_keep_lock); the first is closed by its `with`
        finally:  # once the lease's connections are closed (closing a file drops the process's locks on it)
            if self._register is not None:
                self._register.close()

    def _wait_for_database(self, e: StateError) -> None:
        """A PostgreSQL state out of reach, or the lead lost with it: wait and stand again (the inbox keeps every
        file meanwhile; none is enqueued before the database answers). A moved register, a newer schema or an
        unusable folder stop the watcher instead (exit 3): waiting would not mend them."""
        if not (is_url(e.path) and type(e) is StateError):
            raise e
        if not self._state_down:
            log.error("the state database cannot be used (%s): waiting for it, trying again every %.0f s; files "
                      "stay in the inbox meanwhile", e.en, DATABASE_RETRY_S)
            self._state_down = True
        self.stop.wait(DATABASE_RETRY_S)

    def _run_queued(self, url: str) -> None:
        """PostgreSQL state: lead this inbox's watchers (or stand by until the leader stops), and only enqueue;
        the workers (`gen worker`) build each file and move it to archive/ or rejected/."""
        while not self._stopping():
            try:
                db.connect(url).close()  # the schema checked (a newer one stops the watcher: exit 3)
                leadership = Leadership(url, self.inbox, self._stopping)
                with leadership as leading:
                    self._leader = leadership
                    if not leading:
                        return
                    with queue.Queue(url) as self.queue:
                        self._watch()
            except StateError as e:  # the database out of reach, or the lead lost with it: wait, then stand again
                self.queue = None
                self._wait_for_database(e)

    def _watch(self) -> None:
        observer = PollingObserver(timeout=self.poll) if self.poll else Observer()
        observer.schedule(_Events(self.notice), str(self.inbox), recursive=False)
        observer.start()
        log.info("watching %s (%s), output %s", self.inbox, f"polling every {self.poll:g}s" if self.poll else "native events",
                 self.out_root)
        self.scan()
        last_scan = time.monotonic()
        try:
            while not self._stopping():
                self._predecessor_gone()
                for path in self.ready():
                    if self._stopping():
                        break
                    if path.name in self._awaiting:  # a stopped watcher's, still under its lease: resumed after it
                        self._look_again(path)
                    elif self.still_steady(path):
                        self.handle(path)
                if time.monotonic() - last_scan > self.rescan:
                    with self._lock:
                        self._held.clear()
                    if self.queue is None:
                        self._recover()
                    elif self._leader is not None:
                        self._leader.check()
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

    def _note_predecessor(self) -> None:
        """A watcher of this inbox that stopped a moment ago without ending its lease (killed) still looks alive
        to the database until its lease runs out: the files it held are resumed after that, not beside it. Other
        files are handled meanwhile (a restart kept every new file waiting, 25 s, before)."""
        assert self.owner is not None
        with Ledger(self.state_dir) as ledger:
            held = ledger.in_other_hands("watch", self.owner.scope, self.owner.id)
        if held:
            self._awaiting = {r.name for r in held}
            self._awaiting_until, self._next_look = time.monotonic() + LEASE_S + 5, time.monotonic() + 0.5
            log.info("%d files of this inbox are still leased to a watcher that stopped; they wait up to %.0fs for "
                     "its lease to run out, other files are handled meanwhile", len(held), LEASE_S)

    def _predecessor_gone(self) -> None:
        """Once the stopped watcher's lease has run out (or waiting longer would not help), its files are resumed."""
        if not self._awaiting or time.monotonic() < self._next_look:
            return
        assert self.owner is not None
        self._next_look = time.monotonic() + 0.5
        try:
            with Ledger(self.state_dir) as ledger:
                held = ledger.in_other_hands("watch", self.owner.scope, self.owner.id)
        except StateError:
            return  # the database out of reach for a moment: asked again
        if held and time.monotonic() < self._awaiting_until:
            self._awaiting = {r.name for r in held}
            return
        self._awaiting = set()
        self._recover()

    def _look_again(self, path: Path) -> None:
        self._steady.pop(path, None)
        with self._lock:
            self._pending[path] = _Pending(-1, -1.0, time.monotonic())

    def _recover(self) -> None:
        """Entries of this inbox whose watcher's lease ran out (it crashed, here or on another machine): a
        file still in the inbox is built again by the normal path, reusing its reserved serial; an entry
        whose file was already moved is closed and its reservation given back. At start and every rescan:
        a predecessor's lease may run out only after this watcher started."""
        assert self.owner is not None
        if not self.inbox.is_dir():  # a share gone away: its files are not "moved", only out of sight
            return
        try:
            with Ledger(self.state_dir) as ledger, Register(self.state_dir) as register:
                # its own entries too, left open by an outage after the file was moved (called between files only)
                left = [r for r in ledger.left_open_by("watch", self.owner.id) if not (self.inbox / r.name).exists()]
                for record in ledger.orphans("watch", scope=str(self.inbox.resolve())) + left:
                    if (self.inbox / record.name).exists():
                        log.info("resuming %s, interrupted before", record.name)
                        register.adopt([record.id], self.owner.id)
                    elif self.inbox.is_dir():  # gone from a present inbox: moved, not out of sight
                        ledgering.close_moved(ledger, register, record, self.inbox, self.owner.id,
                                              why="the state database could not be written when it was"
                                              if record in left else "the watcher stopped before it recorded it")
        except StateError as e:
            log.error("could not look for interrupted work: %s", e.en)

    def handle(self, path: Path) -> None:
        assert self.pool is not None or self.queue is not None  # handled only inside run(), which holds either
        if not self._layout_holds():  # the inbox replaced meanwhile (by a link to the output folder, say)
            return
        before = identity(path)
        try:
            if self.queue is not None:
                self._enqueue(path)
            elif self.pool is not None and self._keep_register():
                intake.receive(path, inbox=self.inbox, out_root=self.out_root, state_dir=self.state_dir, pool=self.pool,
                               owner=self.owner.id if self.owner else None, pdf=self.pdf)
            if self._state_down:
                log.info("the state database can be used again: files left in the inbox are tried at the next rescan")
                self._state_down = False
        except StateError as e:  # said once while it lasts, not for every file at every rescan
            if not self._state_down:
                log.error("the state database cannot be used (%s): files stay in the inbox and are tried again "
                          "every %.0f s", e.en, self.rescan)
                self._state_down = True
            log.debug("could not handle %s, it stays in the inbox", ascii(path.name))
        except Exception:  # the next file must still be built; this one is tried again at the next rescan
            log.exception("could not handle %s; it stays in the inbox", ascii(path.name))
        after = identity(path)
        with self._lock:
            if after is None:
                return
            if after == before:  # left in the inbox (not written, or could not be moved): not tried again before
                self._held[path] = (time.monotonic() + self.rescan, after)  # the next rescan, whatever its reading raised
                self._pending.pop(path, None)
            else:  # moved, and another file dropped under its name meanwhile (or it changed): looked at as new
                self._held.pop(path, None)
                self._pending[path] = _Pending(-1, -1.0, time.monotonic())


    def _enqueue(self, path: Path) -> None:
        assert self.queue is not None
        if intake.utf8_name(path) != path:  # a name not UTF-8 cannot go into a job: renamed, it is seen anew
            return
        job = queue.FileJob(str(path.absolute()), str(self.inbox.absolute()), str(self.out_root.absolute()), "watch")
        if self.queue.defer(job) is not None:
            log.info("queued %s", path.name)


Identity = tuple[int, int, int, int, int]


def identity(path: Path) -> Identity | None:
    """Which file is at `path` (device, inode, size, modification and change times), None when none: a file
    dropped under the name of one just moved away is another file, even with the same time (a move keeps it),
    and one saved over in place is changed even when its size and modification time came out the same."""
    try:
        return _identity_of(os.lstat(path))
    except OSError:
        return None


def _identity_of(st: os.stat_result) -> Identity:
    return (st.st_dev, *stamp(st))


@contextmanager
def _inbox_lock(inbox: Path):
    """An exclusive lock on INBOX/.gen-watch.lock, held while the watcher runs; AlreadyWatched if taken."""
    try:
        f = open(inbox / LOCK_FILE, "a+")
    except OSError as e:  # read-only, full, not a folder: said, not a traceback
        raise InboxUnusable(inbox, e) from None
    with f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            f.seek(0)
            raise AlreadyWatched(inbox, f.read().strip() or "another process") from None
        try:
            _mark(f)
        except OSError as e:
            raise InboxUnusable(inbox, e) from None
        yield f


def _mark(lock) -> None:
    """The lock file says which process holds it (a second watcher names it in its refusal)."""
    lock.seek(0)
    lock.truncate()
    lock.write(f"pid {os.getpid()} on {os.uname().nodename}\n")
    lock.flush()


def run(watcher: Watcher) -> None:
    """Run until SIGTERM or Ctrl-C; the file in hand is finished first."""
    def stop(signum, _frame):
        # only a plain assignment here: Event.set() and logging take locks that the interrupted main
        # thread may be holding (inside Event.wait), and would deadlock it
        watcher.signalled = signum

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    watcher.run()
