"""`gen worker`: runs the queue's jobs (service/queue.py) on this machine, each build in an isolated worker process
with today's memory and time limits (service/workers.py) and the warm LibreOffice of the run.

A worker holds a lease (records/owners.py) under which it reserves serials and owns ledger entries, and
procrastinate keeps a heartbeat for it. A worker that stops without a word (kill -9, a machine gone) leaves its
job `doing`: every other worker looks for such stalled jobs (no heartbeat for GEN_LEASE_SECONDS) and puts them
back in the queue. The worker that takes one waits until the dead worker's lease has run out too, adopts its
reserved serial, and builds the file again through intake: the same content gets the same serial and the same
version folder (records/register.py, records/store.py), and the file's ledger entry is resumed, not doubled."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import shutil
import socket
import time
from pathlib import Path

from generator.documents.settings import PdfSettings
from generator.records.ledger import Ledger
from generator.records.owners import LEASE_S, Lease
from generator.records.register import Register
from generator.records import state
from generator.records.state import StateError
from generator.service import intake, ledgering, queue
from generator.service.builds import BuildPool
from generator.service.workers import Limits
from generator.xlsx.source import load

log = logging.getLogger("gen.worker")
STALLED_CHECK_S = max(1.0, LEASE_S / 3)  # how often a worker looks for the jobs of a worker that stopped


class FileBuilder:
    """What one job does on this worker: the file built through intake, under this worker's lease."""

    def __init__(self, state_dir: Path, pool: BuildPool, owner: str, pdf: PdfSettings | None):
        self.state_dir, self.pool, self.owner, self.pdf = state_dir, pool, owner, pdf

    def __call__(self, path: str, inbox: str, out_root: str, route: str, evidence: tuple[str, ...] = (),
                 bundle: bool = False) -> None:
        file = Path(path)
        digest = _digest(file)  # None: the file moved on already (its build finished, but not its record)
        with Ledger(self.state_dir) as ledger:
            self._await_predecessor(ledger, file.name, route)
            # a stopped worker's entries of this file: of these very bytes when they are here (another office's
            # file of the same name is not this one)
            left = [r for r in ledger.orphans(route) if r.name == file.name and digest in (None, r.file_hash)]
            if digest is None:  # this worker's own try moved the file but could not close its entry (the
                left += [r for r in ledger.left_open_by(route, self.owner) if r.name == file.name]  # database lost)
        proof = [Path(out_root) / p for p in evidence]
        if digest is None and not left and not Path(inbox).is_dir():  # not moved on: never here (another mount)
            log.error("cannot build %s: its folder %s is not on this machine (mounted at another path?); the job is "
                      "left to a worker that sees it", file.name, inbox)
            raise FileNotFoundError(f"{inbox} is not on this worker's machine")
        if digest is None:
            self._close_moved(left, Path(inbox))
        else:
            if left:
                with Register(self.state_dir) as register:  # its reserved serial becomes ours: the same is reused
                    register.adopt([r.id for r in left], self.owner)
            try:
                intake.receive(file, inbox=Path(inbox), out_root=Path(out_root), state_dir=self.state_dir,
                               pool=self.pool, route=route, owner=self.owner,
                               pdf=with_bundle(self.pdf, proof) if bundle or proof else self.pdf)
            finally:
                if left:  # a serial adopted that this build did not use (its letter now prints another date: other
                    with Register(self.state_dir) as register:  # content) is given back, not left reserved for ever
                        register.release_submission(*[r.id for r in left], owner=self.owner)
        if proof and not file.exists():  # archived or rejected: the bundle holds the evidence now, or it was refused
            _remove_evidence(Path(inbox), file)

    def _close_moved(self, left: list, inbox: Path) -> None:
        """The file of a retried job is gone from its folder: the stopped worker built it (or set it aside) and
        moved it, but died before it closed the entry. Closed now as the register and the folders say."""
        if not left:
            return
        with Ledger(self.state_dir) as ledger, Register(self.state_dir) as register:
            for record in left:
                log.info("closing %s: its worker stopped after the file was moved", record.name)
                ledgering.close_moved(ledger, register, record, inbox, self.owner,
                                      why="its worker stopped before it recorded it")

    def _await_predecessor(self, ledger: Ledger, name: str, route: str) -> None:
        """A job retried because its worker stopped: that worker's lease may still be running for a moment."""
        deadline = time.monotonic() + LEASE_S + 5
        while ledger.held_elsewhere(name, route, self.owner) and time.monotonic() < deadline:
            time.sleep(0.5)


def with_bundle(pdf: PdfSettings | None, evidence: list[Path]) -> PdfSettings | None:
    """A web upload's PDF settings: the worker's, with the e-Nothi bundle of the letter, the annex and `evidence`
    (none: letter and annex in one file, as a server with a state folder makes for every upload). Jobs
    with evidence are in the BUNDLES queue, which only a worker with PDFs takes: `pdf` is None only for a job
    queued by hand; it is then built without its bundle, and the log says so."""
    if pdf is None:
        if evidence:
            log.warning("built without its %d evidence files: this worker makes no PDFs", len(evidence))
        return None
    return dataclasses.replace(pdf, bundle=True, evidence=tuple(str(p) for p in evidence))


