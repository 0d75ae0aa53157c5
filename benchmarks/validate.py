"""How long validating and scoring a workbook takes, by its number of indicator rows.

    .venv/bin/python benchmarks/validate.py [ROWS ...]      (default: 10 30 200)

Prints the median and the slowest of several runs of read → validate → score, without building,
then the cost of the package check alone on the bundled examples.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import LETTER, rows as synthetic_rows  # noqa: E402

from generator.xlsx import package
from generator.xlsx import filling
from generator.service import pipeline
from generator.spec.paths import EXAMPLES_DIR, XLSX_DIR

def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'rows':>6} {'median ms':>10} {'max ms':>8}  findings")
        for n in sizes:
            path = filling.fill(XLSX_DIR / "cc.xlsx", Path(tmp) / f"w{n}.xlsx", LETTER, synthetic_rows(n))
            times = []
            for _ in range(7):
                start = time.perf_counter()
                result = pipeline.examine(path).result
                times.append((time.perf_counter() - start) * 1000)
            print(f"{n:>6} {statistics.median(times):>10.1f} {max(times):>8.1f}  {len(result.issues)} ({result.status})")
    package_check_cost()


def package_check_cost() -> None:
    """What checking the package (before any XML is parsed) adds to reading each bundled example."""
    times = []
    for path in sorted(EXAMPLES_DIR.rglob("*.xlsx")):
        package.check(path)
        for _ in range(7):
            start = time.perf_counter()
            package.check(path)
            times.append((time.perf_counter() - start) * 1000)
    print(f"package check on {len(times) // 7} examples: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10, 30, 200])
