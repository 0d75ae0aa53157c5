"""Uploaded workbooks: kept in the state folder's uploads/ until built, through the same intake as the watch
folder; those left by a server that stopped are built again by the next one, with their evidence. With the queue
(a PostgreSQL state) they are kept in the output root's .uploads/, their evidence in .uploads/.evidence/<tag>/,
and the job names the evidence for the worker that builds it (service/queue_worker.py)."""

from __future__ import annotations

import fcntl
import logging
import threading
import time
import uuid
from pathlib import Path

from starlette.datastructures import UploadFile

from generator.records import store
from generator.records.held_register import RegisterReplaced
from generator.records.ledger import Ledger
from generator.records.register import Register
from generator.records.state import StateError
from generator.service import intake, ledgering, queue
from generator.web import evidence
from generator.web.desk import Desk

log = logging.getLogger("gen.web")


def new_tag(desk: Desk) -> str:
    """An upload's own tag: the start of its name in uploads/ and of its evidence folder."""
    tag = uuid.uuid4().hex[:8]
    while tag.isdigit() or evidence.folder_of(desk.evidence, tag).exists():  # a letter in it: never read as a date
        tag = uuid.uuid4().hex[:8]
    return tag


def keep(desk: Desk, name: str, data: bytes, proof: list[UploadFile], tag: str) -> tuple[Path, Path]:
    """Keep the upload (and its evidence) in the state folder until it is built: a server stopped meanwhile
    builds it. (the kept workbook, its evidence folder); OSError when it cannot be kept, and then nothing is."""
    desk.uploads.mkdir(parents=True, exist_ok=True)
    _mark_served(desk.uploads)
    safe = intake.fit(store.safe_name(Path(name).stem, "workbook"), Path(name).suffix.lower())
    folder = evidence.folder_of(desk.evidence, tag)
    target = desk.uploads / intake.fit(f"{tag}-{Path(safe).stem}", Path(safe).suffix)
    try:
        evidence.save(proof, folder) if proof else None
        target.write_bytes(data)
    except OSError:
        target.unlink(missing_ok=True)
        evidence.remove(folder)
        raise
    return target, folder


def build(desk: Desk, target: Path, folder: Path) -> int | None:
    """Build a kept upload (in a worker); its ledger id, or None if it vanished meanwhile. RegisterReplaced (the
    upload kept) when the state folder's register is no longer the one the server started with."""
    desk.register.check()
    saved = evidence.kept_for(desk.evidence, target)
    id = intake.receive(target, inbox=desk.uploads, out_root=desk.out_root, state_dir=desk.state_dir, pool=desk.pool,
                        route="web", owner=desk.owner, pdf=evidence.settings(desk.pdf, saved))
    if not target.exists():  # archived or rejected: the bundle holds the evidence now, or it was refused
        evidence.remove(folder)
    return id


def enqueue(desk: Desk, target: Path) -> None:
    """A kept upload into the job queue (a PostgreSQL state): a worker builds it and moves it beside uploads."""
    assert desk.queue is not None
    proof = tuple(str(p.relative_to(desk.out_root)) for p in evidence.kept_for(desk.evidence, target))
    desk.queue.defer(queue.FileJob(str(target), str(desk.uploads), str(desk.out_root), "web", proof, bundle=True))


REQUEUE_EVERY = 60.0  # seconds between looks for uploads kept but not in the queue (with the queue)


def requeue(desk: Desk, stop: threading.Event, older_than: float = REQUEUE_EVERY) -> None:
    """With the queue, at start and then every minute until `stop`: the uploads kept in .uploads/ for longer than
    `older_than` seconds (a server stopped between keeping one and queueing it, or the database was out of reach
    then) queued again. One already waiting is not queued twice; one being built is left to its job (another
    queued behind it finds it gone)."""
    wait = 0.0
    while not stop.wait(wait):
        wait = REQUEUE_EVERY
        if not desk.uploads.is_dir():
            continue
        now = time.time()
        _sweep_orphans(desk, now - older_than)
        for path in sorted(desk.uploads.iterdir()):
            try:
                if not path.is_file() or path.name.startswith(".") or now - path.stat().st_mtime < older_than:
                    continue
                enqueue(desk, path)
            except (OSError, StateError) as e:  # the pages answer anyway: tried again at the next look
                log.error("could not queue %s again: %s", ascii(path.name), getattr(e, "en", e))
                break


def _sweep_orphans(desk: Desk, before: float) -> None:
    """With the queue: evidence folders with no upload kept beside them, made before `before` (a server stopped
    between keeping the evidence and the workbook; a worker removes those of the uploads it builds)."""
    if not desk.evidence.is_dir():
        return
    waiting = {p.name.split("-", 1)[0] for p in desk.uploads.iterdir() if p.is_file()}
    for folder in desk.evidence.iterdir():
        try:
            if folder.is_dir() and folder.name not in waiting and folder.stat().st_mtime < before:
                log.info("removing evidence with no upload: %s", folder.name)
                evidence.remove(folder)
        except OSError:  # removed meanwhile by a worker or another server
            continue


