"""The submissions list under load: many ledger rows, several clerks at once.

    .venv/bin/python benchmarks/web_load.py [--rows 10000] [--clients 10] [--requests 500] [--seconds 60]

Fills a temporary state folder with ROWS ledger entries through the Ledger API (offices, kinds, fiscal
years, periods and statuses mixed as in a district's year, each with the findings and scores of a real
example workbook), starts `gen serve` on a free loopback port, and has CLIENTS threads (one keep-alive
httpx client each) ask for the list, a filtered list and a later page, REQUESTS in all or until SECONDS
have passed. Prints the median and 95th percentile latency per URL and overall, and requests/s; the
server is stopped at the end whatever happens.
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import itertools
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from generator.records import ledger
from generator.service import pipeline
from generator.spec.paths import EXAMPLES_DIR

DISTRICTS = ["ঢাকা", "চট্টগ্রাম", "রাজশাহী", "খুলনা", "বরিশাল", "সিলেট", "রংপুর", "ময়মনসিংহ", "কুমিল্লা", "গাজীপুর",
             "নারায়ণগঞ্জ", "বগুড়া", "দিনাজপুর", "যশোর", "নোয়াখালী", "ফরিদপুর", "টাঙ্গাইল", "পাবনা", "কুষ্টিয়া", "সুনামগঞ্জ"]
OFFICES = ([f"জেলা প্রশাসকের কার্যালয়, {d}" for d in DISTRICTS] + [f"{d} সিটি কর্পোরেশন" for d in DISTRICTS[:8]]
           + [f"উপজেলা নির্বাহী অফিসারের কার্যালয়, সদর উপজেলা, {d} জেলা, {d} বিভাগ, গণপ্রজাতন্ত্রী বাংলাদেশ সরকার"
              for d in DISTRICTS[:4]])
YEARS = ["2021-22", "2022-23", "2023-24", "2024-25"]
STATUSES = ["built"] * 14 + ["rejected"] * 4 + ["duplicate", "failed"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def example_details() -> list[dict]:
    """The findings and scores of each bundled example workbook, as the ledger keeps them."""
    paths = sorted(glob.glob(str(EXAMPLES_DIR / "*.xlsx")) + glob.glob(str(EXAMPLES_DIR / "rejected" / "*.xlsx")))
    return [pipeline.examine(Path(p)).result.as_dict() for p in paths]


def fill(state: Path, rows: int, seed: int = 13) -> None:
    rng = random.Random(seed)
    details = example_details()
    start = dt.datetime(2024, 7, 1, 3, 0, tzinfo=dt.timezone.utc)
    with ledger.Ledger(state) as led:
        led.db.execute("PRAGMA synchronous = OFF")  # a throwaway database: no need to wait for the disk
        for i in range(rows):
            d = dict(rng.choice(details))
            status = rng.choice(STATUSES)
            office, year = rng.choice(OFFICES), rng.choice(YEARS)
            period = d["period"] if d["kind"] == "minutes" else rng.choice(["q1", "q2", "q3", "q4", "h1", "h2", "annual"])
            d.update(office=office, fiscal_year=year, period=period, status=status)
            name = f"{d['kind']}-{office}-{year}-{period}-{i}.xlsx"
            id = led.start(name, f"{i:064x}", route=rng.choice(["web", "watch", "build"]))
            memo = f"৪৬.১১.১৬০০.০০১.১৮.০৪১.২৩-{i}" if status == "built" else None
            led.finish(id, status, memo=memo, kind=d["kind"], office=office, fiscal_year=year, period=period,
                       outputs=[f"/srv/out/{i}/letter.docx", f"/srv/out/{i}/annex.docx"] if status == "built" else [],
                       moved_to=f"archive/{name}", seconds=rng.uniform(0.3, 2.5), details=d)
        # spread the arrivals over a year, in id order (newest last)
        led.db.execute("UPDATE files SET received_at = strftime('%Y-%m-%dT%H:%M:%S.000+00:00', ?, '+' || (id * 45) || ' minutes')",
                       (start.strftime("%Y-%m-%d %H:%M:%S"),))


def wait_for(port: int, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gen serve stopped with exit code {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gen serve did not start")


def load(base: str, urls: list[str], clients: int, requests: int, seconds: float) -> tuple[dict, float, dict]:
    """Latencies (s) per URL, the wall time and the failed requests by reason."""
    tickets = itertools.count()
    lock = threading.Lock()
    times: dict[str, list[float]] = {u: [] for u in urls}
    failures: dict[str, int] = {}
    deadline = time.monotonic() + seconds

    def client() -> None:
        with httpx.Client(base_url=base, timeout=max(seconds, 10)) as c:
            while time.monotonic() < deadline:
                n = next(tickets)
                if n >= requests:
                    return
                url = urls[n % len(urls)]
                t0 = time.perf_counter()
                try:
                    status = c.get(url).status_code
                    failure = None if status == 200 else f"HTTP {status}"
                except httpx.HTTPError as e:
                    failure = type(e).__name__
                took = time.perf_counter() - t0
                with lock:
                    if failure:
                        failures[failure] = failures.get(failure, 0) + 1
                    else:
                        times[url].append(took)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, time.perf_counter() - t0, failures


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(proc: subprocess.Popen, log, port: int, opts, target: str = "") -> None:
    """Ask the server on `port` (started as `proc`, logging to `log`) for the first page, a filtered page and a later
    page from opts.clients clients, then stop it and print the medians and 95th percentiles."""
    office = OFFICES[0]
    urls = ["/", "/?" + str(httpx.QueryParams({"office": office, "status": "built"})), "/?kind=egov&page=3"]
    labels = {urls[0]: "/ (first page)", urls[1]: "/?office=…&status=built", urls[2]: urls[2]}
    try:
        wait_for(port, proc)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=120) as c:  # warm up: templates, imports, caches
            for u in urls:
                c.get(u).raise_for_status()
        times, wall, failed = load(base, urls, opts.clients, opts.requests, opts.seconds)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    done = sum(len(v) for v in times.values())
    print(f"clients: {opts.clients}, requests: {done} answered, {sum(failed.values())} failed {failed or ''}, "
          f"in {wall:.1f} s (cap {opts.requests} requests / {opts.seconds:g} s)")
    for url, values in times.items():
        if values:
            print(f"  {labels[url]:26s} n={len(values):4d}  median {1000 * statistics.median(values):7.1f} ms  "
                  f"95th percentile {1000 * p95(values):7.1f} ms")
    everything = [t for v in times.values() for t in v]
    if everything:
        print(f"all: median {1000 * statistics.median(everything):.1f} ms, 95th percentile "
              f"{1000 * p95(everything):.1f} ms, {done / wall:.1f} requests/s{target}")


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--rows", type=int, default=10_000)
    args.add_argument("--clients", type=int, default=10)
    args.add_argument("--requests", type=int, default=500)
    args.add_argument("--seconds", type=float, default=60, help="stop asking after this long")
    opts = args.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        fill(tmp / "state", opts.rows)
        print(f"ledger rows: {opts.rows} (filled in {time.perf_counter() - t0:.1f} s)")
        port = free_port()
        log = open(tmp / "serve.log", "w+")
        proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "serve", "--out", str(tmp / "out"),
                                 "--state", str(tmp / "state"), "--port", str(port)],
                                stdout=log, stderr=subprocess.STDOUT)
        measure(proc, log, port, opts)


if __name__ == "__main__":
    main()
