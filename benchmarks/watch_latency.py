"""Time from a file becoming stable in the watched folder to its documents being ready.

    .venv/bin/python benchmarks/watch_latency.py [N] [--poll SECONDS]

Starts `gen watch` (settle time 0.5 s) on a temporary folder, drops N workbooks (default 40) one
by one, and prints the median and 95th percentile of (documents ready) − (last write + settle).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import load_workbook

from generator.text.bangla import to_bangla_digits
from generator.xlsx import filling
from generator.spec.paths import XLSX_DIR

SETTLE = 0.5
LETTER = {
    "fiscal_year": "২০২৩-২৪", "period": "১ম ত্রৈমাসিক", "office_name": "নমুনা অফিস", "office_address": "ঢাকা।",
    "memo_prefix": "৪৬.১১.১৬০০.০০১.১৮.০৪১.২৩", "recipient": "সচিব", "signatory_name": "নাম",
    "signatory_designation": "পদবি",
}
ROWS = [{"area": "ক্ষেত্র", "area_weight": 10, "activity_no": "১.১", "activity": "কার্যক্রম", "indicator_no": "১.১.১",
         "indicator": "সূচক", "unit": "সংখ্যা", "weight": 10, "target_100": 4, "target_90": 3, "target_80": 2,
         "target_70": 1, "target_60": "-", "achieved": 1, "remarks": "অগ্রগতি"}]


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("n", nargs="?", type=int, default=40)
    args.add_argument("--poll", type=float, default=None)
    opts = args.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        inbox, out, state, src = tmp / "inbox", tmp / "out", tmp / "state", tmp / "src"
        for d in (inbox, src):
            d.mkdir()
        base = filling.fill(XLSX_DIR / "cc.xlsx", src / "base.xlsx", LETTER, ROWS)
        wb = load_workbook(base)
        ws = wb["পত্র"]
        row = next(r[0].row for r in ws.iter_rows(max_col=1) if r[0].value == "office_name")
        files = []
        for i in range(opts.n):
            ws.cell(row, 3, f"নমুনা অফিস {to_bangla_digits(i)}")  # as its folder is named (text/identity.py)
            path = src / f"w{i:04d}.xlsx"
            wb.save(path)
            files.append(path)
        cmd = [sys.executable, "-m", "generator.cli", "watch", "--inbox", str(inbox), "--out", str(out),
               "--state", str(state), "--settle", str(SETTLE)] + (["--poll", str(opts.poll)] if opts.poll else [])
        log = open(tmp / "watch.log", "w+")
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        time.sleep(1.5)
        latencies = []
        try:
            for i, f in enumerate(files):
                target = inbox / f.name
                os.replace(f, target)
                stable = time.time() + SETTLE
                folder = out / "2023-24" / f"নমুনা অফিস {to_bangla_digits(i)}" / "cc-q1"
                deadline = time.monotonic() + 120
                while not (folder / "CURRENT.txt").exists():
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise SystemExit(f"{f.name} was not built (watcher exit {proc.poll()}); its log:\n"
                                         + log.read()[-3000:])
                    time.sleep(0.005)
                latencies.append(time.time() - stable)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                log.seek(0)
                raise SystemExit("gen watch did not stop within 30 s of SIGTERM; its log:\n" + log.read()[-3000:])
            finally:
                log.close()
    latencies.sort()
    p95 = latencies[max(0, int(round(0.95 * len(latencies))) - 1)]
    print(f"workbooks: {len(latencies)}  settle: {SETTLE}s  mode: {'polling ' + str(opts.poll) + 's' if opts.poll else 'native'}")
    print(f"stable → documents ready: median {statistics.median(latencies) * 1000:.0f} ms, "
          f"95th percentile {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
