"""Many workbooks at once (`gen build`): each is read once, noted in the ledger, built in an isolated worker
process, and its result recorded, so every build is on the record whatever its route."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

from generator.records.ledger import Ledger
from generator.records.owners import LEASE_S, Lease, Owner
from generator.records.register import Register
from generator.service import ledgering
from generator.service.builds import BuildPool, Task
from generator.service.result import Result, failure
from generator.service.workers import Limits, Ready, default_jobs
from generator.spec.memo import number as memo_text
from generator.spec.status import BUILT, INTERRUPTED
from generator.text import names
from generator.xlsx.source import Source, load
from generator.spec.codes import COULD_NOT_READ

log = logging.getLogger("gen.batch")


def unreadable(path: Path, why: str) -> Result:
    """The result of a workbook that cannot be read at all (missing, a folder, a FIFO, no permission)."""
    return failure(
        path, COULD_NOT_READ,
        f"{path} পড়া যাচ্ছে না ({why})। ফাইলটি আছে কি না, সাধারণ ফাইল কি না ও পড়ার অনুমতি দেখুন।",
        f"{path} cannot be read ({why}). Check that it exists, is a regular file and may be read.")


def load_or_result(path: Path) -> Source | Result:
    """The file read once, or the result of a file that cannot be read (a FIFO is never opened: it would block).
    A file whose name is not UTF-8 is not built: its name could go into no record, report or letter."""
    if names.undecodable(str(path)):
        return name_not_text(path)
    try:
        return load(path)
    except OSError as e:
        return unreadable(path, e.strerror or str(e))


def name_not_text(path: Path) -> Result:
    shown = names.escaped(str(path))
    return failure(
        shown, COULD_NOT_READ,
        f"{shown}: ফাইলের (বা ফোল্ডারের) নামে এমন বাইট আছে যা UTF-8 লেখা নয় (\\x… দিয়ে দেখানো), তাই ফাইলটি খোলা হয়নি। "
        "নামটি বাংলা বা ইংরেজিতে নতুন করে লিখে (rename) আবার দিন; ফাইলটি যেমন ছিল তেমনই আছে।",
        f"{shown}: the name of the file (or of a folder above it) holds bytes that are not UTF-8 text (shown as "
        "\\x…), so the file was not opened. Rename it, in Bangla or English, and build it again; the file is as it was.")


def build_all(paths: list[Path], *, out_root: Path, state_dir: Path, jobs: int | None = None,
              limits: Limits | None = None, route: str = "build", **options) -> Iterator[Result]:
    """Results in the order of `paths`. StateError (from the ledger) before anything is built when the
    state folder cannot be used; mid-batch, when it can no longer be written (the builds in hand are then
    stopped, their serials given back and their entries closed)."""
    jobs = min(jobs or default_jobs(), len(paths)) or 1
    # the pool first: it forks its workers (rather than using a fork server) only while this process has
    # one thread, and the lease's heartbeat is a thread
    lease = Lease(state_dir, "build", Path(out_root).resolve())
    with BuildPool(jobs, limits) as pool, lease:
        yield from _build_all(paths, out_root, state_dir, pool, route, lease, options)


def _build_all(paths: list[Path], out_root: Path, state_dir: Path, pool: BuildPool, route: str, lease: Lease,
               options: dict) -> Iterator[Result]:
    def owner() -> Owner:  # the lease's owner now: a new one once a stop or a locked database let the first run out
        assert lease.owner is not None
        return lease.owner

    with Ledger(state_dir) as ledger:
        interrupted = [r.id for r in ledger.orphans("build")]
        for id in interrupted:  # runs whose lease ran out: stopped, wherever they ran
            ledger.finish(id, INTERRUPTED, note="gen build was stopped before this workbook was built")
    with Register(state_dir) as register:
        if interrupted:
            register.take_over(interrupted, owner().id)
        for entry, outcome in register.give_back_abandoned(owner().id, grace=LEASE_S):  # never reserved for ever
            log.warning("serial %s of %s, reserved by a run that stopped and could not give it back: %s",
                        entry.serial, entry.prefix, outcome)
    with Ledger(state_dir) as ledger:
        ids: dict[int, int] = {}  # by the index of the path: its ledger entry
        started: dict[int, float] = {}
        open_ids: set[int] = set()

        def tasks() -> Iterator[Task | Ready]:  # each file read when a worker is nearly free for it, not all at once
            for index, path in enumerate(paths):
                source = load_or_result(Path(path))
                if isinstance(source, Result):
                    yield Ready(source)
                    continue
                id = ledger.start(source.name, source.digest, route=route, owner=owner().id)
                ids[index], started[id] = id, time.monotonic()
                open_ids.add(id)
                yield Task(source, out_root, state_dir, submission=id, owner=owner().id, **options)

        def record(index: int, result: Result) -> None:  # as soon as it arrives, in any order
            id = ids[index]
            ledgering.finish(ledger, id, result, seconds=time.monotonic() - started[id])
            open_ids.discard(id)

        results = pool.map(tasks(), on_result=record)
        try:
            yield from results
        finally:  # stopped early (Ctrl-C, a closed pipe): nothing is left "processing"
            results.close()  # stops the workers still building and gives back their serials
            # by the lease as well as in memory: a Ctrl-C between an entry's insert and open_ids.add left it out
            _close_unfinished(ledger, state_dir, open_ids | {r.id for r in ledger.left_open_by(route, owner().id)})


def _close_unfinished(ledger: Ledger, state_dir: Path, ids: set[int]) -> None:
    """Entries whose result never came back: built, if the worker wrote the letter before it was stopped
    (the register says so), else interrupted."""
    if not ids:
        return
    with Register(state_dir) as register:
        for id in sorted(ids):
            entry = register.issued_for(id)
            if entry is not None:
                ledger.finish(id, BUILT, memo=memo_text(entry.prefix, entry.serial), kind=entry.kind,
                              office=entry.office, fiscal_year=entry.fiscal_year, period=entry.period,
                              note=f"built with serial {entry.serial}; gen build was stopped before it reported")
            else:
                ledger.finish(id, INTERRUPTED, note="gen build stopped before this workbook was built")