def _remove_evidence(uploads: Path, file: Path) -> None:
    """An upload's evidence folder once it is built or refused, as a server with a state folder does."""
    shutil.rmtree(queue.evidence_folder(uploads, file.name.split("-", 1)[0]), ignore_errors=True)


def run(state_dir: Path, *, jobs: int = 1, limits: Limits | None = None, pdf: PdfSettings | None = None) -> None:
    """Run jobs until SIGTERM or Ctrl-C (the jobs in hand are finished first). StateError when the state is
    not a PostgreSQL database or cannot be reached."""
    url = queue.url_of(state_dir)
    if url is None:
        raise StateError(state_dir, "'gen worker' needs a PostgreSQL state (--state postgresql://…); with a state "
                                    "folder, 'gen watch' and 'gen serve' build in their own worker processes")
    queue.ensure_schema(url)
    logging.getLogger("procrastinate").setLevel(logging.WARNING)
    lease = Lease(state_dir, "worker", socket.gethostname())
    with lease as owner, BuildPool(jobs, limits, start_method="forkserver") as pool:
        builder = FileBuilder(state_dir, pool, owner.id, pdf)
        lease.on_new_owner = lambda fresh: setattr(builder, "owner", fresh.id)  # its lease ran out: a new one
        app = queue.app_for(url, worker=True)
        import procrastinate

        def build_file(path: str, inbox: str, out_root: str, route: str, evidence: tuple[str, ...] = (),
                       bundle: bool = False) -> None:
            builder(path, inbox, out_root, route, tuple(evidence), bundle)

        app.task(name=queue.TASK, queue=queue.QUEUE,
                 retry=procrastinate.RetryStrategy(max_attempts=20, wait=5))(build_file)
        queues = [queue.QUEUE, queue.BUNDLES] if pdf else [queue.QUEUE]
        log.info("worker %s: %d at a time, %s", owner.id[:8], jobs, "with PDFs" if pdf else
                 "no PDFs: uploads with evidence are left to a worker with PDFs")
        try:
            asyncio.run(_work(app, jobs, limits or Limits(), queues))
        except procrastinate.exceptions.ProcrastinateException as e:  # the database lost: systemd starts it again
            raise StateError(state.shown(url), str(e).strip().splitlines()[0] if str(e).strip() else
                             type(e).__name__) from None
    log.info("stopped")


async def _work(app, jobs: int, limits: Limits, queues: list[str]) -> None:
    async with app.open_async():
        stalled = asyncio.create_task(_recover_stalled(app, queues))
        try:
            await app.run_worker_async(queues=queues, concurrency=jobs, name=f"gen-{socket.gethostname()}",
                                       update_heartbeat_interval=max(0.5, LEASE_S / 3),
                                       stalled_worker_timeout=LEASE_S, fetch_job_polling_interval=1.0,
                                       shutdown_graceful_timeout=limits.seconds + 15, delete_jobs="successful")
        finally:
            stalled.cancel()


async def _recover_stalled(app, queues: list[str]) -> None:
    """Jobs left `doing` by a worker whose heartbeat stopped: back in the queue, for any worker. A worker without
    PDFs also says, once, when uploads with evidence wait for a worker with PDFs."""
    from procrastinate import exceptions, jobs

    told = False
    while True:
        try:
            if queue.BUNDLES not in queues and not told:
                waiting = list(await app.job_manager.list_jobs_async(queue=queue.BUNDLES, status="todo"))
                if waiting:
                    told = True
                    log.warning("%d uploads with evidence wait for a worker with PDFs; this one makes none "
                                "(--no-pdf, or no LibreOffice): start one with PDFs", len(waiting))
            for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=LEASE_S):
                name = Path(job.task_kwargs.get("path", "")).name
                try:
                    await app.job_manager.retry_job(job)
                    log.warning("job %s (%s) was left by a worker that stopped; queued again", job.id, name)
                except exceptions.UniqueViolation:  # the file was queued again meanwhile: that job builds it
                    await app.job_manager.finish_job(job, jobs.Status.FAILED, delete_job=False)
                    log.warning("job %s (%s) was left by a worker that stopped; the file is queued again already",
                                job.id, name)
        except Exception as e:  # the database out of reach for a moment: look again at the next round
            log.error("could not look for stalled jobs: %s", str(e).strip() or type(e).__name__)
        await asyncio.sleep(STALLED_CHECK_S)


def _digest(file: Path) -> str | None:
    """The file's content hash as the ledger records it; None when it is no longer there to read."""
    try:
        return load(file).digest
    except OSError:
        return None
