"""The records on disk: each built version of a report in a folder of its own that is never written
again, a "current" view beside them, and each rejected submission's reports apart.

    OUT/<fiscal year>/<office>/<kind>-<period>/
        cc-2023-24-q1-letter.docx, …-annex.docx   copies of the current version (highest serial)
        CURRENT.txt                               which version that is
        versions/<memo>/…                         every built version, as it was built
        rejected/<submission>/NAME.errors.txt     every rejected submission of this report
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from generator.findings import GenError, PlaceError
from generator.text import clock
from generator.spec.codes import COULD_NOT_WRITE, MEMO_EXISTS, OUTPUT_IS_A_RECORD, OUTPUT_NOT_A_FILE

CURRENT = "CURRENT.txt"
VERSIONS, REJECTED = "versions", "rejected"
NAME_BYTES = 200  # a folder or file name, in UTF-8 bytes (file systems allow 255)


class WriteError(PlaceError):
    """A document could not be written: the disk is full, read-only, or a path is in the way."""

    def __init__(self, path: Path, cause: OSError):
        self.path, self.cause = Path(path), cause.strerror or str(cause)
        super().__init__(
            COULD_NOT_WRITE,
            f"{self.path} লেখা যায়নি ({self.cause})। ডিস্কে জায়গা ও লেখার অনুমতি দেখে আবার চেষ্টা করুন। এই স্মারক "
            "নম্বরে কোনো পত্র হয়নি: নম্বরটি রেজিস্টারে ফেরত গেছে, অথবা এর মধ্যে পরের নম্বর দেওয়া হয়ে থাকলে রেজিস্টারে "
            "'বাতিল' হিসেবে লেখা আছে (ক্রমে ফাঁক থাকে না)।",
            f"Could not write {self.path} ({self.cause}). Check the disk's free space and permissions and try "
            "again. No letter carries its memo number: the number went back to the register, or, when a later one "
            "was issued meanwhile, the register keeps it marked void (its sequence has no unexplained gap).")


class OutputError(PlaceError):
    """A file asked for by name (a blank or next period's workbook) could not be written there: the folder is
    a file, read-only, or the disk is full. No memo number is involved."""

    def __init__(self, path: Path, cause: OSError):
        self.path, self.cause = Path(path), _why_not_written(Path(path), cause)
        super().__init__(
            COULD_NOT_WRITE,
            f"{self.path} লেখা যায়নি ({self.cause})। ফোল্ডারটি আছে ও ফোল্ডারই কি না (ফাইল নয়), লেখার অনুমতি ও ডিস্কে "
            "জায়গা দেখুন, অথবা অন্য জায়গা দিন (-o)। কিছুই লেখা হয়নি।",
            f"Could not write {self.path} ({self.cause}). Check that its folder exists and is a folder (not a file), "
            "that it may be written and that the disk has room, or give another place (-o). Nothing was written.")


class NotAFileOutput(GenError):
    """Something other than an ordinary file stands where a file is to be written (a folder, a link, a FIFO, a
    device such as /dev/null): it is never replaced, not even with --force."""

    def __init__(self, path: Path):
        self.path = Path(path)
        super().__init__(
            OUTPUT_NOT_A_FILE,
            f"{self.path} সাধারণ ফাইল নয় (ফোল্ডার, লিংক বা বিশেষ ফাইল), তাই তার জায়গায় লেখা হয়নি, --force দিলেও নয়। "
            "অন্য নাম দিন (-o)।",
            f"{self.path} is not an ordinary file (a folder, a link or a special file), so it was not replaced, not "
            "even with --force. Give another name (-o).")


def refuse_unless_ordinary(path: Path) -> None:
    """NotAFileOutput when anything but an ordinary file (or nothing) is at `path`; a link is not followed."""
    try:
        info = os.lstat(path)
    except OSError:  # nothing there, or its folder is not one: the write itself will say
        return
    if not stat.S_ISREG(info.st_mode):
        raise NotAFileOutput(path)


class RecordOutput(GenError):
    """A file asked for by name (a summary, next period's workbook) would replace one the service keeps as a
    record: never, not even with --force."""

    def __init__(self, path: Path):
        self.path = Path(path)
        super().__init__(
            OUTPUT_IS_A_RECORD,
            f"{self.path} সার্ভিসের রাখা রেকর্ড (তৈরি পত্র, রেজিস্টার, বা জমা দেওয়া মূল ওয়ার্কবুক), তাই তার ওপর লেখা হয়নি, "
            "--force দিলেও নয়। অন্য নাম বা ফোল্ডার দিন (-o)।",
            f"{self.path} is a record the service keeps (a built letter, the register, or a submitted original), "
            "so it was not written over, not even with --force. Give another name or folder (-o).")


SERVE_LOCK = ".gen-serve.lock"  # in the web's uploads folder
SERVICE_LOCKS = (".gen-watch.lock", SERVE_LOCK)  # in an inbox (or the web's uploads folder) once served


def refuse_over_record(path: Path) -> None:
    """RecordOutput when an existing `path` is one the service keeps: a file of a built version (its folder has a
    `.content` stamp), a report's current copies (a folder with CURRENT.txt), a memo claim (`.memos/`), a state
    folder's file (a folder with register.sqlite3, or the `database` file naming its PostgreSQL), or a submitted
    original in the archive/ or rejected/ of an inbox or of the web's uploads (a folder a service has locked).
    Folders of the clerk's own that happen to be called archive or versions are not records."""
    if not os.path.lexists(path):
        return
    real = Path(os.path.realpath(path))
    folder = real.parent
    if any((folder / name).exists() for name in (CONTENT, CURRENT, "register.sqlite3")) or folder.name == ".memos" \
            or _names_a_database(folder / "database"):
        raise RecordOutput(path)
    for above in list(real.parents)[:3]:
        if above.name in ("archive", REJECTED) and any((above.parent / lock).exists() for lock in SERVICE_LOCKS):
            raise RecordOutput(path)


def _names_a_database(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(256).strip().lower().startswith((b"postgresql://", b"postgres://"))
    except OSError:
        return False


def _why_not_written(path: Path, cause: OSError) -> str:
    """The OS's reason, or, when a file stands where a folder of the path should be, that file named."""
    for above in path.parents:
        if os.path.lexists(above):
            if not above.is_dir():
                return f"{above} is a file, not a folder"
            break
    return cause.strerror or str(cause)


_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe_name(name: str, fallback: str = "office") -> str:
    """A file or folder name as typed, Bangla kept, without what Windows shares or Linux forbid, nor the marks
    that turn text right to left (report\u202efdp.png shows as reportgnp.pdf, and its bundle stamp garbled), at
    most NAME_BYTES bytes (cut between characters, never inside one)."""
    name = _BIDI_CONTROLS.sub("", name)
    name = re.sub(r'[<>:"/\\|?*\x00-\x1f\x7f]+', "-", name).strip(" .")
    encoded = name.encode("utf-8", "replace")
    if len(encoded) > NAME_BYTES:
        name = encoded[:NAME_BYTES].decode("utf-8", "ignore").rstrip(" .")
    return name or fallback


def _umask() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)  # elsewhere: read it by setting it, and put it back at once
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()  # what open() would give: the office's other clerks can read the documents
DIR_MODE = 0o777 & ~_umask()


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write under a temporary name, then rename: a reader never sees a half-written file. `durable`
    forces the data to disk first (records); a view that can be made again may skip that."""
    tmp = staged(data, path.parent, suffix=path.suffix, durable=durable)
    try:
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


CONTENT = ".content"  # in each version's folder: the memo and the content hash it was built from


class VersionConflict(GenError):
    """A version folder for this memo holds another workbook's documents (another register issued the
    same memo into the same output folder, or a serial was taken back after its letter was written)."""

    def __init__(self, path: Path, memo: str):
        self.path = Path(path)
        super().__init__(MEMO_EXISTS, "", f"{path} already holds another letter with memo {memo}")
        self.bn = (f"{path} ফোল্ডারে একই স্মারক নম্বর ({memo}) দিয়ে অন্য একটি পত্র আগে থেকেই আছে; একই নম্বরে দুটি "
                   "পত্র হতে পারে না। এই নম্বর বাতিল করা হলো, আবার জমা দিলে নতুন নম্বর পাবেন। একই আউটপুট ফোল্ডারে "
                   "দুটি আলাদা রেজিস্টার (--state) ব্যবহার করবেন না।")
        self.en = (f"{path} already holds another letter with memo {memo}; two letters cannot share a memo number. "
                   "The number was voided: submit again for a new one. Do not use two registers (--state) with one "
                   "output folder.")


_TAGGED = re.compile(r"~[0-9a-f]{8}$")


def _distinct_name(name: str, fallback: str, trim: str = "") -> str:
    """`name` as a file or folder name as it is, or, where a file system would not take it (a '/', too long),
    made safe with a short hash of it, so that two names never share a folder."""
    safe = safe_name(name, fallback)
    if safe == name and not _TAGGED.search(name):  # a name typed as another's made-safe folder is made safe too
        return safe
    tag = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{safe.encode('utf-8')[:NAME_BYTES - 9].decode('utf-8', 'ignore').rstrip(trim)}~{tag}"


def office_folder(office: str) -> str:
    """An office's folder: two offices never share one."""
    return _distinct_name(office, "office", trim=" .")


def version_name(memo: str) -> str:
    """The folder of a version: its memo as written, or made safe with a short hash of it, so that two memos
    never share a folder."""
    return _distinct_name(memo, "memo")


def write_version(folder: Path, memo: str, content_hash: str, documents: dict[str, bytes], *,
                  ours: bool = False, commit: Callable[[], None] | None = None, owner: str | None = None,
                  gone: Callable[[str], bool] | None = None) -> list[Path]:
    """Write one version's documents into versions/<memo>/ all at once (staged, then renamed), or find
    them there already when the same content was built before. Never overwrites. WriteError on failure,
    with nothing left behind; VersionConflict when the folder holds other content. `ours`: the register
    issued this memo to this very content, so a complete folder without a stamp (written before stamps
    were) is this version's, and is stamped. `commit` (the register's confirmation) is called once the
    version is complete but not yet visible: if it raises, the staged folder is removed and nothing is seen.
    `owner` (the lease the build runs under) names the staging folder, so that one a killed build left is
    removed as soon as `gone(owner)` says its lease ran out."""
    target = folder / VERSIONS / version_name(memo)
    paths = [target / name for name in documents]
    stamp = f"memo: {memo}\ncontent: {content_hash}\n".encode("utf-8")
    if target.exists():
        _sweep(folder / VERSIONS, gone)  # a killed build's staging for this very version (built since by another)
        if ours and not (target / CONTENT).exists() and _complete(paths):
            try:
                write_atomic(target / CONTENT, stamp)
            except OSError as e:
                raise WriteError(target / CONTENT, e) from None
        return _same_version(target, paths, stamp, memo)
    _sweep(folder / VERSIONS, gone)
    stage = None
    try:
        if not (folder / VERSIONS).is_dir():
            (folder / VERSIONS).mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(dir=folder / VERSIONS, prefix=_stage_prefix(owner)))
        os.chmod(stage, DIR_MODE)
        for name, data in documents.items():
            write_atomic(stage / name, data)
        write_atomic(stage / CONTENT, stamp)
        if commit is not None:
            commit()
        try:
            os.rename(stage, target)
        except OSError as e:
            if e.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
            return _same_version(target, paths, stamp, memo)  # built at the same moment by another process
        return paths
    except OSError as e:
        raise WriteError(getattr(e, "filename", None) or target, e) from None
    finally:
        if stage is not None and stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


