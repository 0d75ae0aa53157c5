"""The submissions list with its ledger in PostgreSQL: 10,000 submissions, 10 clerks at once (issue 19).

    .venv/bin/python benchmarks/web_list_pg.py [--rows 10000] [--clients 10] [--requests 500] [--seconds 60]

Starts a throwaway PostgreSQL (tests/support/postgres.py, fsync on, as in production), fills its ledger with ROWS
entries mixed as in web_load.py (offices, kinds, years, periods, statuses, each with a real example's findings and
scores), starts `gen serve --state postgresql://…` on a free loopback port and has CLIENTS threads ask for the
list, a filtered list and a later page (web_load.load). Prints the median and 95th percentile per URL and overall
(target: median under 100 ms), then where one list page's time goes inside the server's process (each query of
Ledger.page and Ledger.choices, and opening the database), measured the same way against the same database.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]


from generator.records import ledger  # noqa: E402
from web_load import OFFICES, STATUSES, YEARS, example_details, free_port, measure  # noqa: E402


def fill(url: str, rows: int, seed: int = 13) -> None:
    """ROWS ledger entries as Ledger.start and Ledger.finish would leave them, written in one go."""
    import psycopg

    rng = random.Random(seed)
    details = example_details()
    values = []
    for i in range(rows):
        d = dict(rng.choice(details))
        status, office, year = rng.choice(STATUSES), rng.choice(OFFICES), rng.choice(YEARS)
        period = d["period"] if d["kind"] == "minutes" else rng.choice(["q1", "q2", "q3", "q4", "h1", "h2", "annual"])
        d.update(office=office, fiscal_year=year, period=period, status=status)
        name = f"{d['kind']}-{office}-{year}-{period}-{i}.xlsx"
        score = d.get("score") or {}
        received = f"2024-07-01T03:00:00.000+00:00"
        values.append((name, f"{i:064x}", status, f"৪৬.১১.১৬০০.০০১.১৮.০৪১.২৩-{i}" if status == "built" else None,
                       d["kind"], office, year, period,
                       json.dumps([f"{year}/{i}/letter.docx", f"{year}/{i}/annex.docx"] if status == "built" else []),
                       f"archive/{name}", received, received, rng.uniform(0.3, 2.5),
                       json.dumps(d, ensure_ascii=False), rng.choice(["web", "watch", "build"]),
                       score.get("total"), score.get("possible")))
    ledger.Ledger(url).close()  # the schema
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.executemany("INSERT INTO files (name, file_hash, status, memo, kind, office, fiscal_year, period, outputs, "
                        "moved_to, received_at, finished_at, seconds, details, route, score_total, score_possible) "
                        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", values)
        cur.execute("ANALYZE files")


def inside(url: str, urls_filters: list[dict], rounds: int = 30) -> None:
    """Where one list page's time goes in the server's process: opening the database, the page with its count,
    and the drop-downs' values."""
    parts: dict[str, list[float]] = {"open the database": [], "page + count": [], "drop-down values": []}
    for _ in range(rounds):
        for filters in urls_filters:
            t0 = time.perf_counter()
            with ledger.Ledger(url) as led:
                t1 = time.perf_counter()
                led.page(filters, limit=ledger.PAGE_SIZE, offset=0)
                t2 = time.perf_counter()
                led.choices()
                t3 = time.perf_counter()
            parts["open the database"].append(t1 - t0)
            parts["page + count"].append(t2 - t1)
            parts["drop-down values"].append(t3 - t2)
    print("inside one request (one process, no load), median:")
    for name, values in parts.items():
        print(f"  {name:20s} {1000 * statistics.median(values):6.1f} ms")


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--rows", type=int, default=10_000)
    args.add_argument("--clients", type=int, default=10)
    args.add_argument("--requests", type=int, default=500)
    args.add_argument("--seconds", type=float, default=60, help="stop asking after this long")
    opts = args.parse_args()
    from tests.support.postgres import Cluster

    with Cluster(fsync=True) as cluster, tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        url = cluster.fresh()
        t0 = time.perf_counter()
        fill(url, opts.rows)
        print(f"ledger rows in PostgreSQL: {opts.rows} (filled in {time.perf_counter() - t0:.1f} s)")
        port = free_port()
        log = open(tmp_path / "serve.log", "w+")
        proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "serve", "--out", str(tmp_path / "out"),
                                 "--state", url, "--port", str(port), "--no-pdf"], stdout=log, stderr=subprocess.STDOUT,
                                env={**__import__("os").environ, "GEN_STATE_DIR": str(tmp_path / "local")})
        measure(proc, log, port, opts, " (target: median under 100 ms)")
        office = OFFICES[0]
        inside(url, [{}, {"office": office, "status": "built"}, {"kind": "egov"}])


if __name__ == "__main__":
    main()
