"""What the service does with a file that arrives, by the watch folder or the web page: note it in the
ledger, build it in an isolated worker, then move it to archive/ or rejected/ beside its reports.

Whatever the file is or does (deleted half-way, a link, a name that is not UTF-8, a workbook that kills
its worker), it ends with one line in the ledger and the caller goes on to the next.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import tempfile
import time
from pathlib import Path

from generator.records import store, stores
from generator.records.ledger import Ledger
from generator.records.register import Register
from generator.records.state import StateError
from generator.service import ledgering
from generator.service.ledgering import ARCHIVE_DIR, REJECTED_DIR
from generator.service.builds import BuildPool, set_aside_after_stops
from generator.service.result import Result, only_lost
from generator.spec.status import BUILT, FAILED, REJECTED
from generator.text import clock, names
from generator.xlsx.source import Source, holds, load, unchanged

log = logging.getLogger("gen.intake")

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
MAX_ATTEMPTS = 2  # a file in hand when the service died is tried once more, then set aside


NAME_BYTES = 255  # a file name, in bytes, on Linux and on a Windows share


def fit(stem: str, suffix: str) -> str:
    """stem + suffix, the stem cut (between characters) so that the name fits a file system."""
    room = NAME_BYTES - len(suffix.encode("utf-8", "surrogateescape"))
    return stem.encode("utf-8", "surrogateescape")[:room].decode("utf-8", "ignore") + suffix


# what a file set aside in rejected/ gets beside it, named after it as moved
REPORT_SUFFIXES = (".errors.txt", ".annotated.xlsx")


def _unique(target: Path, *, stem: str | None = None, suffix: str | None = None,
            beside: tuple[str, ...] = ()) -> Path:
    """TARGET, or 'STEM (2)SUFFIX' and on, the first name free, with every STEM+b of `beside` free too (a report
    named after the file must not meet a file of that name already there); the stem cut to fit, never the suffix."""
    stem, suffix = (target.stem if stem is None else stem), (target.suffix if suffix is None else suffix)
    longest = max((suffix, *beside), key=lambda s: len(s.encode("utf-8", "surrogateescape")))
    for n in range(1, 10000):
        mark = f" ({n})" if n > 1 else ""
        cut = fit(stem, mark + longest)[:-len(mark + longest)] + mark  # room for the longest name of the set
        candidate = target.with_name(cut + suffix)
        if not os.path.lexists(candidate) and not any(os.path.lexists(target.with_name(cut + b)) for b in beside):
            return candidate
    raise FileExistsError(target)


def _move(path: Path, inbox: Path, where: str) -> Path:
    top = inbox / where
    if os.path.lexists(top) and (top.is_symlink() or not top.is_dir()):  # a stray file or link has our folder's
        # name (a link to a folder elsewhere, a built version's, say, would take the file there): set it aside
        aside = _unique(inbox / f"{where}.file")
        os.replace(top, aside)
        if path == top:
            path = aside
    target = _destination(inbox, where, path.name)
    info = os.lstat(path)
    if stat.S_ISREG(info.st_mode) and info.st_nlink > 1:  # a hard link (to a built letter, say): the copy kept
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")  # here is a file of its own, so that
        os.close(fd)                                                      # editing it changes nothing else
        try:
            shutil.copyfile(path, tmp)
            shutil.copymode(path, tmp)  # readable by whom the file was, not mkstemp's owner-only
            os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)
        path.unlink()
        return target
    os.replace(path, target)
    return target


def _destination(inbox: Path, where: str, name: str) -> Path:
    folder = inbox / where / (clock.today().isoformat() if where == ARCHIVE_DIR else "")
    folder.mkdir(parents=True, exist_ok=True)
    if where == REJECTED_DIR:  # its reports will go beside it: 'X.xlsx' is not taken when 'X.errors.txt' is there
        return _unique(folder / name, beside=(*REPORT_SUFFIXES, Path(name).suffix + ".reason.txt"))
    return _unique(folder / name)


def utf8_name(path: Path) -> Path:
    """A file whose name is not valid UTF-8 (a share mounted with the wrong charset) renamed in place to one
    that is, the undecodable bytes replaced by '_'; other paths as they are."""
    if not names.undecodable(path.name):
        return path
    fixed = os.fsencode(path.name).decode("utf-8", "replace").replace("\ufffd", "_")
    target = _unique(path.with_name(fixed))
    os.replace(path, target)
    log.warning("renamed %s to %s: the name was not UTF-8", ascii(path.name), target.name)
    return target


def _note(moved: Path, bn: str, en: str) -> None:
    _beside(moved, moved.name, ".reason.txt", f"{moved.name}: {bn}\n{moved.name}: {en}\n".encode())


def _beside(moved: Path, stem: str, suffix: str, data: bytes) -> Path:
    """`data` beside `moved` as STEM+SUFFIX (or 'STEM (2)SUFFIX' …): whole or not at all (staged, then linked: a
    full disk leaves no empty report), and never over a file already there (a submitted file named like a report:
    'bad.annotated.xlsx' sent, then bad.xlsx's marked copy)."""
    tmp = store.staged(data, moved.parent, durable=False)
    try:
        for _ in range(100):
            target = _unique(moved, stem=stem, suffix=suffix)  # 'X (2).errors.txt', never 'X.errors (2).txt'
            if store.link_new(tmp, target, data):
                return target
        raise FileExistsError(moved.with_name(fit(stem, suffix)))
    finally:
        Path(tmp).unlink(missing_ok=True)


def _ours(folder: Path, inbox: Path, out_root: Path, state_dir: Path) -> bool:
    """Whether a folder in the inbox is the service's own: its archive/ or rejected/, or one that is, holds or
    is inside the output root or the state folder (gen watch refuses that layout; never moved all the same)."""
    if folder.name in (ARCHIVE_DIR, REJECTED_DIR) and os.path.realpath(folder.parent) == os.path.realpath(inbox):
        return True
    return any(nested(folder, other) for other in (out_root, state_dir))


def nested(a: Path | str, b: Path | str) -> bool:
    """Whether two folders are one, or one is inside the other (links followed)."""
    a, b = Path(os.path.realpath(a)), Path(os.path.realpath(b))
    return a == b or a in b.parents or b in a.parents


def receive(path: Path, *, inbox: Path, out_root: Path, state_dir: Path, pool: BuildPool, route: str = "watch",
            owner: str | None = None, **options) -> int | None:
    """Handle one file that arrived in `inbox` for `owner` (the service's lease); its ledger id, or None when
    it vanished before it was read. `options` go to the build (the PDF settings)."""
    started = time.monotonic()
    try:
        info = os.lstat(path)
        path = utf8_name(path)
    except FileNotFoundError:
        log.info("gone before it was read: %s", path.name)
        return None
    if stat.S_ISDIR(info.st_mode) and _ours(path, inbox, out_root, state_dir):
        log.warning("%s: a folder of the service's own in the inbox, left where it is", ascii(path.name))
        return None
    with Ledger(state_dir) as ledger:
        if not stat.S_ISREG(info.st_mode):
            return _set_aside(path, inbox, ledger, route, "not a regular file",
                              "এটি সাধারণ ফাইল নয় (লিংক, ফোল্ডার বা বিশেষ ফাইল), তাই খোলা হয়নি। আসল ফাইলটি কপি করে রাখুন।",
                              "not a regular file (a link, folder or special file), so it was not opened. "
                              "Copy the real file into the folder.")
        if path.suffix.lower() not in WORKBOOK_SUFFIXES:
            return _set_aside(path, inbox, ledger, route, "not a workbook",
                              "এটি Excel ওয়ার্কবুক (.xlsx) নয়, তাই গ্রহণ করা হয়নি। 'gen template' দিয়ে পাওয়া ছক পূরণ করে পাঠান।",
                              "not an Excel workbook (.xlsx), so it was not taken. Fill the workbook from 'gen template'.")
        try:
            source = load(path)
        except FileNotFoundError:
            log.info("gone before it was read: %s", path.name)
            return None
        log.info("received %s", path.name)
        earlier = ledger.done_with(source.digest)
        if earlier is not None and earlier.name == path.name and earlier.moved_to is None and earlier.route == route:
            return _move_again(path, inbox, ledger, earlier, source)  # this very file, handled before but not moved
        id = ledger.start(path.name, source.digest, route=route, owner=owner)
        if earlier is not None:
            moved, _ = _move_handled(path, inbox, ARCHIVE_DIR if earlier.status == BUILT else REJECTED_DIR, source)
            ledgering.finish_duplicate(ledger, id, earlier, str(moved) if moved else None,
                                       seconds=time.monotonic() - started, owner=owner)
            if earlier.status == BUILT:
                log.info("duplicate %s: same as %s, memo %s, nothing new built", path.name, earlier.name, earlier.memo)
            else:  # no memo to name: the same file was refused (or not written) before
                log.info("duplicate %s: same as %s, which was %s; nothing new built", path.name, earlier.name,
                         earlier.status)
            if earlier.status == BUILT:  # this file's own killed try may have staged beside the version built since
                stores.Folder(Path(out_root), state_dir, owner).sweep_beside(earlier.outputs)
            return id
        record = ledger.get(id)
        if record is not None and record.attempts > MAX_ATTEMPTS and not _issued(state_dir, id):
            result = set_aside_after_stops(path, record.attempts - 1)
            with Register(state_dir) as register:
                register.take_over([id], owner) if owner else register.release_submission(id)
            from generator.service import pipeline  # the build's own stack (Jinja, fonts) is the workers'

            result = pipeline.report_rejection(result, source, Path(out_root), id)
        else:  # a letter issued before a stop is made again as it was dated (pipeline._dated_before), its memo kept
            resumed = owner is not None and record is not None and record.attempts > 1
            if resumed:  # a stopped try's reserved serial becomes this owner's: the same content reuses it
                _settle_reservations(state_dir, id, owner, adopt=True)
            result = pool.build(source, out_root=out_root, state_dir=state_dir, submission=id, owner=owner, **options)
            if only_lost([i.code for i in result.issues if i.severity == "error"]):  # perhaps the service's doing (a stalled worker, a busy machine): once more
                log.warning("%s: the build stopped (%s); trying once more in a fresh worker", path.name,
                            result.issues[0].code)
                stopped, result = result, pool.build(source, out_root=out_root, state_dir=state_dir, submission=id,
                                                     owner=owner, **options)
                if result.status == BUILT:  # the report of the stopped try would contradict the letter beside it
                    for stale in stopped.outputs:
                        Path(stale).unlink(missing_ok=True)
            if resumed:  # one this build did not use (refused now, say) is given back, never left reserved for ever
                _settle_reservations(state_dir, id, owner, adopt=False)
        status = result.final
        if status == FAILED:  # not the file's fault: leave it in the inbox for when the disk is fixed
            moved, unmoved = None, None
        elif not unchanged(source):  # saved over while it was built: the new one is another submission
            moved, unmoved = _keep_built(path, inbox, ARCHIVE_DIR if status == BUILT else REJECTED_DIR, source), REPLACED
            log.warning("%s was replaced while it was built; the new one stays in the inbox", path.name)
        else:
            moved, unmoved = _move_handled(path, inbox, ARCHIVE_DIR if status == BUILT else REJECTED_DIR, source)
        if moved is not None and status == REJECTED:
            for output in result.outputs:  # the error report and the marked-up copy go beside it, named after it
                report = Path(output)
                try:
                    _beside(moved, moved.stem, "".join(report.suffixes[-2:]), report.read_bytes())
                except OSError as e:
                    log.warning("could not copy %s beside %s: %s", report.name, moved.name, e)
        seconds = time.monotonic() - started
        note = None if result.memo_reused else unmoved  # None: ledgering.note_of says it
        ledgering.finish(ledger, id, result, moved_to=str(moved) if moved else None, note=note, seconds=seconds,
                         owner=owner)
    _log_result(path, result, seconds)
    return id


REPLACED = ("the file was replaced while it was built: the bytes built are kept in the archive, the new one "
            "stays in the inbox, to be built as it comes")


def _keep_built(path: Path, inbox: Path, where: str, source: Source) -> Path | None:
    """The bytes that were built, written where the file would have gone (they are no longer at `path`)."""
    if source.data is None:  # too large to have been held (and so refused unread): nothing to keep
        log.warning("%s was replaced while it was handled; the bytes handled were not kept", path.name)
        return None
    try:
        target = _destination(inbox, where, path.name)
        store.write_atomic(target, source.data)
        return target
    except OSError as e:
        log.error("could not keep the built copy of %s in %s/: %s", path.name, where, e.strerror or e)
        return None


def _move_or_none(path: Path, inbox: Path, where: str) -> tuple[Path | None, str | None]:
    """(where the file went, None), or (None, the true reason it did not go)."""
    try:
        return _move(path, inbox, where), None
    except FileNotFoundError:
        log.warning("%s vanished before it could be moved to %s/", path.name, where)
        return None, "the file vanished before it could be moved"
    except OSError as e:
        if path.name not in _TOLD:  # said once, not at every rescan
            log.error("%s could not be moved to %s/: %s; it stays in the inbox", path.name, where, e.strerror or e)
            _TOLD.add(path.name)
        return None, f"the file could not be moved to {where}/: {e.strerror or e}"


_TOLD: set[str] = set()


def _move_handled(path: Path, inbox: Path, where: str, source: Source) -> tuple[Path | None, str | None]:
    """The file handled (the bytes of `source`) moved out of the inbox, as `_move_or_none`. A file dropped under
    its name after the last look, just before the move (a corrected copy sent the moment the first was built),
    is what a move by name takes: it is put back in the inbox, as the new file it is, and the bytes handled are
    kept from memory."""
    moved, why = _move_or_none(path, inbox, where)
    if moved is None or holds(moved, source):
        return moved, why
    back = _put_back(moved, path)
    log.warning("%s was replaced as it was moved; the new one is back in the inbox as %s", path.name,
                back.name if back else "(could not be put back: see the log)")
    return _keep_built(path, inbox, where, source), REPLACED


def _put_back(moved: Path, path: Path) -> Path | None:
    """A file moved by mistake, back into the inbox under its name, or `name (2)` when yet another took it: never
    over a file (a hard link, then the moved name removed)."""
    for target in (path, _unique(path)):
        try:
            os.link(moved, target)
        except FileExistsError:
            continue
        except OSError as e:
            log.error("could not put %s back in the inbox: %s; it is at %s", path.name, e.strerror or e, moved)
            return None
        moved.unlink()
        return target
    return None


def _move_again(path: Path, inbox: Path, ledger: Ledger, earlier, source: Source) -> int:
    """A file already built (or rejected) that could not be moved then: one more try, on its own entry."""
    moved, why = _move_handled(path, inbox, ARCHIVE_DIR if earlier.status == BUILT else REJECTED_DIR, source)
    if moved is not None:
        ledger.moved(earlier.id, str(moved))
        _TOLD.discard(path.name)
        log.info("%s moved to %s at last", path.name, moved)
    return earlier.id


def _settle_reservations(state_dir: Path, id: int, owner: str | None, *, adopt: bool) -> None:
    """A resumed entry's serials still reserved: adopted from the stopped owner before its build, or given back
    after it (those it did not use). The database out of reach: they stay reserved, and `gen register` says so."""
    try:
        with Register(state_dir) as register:
            if adopt and owner:
                register.adopt([id], owner)
            else:
                register.release_submission(id, owner=owner)
    except StateError as e:
        log.warning("could not settle the serials reserved for entry %s: %s", id, e.en)


def _issued(state_dir: Path, id: int) -> bool:
    """Whether the register issued a memo to this entry: its letter was built before the service stopped (between
    the confirmation and the file's move, or before the letter was in place), so the file is made again, not set
    aside."""
    with Register(state_dir) as register:
        return register.issued_for(id) is not None


def _set_aside(path: Path, inbox: Path, ledger: Ledger, route: str, why: str, bn: str, en: str) -> int | None:
    moved, _ = _move_or_none(path, inbox, REJECTED_DIR)
    if moved is None:
        return None
    try:
        _note(moved, bn, en)
    except OSError as e:
        log.error("could not write the reason beside %s: %s", moved.name, e)
    id = ledger.start(path.name, "", route=route)
    ledger.finish(id, REJECTED, moved_to=str(moved), note=why)
    log.warning("rejected %s: %s", path.name, why)
    return id


def _log_result(path: Path, result: Result, seconds: float) -> None:
    if result.status == BUILT:
        event = "built (its memo reused: the same content)" if result.memo_reused else "built"
        log.info("%s %s: %s, memo %s, %.2fs", event, path.name, result.office, result.memo, seconds)
    else:
        # the cause, not a warning found on the way (an achievement left blank before the database was found locked)
        first = next((i for i in result.issues if i.is_error), result.issues[0] if result.issues else None)
        log.warning("%s %s: %s %s %s, %.2fs", "not written" if result.status == FAILED else "rejected", path.name,
                    first.code if first else "", first.where if first else "", first.en if first else "", seconds)
    for issue in result.issues:
        log.debug("  %s %s %s: %s", issue.severity, issue.where, issue.code, issue.en)