_OWNED_STAGE = re.compile(r"\.tmp-([0-9a-f]{32})\.")


def _stage_prefix(owner: str | None) -> str:
    return f".tmp-{owner}." if owner and re.fullmatch(r"[0-9a-f]{32}", owner) else ".tmp-"


def sweep_beside(paths: list[str], gone: Callable[[str], bool]) -> None:
    """The staging folders a killed build left beside the versions of these documents (a file handled as a
    duplicate of them: its own killed try may have staged there), when their owner's lease ran out."""
    for versions in {Path(p).parent.parent for p in paths}:
        if versions.name == VERSIONS:
            _sweep(versions, gone)


def _sweep(versions: Path, gone: Callable[[str], bool] | None = None, age: float = 3600) -> None:
    """Staging folders (and memo claims being made, memos.py) left by a build killed while writing: one whose
    owner's lease ran out (`gone`), and any older than an hour (none is still in use)."""
    try:
        for stale in versions.glob(".tmp-*"):
            owned = _OWNED_STAGE.match(stale.name)
            if (owned and gone is not None and gone(owned.group(1))) or time.time() - stale.stat().st_mtime > age:
                if stale.is_dir():
                    shutil.rmtree(stale, ignore_errors=True)
                else:
                    stale.unlink(missing_ok=True)
    except OSError:
        pass


