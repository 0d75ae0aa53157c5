"""Which report printed each memo, kept in the output folder itself (`.memos/`): one memo, one letter, even
when two registers write one output folder (a second `--state`, a build in a container with a state of its own).
Each register numbers only what it knows; the output folder is where their letters meet, so a memo is claimed
there before its letter is confirmed, and a memo another report holds is refused as `memo-exists` (the pipeline
voids the serial and takes the next one)."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.records import store
from generator.spec.memo import number as memo_number

MEMOS = ".memos"


def _name(memo: str) -> str:
    return hashlib.sha256(memo.encode("utf-8")).hexdigest()[:40]


@contextmanager
def claimed(root: Path, memo: str, report: str, register: str = "", owner: str = "",
            ran_out: Callable[[str], bool] = lambda owner: False,
            holds: Callable[[str], bool] = lambda owner: True, *, issued: bool = False) -> Iterator[None]:
    """`memo` claimed for the report at `root/report` while its version is written, by `register` (its
    identity) under the lease `owner`: VersionConflict (naming the other report's version) when another report
    holds it, or another register is writing this report's letter under it, unless this report's version of it
    is already there (a letter built before claims were kept). A claim of the same register whose letter is not
    there and whose owner's lease ran out by this state's clock (`ran_out`) is taken over: that register gave the
    serial again, and decides who confirms. A claim this build made is given back if its version did not become
    visible and its lease still `holds` (has a while to run: a build whose lease ran out may have had its claim
    taken over); one another register's killed build left stays (a gap, never a memo on two letters). A memo the
    register has `issued` to this content keeps its claim whatever becomes of this build: a build of the same
    content stopped after its confirmation may yet put its letter in place."""
    try:
        folder = _folder(Path(root))
        made = _claim(folder, memo, report, register, owner, ran_out)
    except OSError as e:  # a full or read-only output disk: told as any write there is
        raise store.WriteError(getattr(e, "filename", None) or Path(root) / MEMOS, e) from None
    try:
        yield
    except BaseException:
        if made and not issued and not _visible(Path(root), report, memo) and (not owner or holds(owner)):
            _give_back(folder / _name(memo), _text(report, register, owner))
        raise


def _text(report: str, register: str, owner: str) -> bytes:
    return f"{report}\n{register}\n{owner}".encode("utf-8")


def _give_back(path: Path, text: bytes) -> None:
    """Remove a claim, if it is still this build's (its register may have taken it over for another build). It is
    moved aside first and looked at there: a claim taken over between a look and a removal would be removed; one
    taken over before the move is put back."""
    aside = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}")
    try:
        os.rename(path, aside)
    except OSError:
        return
    try:
        held = aside.read_bytes()
        if held != text:  # another build's: back in place, never over a claim made meanwhile (link_new writes it
            store.link_new(str(aside), path, held)  # on a share without hard links)
    except OSError:
        pass
    finally:
        aside.unlink(missing_ok=True)


def _visible(root: Path, report: str, memo: str) -> bool:
    return (root / report / store.VERSIONS / store.version_name(memo) / store.CONTENT).exists()


def _claim(folder: Path, memo: str, report: str, register: str, owner: str, ran_out: Callable[[str], bool]) -> bool:
    """True when this call made the claim (or took it over), False when the report held it already."""
    path = folder / _name(memo)
    text = _text(report, register, owner)
    tmp = store.staged(text, folder.parent / report / store.VERSIONS, owner=owner)  # swept with its staging
    try:
        for _ in range(5):  # a claim given back between our try and our reading it: try again
            if store.link_new(tmp, path, text):
                return True
            try:
                holder, by, held_by = _holder(path)
                break
            except FileNotFoundError:
                continue
        else:
            raise FileExistsError(errno.EEXIST, "claimed and given back, again and again", str(path))
        if _visible(folder.parent, report, memo):
            return False
        if holder == report and by in ("", register) and not (by and held_by != owner and ran_out(held_by)):
            return False  # this report's already (a build of the same content, alive, may be writing it)
        if register and by == register and not _visible(folder.parent, holder, memo) and ran_out(held_by):
            # the register gave the serial again (to this report's next content too): the claim is this build's
            # now, named so, and a stale build that wakes never takes it for its own
            os.replace(tmp, path)
            return True
    finally:
        Path(tmp).unlink(missing_ok=True)
    raise store.VersionConflict(folder.parent / holder / store.VERSIONS / store.version_name(memo), memo)


def printed_through(root: Path, prefix: str, serial: int, most: int = 100_000) -> int:
    """The last of the run of serials from `serial` on whose memos under `prefix` are claimed in the output
    folder: the register that met `serial` there skips to the one after (one void entry, not one per build)."""
    folder = Path(root) / MEMOS
    last = serial
    while last - serial < most and (folder / _name(memo_number(prefix, last + 1))).exists():
        last += 1
    return last


def _holder(path: Path) -> tuple[str, str, str]:
    """(report, register, owner) of a claim; register and owner are blank for one made from a version's stamp."""
    for _ in range(40):  # a claim made without hard links is written just after it is created
        text = path.read_bytes().decode("utf-8", "replace")
        if text:
            report, register, owner = (text.split("\n") + ["", ""])[:3]
            return report, register, owner
        time.sleep(0.05)
    return "?", "", ""


def _subfolders(folder: Path) -> list[Path]:
    """The folders in `folder`; none when it is gone. Path.glob raised instead when a folder it had listed went
    before it looked inside: another build's `.tmp-memos-…` renamed to `.memos`, which failed one of two first
    builds into a new output folder with "could not write"."""
    try:
        with os.scandir(folder) as entries:
            return [Path(entry.path) for entry in entries if entry.is_dir()]
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return []


def _folder(root: Path) -> Path:
    """`root/.memos`, made on first use from the versions already in the output folder (so letters built before
    claims were kept are claimed too). Every process that finds it missing builds one; the first to rename wins."""
    folder = root / MEMOS
    if folder.is_dir():
        return folder
    root.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(dir=root, prefix=".tmp-memos-"))
    try:
        for memo, report in _built(root):
            claim = fresh / _name(memo)
            if not claim.exists():
                claim.write_bytes(report.encode("utf-8"))
        os.chmod(fresh, store.DIR_MODE)
        try:
            os.rename(fresh, folder)
        except OSError as e:
            if e.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return folder


def _built(root: Path) -> Iterator[tuple[str, str]]:
    """(memo, report) of each version under `root`, from its `.content` stamp."""
    reports = [root]
    for _ in range(3):  # year / office / report
        reports = [sub for folder in reports for sub in _subfolders(folder)]
    stamps = [version / store.CONTENT for report in reports for version in _subfolders(report / store.VERSIONS)]
    for stamp in sorted(s for s in stamps if s.exists()):
        try:
            first = stamp.read_text(encoding="utf-8").splitlines()[0]
        except (OSError, UnicodeDecodeError, IndexError):
            continue
        if first.startswith("memo: "):
            yield first[len("memo: "):], stamp.parent.parent.parent.relative_to(root).as_posix()
