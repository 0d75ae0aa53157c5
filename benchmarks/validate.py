"""How long validating and scoring a workbook takes, by its number of indicator rows.

    .venv/bin/python benchmarks/validate.py [ROWS ...]      (default: 10 30 200)

Prints the median and the slowest of several runs of read → validate → score, without building.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from generator import pipeline, workbook
from generator.paths import XLSX_DIR

LETTER = {
    "fiscal_year": "২০২৩-২৪", "period": "অর্ধবার্ষিক", "office_name": "নমুনা অফিস", "office_address": "ঢাকা।",
    "memo_prefix": "৪৬.১১.১৬০০.০০১.১৮.০৪১.২৩", "recipient": "সচিব", "signatory_name": "নাম",
    "signatory_designation": "পদবি",
}


def synthetic_rows(n: int) -> list[dict]:
    rows = []
    for i in range(n):
        area, activity = i // 20 + 1, i // 4 + 1
        row = {"indicator_no": f"{area}.{activity}.{i % 4 + 1}", "indicator": f"সূচক {i}", "unit": "সংখ্যা",
               "weight": 1, "target_100": 4, "target_90": 3, "target_80": 2, "target_70": 1, "target_60": "-",
               "achieved": i % 5, "remarks": "অগ্রগতি সন্তোষজনক"}
        if i % 20 == 0:
            row.update(area_no=str(area), area=f"ক্ষেত্র {area}", area_weight=min(20, n - i))
        if i % 4 == 0:
            row.update(activity_no=f"{area}.{activity}", activity=f"কার্যক্রম {activity}")
        rows.append(row)
    return rows


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'rows':>6} {'median ms':>10} {'max ms':>8}  findings")
        for n in sizes:
            path = workbook.fill(XLSX_DIR / "cc.xlsx", Path(tmp) / f"w{n}.xlsx", LETTER, synthetic_rows(n))
            times = []
            for _ in range(7):
                start = time.perf_counter()
                result = pipeline.examine(path).result
                times.append((time.perf_counter() - start) * 1000)
            print(f"{n:>6} {statistics.median(times):>10.1f} {max(times):>8.1f}  {len(result.issues)} ({result.status})")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10, 30, 200])