def status(desk: Desk, kept: Path) -> tuple[str, int | None]:
    """Where a queued upload is: ('done', its ledger id), ('building', id), ('queued', None), or ('lost', None)
    when it is neither kept nor in the ledger. A worker notes the file in the ledger before it moves it: one gone
    from its folder is looked for in the ledger once more (it may have been noted and moved since the first look)."""
    with Ledger(desk.state_dir) as ledger:
        for _ in range(2):
            record = ledger.latest(kept.name, "web")
            if record is not None:
                return ("building" if record.status == "processing" else "done"), record.id
            if kept.exists():
                return "queued", None
    return "lost", None


def _mark_served(uploads: Path) -> None:
    """The uploads folder holds the lock file a served folder has (locked only by the server that recovers it,
    `leftovers`): with it, what is archived or rejected there is known as a record, never written over
    (store.refuse_over_record), on the queue's shared .uploads/ too, which no server locks."""
    open(uploads / store.SERVE_LOCK, "a").close()


def leftovers(desk: Desk, held: list) -> list[Path] | None:
    """Uploads in hand when a server stopped: built again by this one (intake sets aside one tried twice).
    Only one server recovers a state folder's uploads: the one holding its lock (kept open in `held`); None for
    the others, and where no upload was ever kept."""
    if not desk.uploads.is_dir():  # no upload was ever kept here: none left, and no entry left open
        return None
    try:
        lock = open(desk.uploads / store.SERVE_LOCK, "a")
    except OSError as e:  # the pages still answer; what a stopped server left waits for a start that can
        log.error("cannot look at the uploads a stopped server left: %s", e)
        return None
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        return None
    held.append(lock)  # kept open, so kept locked, while the server runs
    evidence.sweep(desk.evidence, desk.uploads)  # before any request: the evidence of uploads no longer waiting
    return [p for p in sorted(desk.uploads.iterdir()) if p.is_file() and not p.name.startswith(".")]


def recover(desk: Desk, paths: list[Path] | None, stop: threading.Event | None = None) -> None:
    """Build the uploads a stopped server left; one with evidence only when this server makes PDFs (its bundle
    is what it was sent for): otherwise it stays kept, for a start with PDFs, and its page says so. Then, while
    the server runs (until `stop`), close the entries a stopped server left open after their upload had moved on,
    as soon as its lease runs out. `paths` None: another server recovers this state folder's uploads."""
    if paths is None:
        return
    for path in paths:
        if stop is not None and stop.is_set():  # the server is stopping: the rest wait for its next start
            return
        if not desk.register.intact():
            log.error("%s", RegisterReplaced(desk.register.path).en)
            return
        kept = evidence.kept_for(desk.evidence, path)
        if kept and desk.pdf is None:
            log.warning("%s: left waiting with its %d evidence files: this server makes no PDFs", path.name, len(kept))
            continue
        intake.receive(path, inbox=desk.uploads, out_root=desk.out_root, state_dir=desk.state_dir, pool=desk.pool,
                       route="web", owner=desk.owner, pdf=evidence.settings(desk.pdf, kept))
        if not path.exists():
            evidence.remove(evidence.folder_of(desk.evidence, path.name.split("-", 1)[0]))
    wait = 0.0
    while stop is not None and not stop.wait(wait):
        wait = LOOK_FOR_ORPHANS_EVERY
        try:
            close_orphans(desk)
        except StateError as e:  # the pages answer anyway: looked at again next time
            log.error("could not look for uploads left open: %s", e.en)


LOOK_FOR_ORPHANS_EVERY = 5.0  # seconds


def close_orphans(desk: Desk) -> None:
    """Entries of this uploads folder whose server's lease ran out after their upload had moved on (to the archive,
    or set aside), before the entry was closed (killed between the two): built, rejected or done, as the watcher
    closes its own (ledgering.close_moved). Before: the upload's page said "building" for ever."""
    assert desk.owner is not None
    if not desk.register.intact():  # its builds say so; nothing is written meanwhile
        return
    with Ledger(desk.state_dir) as ledger:
        left = [r for r in ledger.orphans("web", scope=str(desk.uploads)) if not (desk.uploads / r.name).exists()]
        if not left:
            return
        with Register(desk.state_dir) as register:
            for record in left:
                log.info("closing %s, left open by a server that stopped after its upload moved on", record.name)
                ledgering.close_moved(ledger, register, record, desk.uploads, desk.owner,
                                      why="the server stopped before it recorded it")
