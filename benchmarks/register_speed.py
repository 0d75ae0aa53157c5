"""Memo-register allocations per second under concurrent processes, on each backend: SQLite in a state folder
(synchronous=FULL, as the register runs) and PostgreSQL (a throwaway cluster with fsync on, or --postgres URL).

Each process reserves a serial and confirms it, as a build does (`Register.reserved`: reserve, read the prefix's separator, confirm with the
version's `versions` row), over
three prefixes, one in ten given back; the register is checked gap-free afterwards.

    .venv/bin/python benchmarks/register_speed.py                     # 6 processes x 300 allocations each
    .venv/bin/python benchmarks/register_speed.py --processes 6 --each 50
    .venv/bin/python benchmarks/register_speed.py --postgres postgresql://gen@db/bench   # an existing database

Figures are printed, never asserted: machines here are shared and noisy.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.records.register import Register  # noqa: E402

PREFIXES = ("৪৬.১১.১৬০০.০০১.১৮.০৪১.২৩", "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২", "৫৬.০৪.৮৫০০.০১০.১৮.০১৯.২৪")
META = dict(source="bench.xlsx", kind="cc", office="office", fiscal_year="2023-24", period="q1")


class GiveBack(Exception):
    pass


def _work(state: str, worker: int, n: int, start, done) -> None:
    with Register(state) as register:
        start.wait()
        began = time.perf_counter()
        for i in range(n):
            try:
                with register.reserved(PREFIXES[(worker + i) % 3], None, f"{worker}-{i}", owner=f"w{worker}",
                                       **META) as held:
                    held.memo = f"{held.entry.prefix}-{held.entry.serial}"  # its versions row, as a build writes it
                    held.version = f"2023-24/office/cc-q1/versions/{held.memo}"
                    if i % 10 == 9:
                        raise GiveBack
            except GiveBack:
                pass
        done.put(time.perf_counter() - began)


def measure(state: str, processes: int, each: int) -> tuple[float, float]:
    """(allocations per second over the whole run, slowest process's seconds)."""
    Register(state).close()  # the schema made before the clock starts
    ctx = mp.get_context("spawn")
    start, done = ctx.Barrier(processes + 1), ctx.Queue()
    procs = [ctx.Process(target=_work, args=(state, w, each, start, done)) for w in range(processes)]
    for p in procs:
        p.start()
    start.wait()
    began = time.perf_counter()
    took = [done.get(timeout=600) for _ in procs]
    wall = time.perf_counter() - began
    for p in procs:
        p.join(60)
        if p.exitcode != 0:
            raise SystemExit(f"a worker failed (exit code {p.exitcode})")
    with Register(state) as register:
        entries = register.entries()
    for prefix in PREFIXES:
        serials = sorted(e.serial for e in entries if e.prefix == prefix)
        assert serials == list(range(1, len(serials) + 1)), f"{prefix}: not 1..max"
    assert not [e for e in entries if e.state == "reserved"]
    return processes * each / wall, max(took)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=6)
    parser.add_argument("--each", type=int, default=300, help="allocations per process")
    parser.add_argument("--postgres", default=None, help="a postgresql:// URL of an empty database to use")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    print(f"processes: {args.processes}, allocations each: {args.each} (reserve + confirm; 1 in 10 given back)")
    with tempfile.TemporaryDirectory() as tmp:
        rate, slowest = measure(str(Path(tmp) / "state"), args.processes, args.each)
        print(f"sqlite      {rate:8.0f} allocations/s   (slowest process {slowest:.1f} s)")
    if args.no_postgres:
        return
    if args.postgres:
        rate, slowest = measure(args.postgres, args.processes, args.each)
        print(f"postgresql  {rate:8.0f} allocations/s   (slowest process {slowest:.1f} s; {args.postgres})")
        return
    from tests.support.postgres import Cluster, binaries

    if binaries() is None:
        print("postgresql  skipped: initdb not found (or give --postgres URL)")
        return
    with Cluster(fsync=True) as cluster:
        rate, slowest = measure(cluster.fresh(empty=True), args.processes, args.each)
        print(f"postgresql  {rate:8.0f} allocations/s   (slowest process {slowest:.1f} s; throwaway cluster, "
              "fsync on, loopback TCP)")


if __name__ == "__main__":
    main()
