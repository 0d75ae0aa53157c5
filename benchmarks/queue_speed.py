"""Builds per second through the job queue on PostgreSQL (1 and 2 `gen worker` processes) against today's way on a
SQLite state folder (the watcher's and web server's in-process pool: intake with 1 and 2 worker processes).

Each route takes the same N workbooks (distinct content, one office each) through intake: a ledger entry, a
serial, letter and annex in a version folder, the file moved to archive/. The queue's figure runs from the
moment the jobs are deferred (the workers already started and idle) to the last file archived and its ledger
entry closed. No PDFs.

    .venv/bin/python benchmarks/queue_speed.py            # 40 workbooks
    .venv/bin/python benchmarks/queue_speed.py --files 100

Figures are printed, never asserted: machines here are shared and noisy.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.service import intake  # noqa: E402
from generator.service.builds import BuildPool  # noqa: E402


def _books(folder: Path, n: int, tag: str) -> list[Path]:
    from tests.support.workbooks import make_workbooks

    return make_workbooks(folder, n, tag=tag)


def pool_rate(tmp: Path, books: list[Path], jobs: int) -> float:
    """Today's way: intake with an in-process pool of `jobs` workers, `jobs` files at a time, SQLite state."""
    inbox, state, out = tmp / f"pool{jobs}" / "inbox", tmp / f"pool{jobs}" / "state", tmp / f"pool{jobs}" / "out"
    inbox.mkdir(parents=True)
    for book in books:
        shutil.copy(book, inbox / book.name)
    todo = sorted(inbox.glob("*.xlsx"))
    with BuildPool(jobs, start_method="forkserver") as pool:
        intake.receive(todo.pop(), inbox=inbox, out_root=out, state_dir=state, pool=pool)  # warm: not timed
        lock = threading.Lock()

        def drain():
            while True:
                with lock:
                    if not todo:
                        return
                    path = todo.pop()
                intake.receive(path, inbox=inbox, out_root=out, state_dir=state, pool=pool)
        began = time.perf_counter()
        threads = [threading.Thread(target=drain) for _ in range(jobs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.perf_counter() - began
    return (len(books) - 1) / took


def queue_rate(tmp: Path, url: str, books: list[Path], workers: int) -> float:
    """The queue: `workers` `gen worker` processes (one build at a time each), the jobs deferred at once."""
    from generator.records.ledger import Ledger
    from generator.service import queue
    from tests.support.queue import Process, archived, wait

    inbox, out = tmp / f"queue{workers}" / "inbox", tmp / f"queue{workers}" / "out"
    inbox.mkdir(parents=True)
    for book in books:
        shutil.copy(book, inbox / book.name)
    procs = [Process(tmp, f"worker{workers}-{i}.log", "worker", "--state", url, "--no-pdf") for i in range(workers)]
    try:
        wait(lambda: all(p.said("worker ") for p in procs), 120, "the workers started")
        todo = sorted(inbox.glob("*.xlsx"))

        def settled(n: int) -> bool:
            if len(archived(inbox)) < n:
                return False
            with Ledger(url) as ledger:
                return not ledger.unfinished()
        with queue.Queue(url) as q:
            for path in todo[:workers]:  # one each to warm the workers up (templates compiled): not timed
                q.defer(queue.FileJob(str(path), str(inbox), str(out), "watch"))
            wait(lambda: settled(workers), 120, "the warm-up builds", every=0.05)
            began = time.perf_counter()
            for path in todo[workers:]:
                q.defer(queue.FileJob(str(path), str(inbox), str(out), "watch"))
            wait(lambda: settled(len(books)), 600, "every file built", every=0.05)
            took = time.perf_counter() - began
    finally:
        for p in procs:
            p.stop()
    return (len(books) - workers) / took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--no-postgres", action="store_true", help="the SQLite pool only")
    args = parser.parse_args()
    print(f"workbooks: {args.files} (30-row cc annex, letter; no PDFs)")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        books = _books(tmp / "src", args.files, "b")
        for jobs in (1, 2):
            print(f"sqlite, in-process pool, {jobs} worker(s)     {pool_rate(tmp, books, jobs):6.1f} builds/s")
        if args.no_postgres:
            return
        from tests.support.postgres import Cluster, binaries

        if binaries() is None:
            print("postgresql  skipped: initdb not found")
            return
        with Cluster(fsync=True) as cluster:
            for workers in (1, 2):
                rate = queue_rate(tmp, cluster.fresh(), books, workers)
                print(f"postgresql, queue, {workers} gen worker(s)        {rate:6.1f} builds/s   (fsync on, loopback)")


if __name__ == "__main__":
    main()