def staged(data: bytes, folder: Path, *, owner: str | None = None, suffix: str = "", durable: bool = True) -> str:
    """`data` in a new temporary file in `folder` (on disk, when `durable`), readable as the documents are; named
    after the build's lease (`owner`), so that one a killed build leaves in a versions folder is swept as its
    staging is. Its path."""
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=_stage_prefix(owner), suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), FILE_MODE)
            f.write(data)
            f.flush()
            if durable:
                os.fsync(f.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


_NO_LINKS = (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS)  # a share without hard links


def link_new(tmp: str, path: Path, data: bytes) -> bool:
    """The staged file `tmp` put at `path` all at once and never over another file (a hard link), or, on a share
    without hard links, `data` written there directly (never over another either; removed if the write fails).
    False when a file is there already."""
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    except OSError as e:
        if e.errno not in _NO_LINKS:
            raise
    try:
        with open(path, "xb") as f:
            try:
                f.write(data)
            except OSError:
                path.unlink(missing_ok=True)
                raise
        return True
    except FileExistsError:
        return False


def _same_version(target: Path, paths: list[Path], stamp: bytes, memo: str) -> list[Path]:
    """The files of the version already there for this content, as it was built: a version made before
    PDFs were asked for has its Word files only, and keeps them only."""
    try:
        same = (target / CONTENT).read_bytes() == stamp and _complete(paths)
    except OSError:
        same = False
    if not same:
        raise VersionConflict(target, memo)
    return [p for p in paths if p.is_file()]


def _complete(paths: list[Path]) -> bool:
    """Every Word file of a version is there (its PDFs and bundle may not be: they are made when asked for)."""
    return all(p.is_file() for p in paths if p.suffix == ".docx")


@contextmanager
def report_lock(lock_dir: Path, folder: Path):
    """One process at a time updates a report's current view (the lock file is on local disk)."""
    if not lock_dir.is_dir():
        lock_dir.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(str(Path(folder).resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    with open(lock_dir / f"{name}.lock", "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def current(folder: Path) -> tuple[str, int] | None:
    """(prefix, serial) of the report's current version, from CURRENT.txt."""
    try:
        text = (folder / CURRENT).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    serial = re.search(r"^serial: (\d+)$", text, re.M)
    prefix = re.search(r"^prefix: (.*)$", text, re.M)
    return (prefix.group(1) if prefix else "", int(serial.group(1))) if serial else None


def update_current(folder: Path, *, prefix: str, serial: int, memo: str, source: str, paths: list[Path],
                   lock: AbstractContextManager[object], reused: bool = False) -> bool:
    """Under `lock` (stores.view_lock: one process on any server at a time), make this version the current view
    unless the current one has a higher serial in the same memo sequence (a version under another prefix, a new
    file code, is newer); True if it now is. `reused`: a version built before (the same content again, or one
    whose build was killed before it became visible) becomes current only when its serial is higher in the same
    sequence, or nothing is current yet. Only copies change here, all staged before any is put in place: the
    versions themselves are never touched."""
    with lock:
        now = current(folder)
        if now is not None and now[0] in (prefix, "") and now[1] >= serial + (0 if reused else 1):
            return False
        if now is not None and reused and now[0] not in (prefix, ""):
            return False
        staged = []
        try:
            for p in paths:
                staged.append((_stage_copy(folder, p), folder / p.name))
            for tmp, final in staged:
                os.replace(tmp, final)
        finally:
            for tmp, _ in staged:
                tmp.unlink(missing_ok=True)
        lines = ["বর্তমান সংস্করণ / current version", f"memo: {memo}", f"prefix: {prefix}", f"serial: {serial}",
                 f"source: {source}", f"built: {dt.datetime.now(clock.DHAKA).isoformat(timespec='seconds')}",
                 f"folder: {paths[0].parent.relative_to(folder)}" if paths else "",
                 *(f"file: {p.name}" for p in paths),
                 f"সব সংস্করণ {VERSIONS}/ ফোল্ডারে, বাতিল জমা {REJECTED}/ ফোল্ডারে / "
                 f"every version is in {VERSIONS}/, rejected submissions in {REJECTED}/"]
        write_atomic(folder / CURRENT, ("\n".join(lines) + "\n").encode("utf-8"), durable=False)
        return True


def _stage_copy(folder: Path, source: Path) -> Path:
    """A copy of `source` under a temporary name in `folder`; none left behind when it cannot be written whole
    (a full disk)."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=source.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), FILE_MODE)
            f.write(source.read_bytes())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def submission_tag(submission: int | None) -> str:
    """The folder of one rejected submission: its ledger number, or the time when it has none."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return f"{submission:06d}" if submission is not None else stamp


def write_rejection(folder: Path, tag: str, files: dict[str, bytes]) -> list[Path]:
    """A rejected submission's reports, in rejected/<tag>/ (never beside a letter, never shared)."""
    target = folder / REJECTED / tag
    if target.exists():  # the same submission tried again: keep the first reports, add a new set
        target = folder / REJECTED / f"{tag}-{submission_tag(None)}"
    out = []
    try:
        for name, data in files.items():
            write_atomic(target / name, data)
            out.append(target / name)
    except OSError as e:
        raise WriteError(getattr(e, "filename", None) or target, e) from None
    return out
