"""PDFs per second for the example documents: one warm LibreOffice (pdf.Office, unoserver) against a cold
`soffice --convert-to pdf` per file (its profile kept between files, as pdf.py's fallback does), and a bundle
with a 30 MB photo.

    .venv/bin/python benchmarks/pdf_speed.py             # every example document, 5 rounds warm, 2 cold
    .venv/bin/python benchmarks/pdf_speed.py --quick     # the cc letter and annex once each, for a quick look

Figures are printed, never asserted: machines here are shared and noisy. Target: a warm one-page letter
under 0.5 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.documents import bundle, pdf
from generator.xlsx import examples
from generator.service import pipeline
from generator.spec.paths import EXAMPLES_DIR


def documents(tmp: Path) -> list[tuple[str, bytes]]:
    found = []
    for source in sorted(EXAMPLES_DIR.glob("*.json")):
        workbook = examples.write(source, tmp / f"{source.stem}.xlsx")
        result = pipeline.build(workbook, out_root=tmp / "out", state_dir=tmp / "state")
        found += [(Path(p).name, Path(p).read_bytes()) for p in result.outputs]
    return found


def run(docs: list[tuple[str, bytes]], handle, rounds: int) -> tuple[dict[str, float], float, int]:
    """Median seconds per document, total seconds, and PDF pages made."""
    times: dict[str, list[float]] = {name: [] for name, _ in docs}
    pages = 0
    started = time.perf_counter()
    for _ in range(rounds):
        for name, data in docs:
            t = time.perf_counter()
            made = pdf.convert(data, office_handle=handle, timeout=120, name=name)
            times[name].append(time.perf_counter() - t)
            pages += pdf.page_count(made)
    return {n: statistics.median(t) for n, t in times.items()}, time.perf_counter() - started, pages


def report(label: str, medians: dict[str, float], total: float, count: int, pages: int) -> None:
    print(f"\n{label}: {count} PDFs ({pages} pages) in {total:.1f} s = {count / total:.2f} PDFs/s")
    for name, seconds in medians.items():
        print(f"  {name:<40} {seconds:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    opts = parser.parse_args()
    warm_rounds, cold_rounds = (1, 1) if opts.quick else (5, 2)
    if not pdf.available():
        print("LibreOffice (soffice) is not installed: nothing to measure")
        return
    print(f"cores: {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        docs = documents(tmp)
        if opts.quick:
            docs = [(name, data) for name, data in docs if name.startswith("cc-")]
        letters = [name for name, _ in docs if name.endswith("-letter.docx")]

        started = time.perf_counter()
        with pdf.Office(tmp / "warm") as office:
            ready = office.wait_ready()
            print(f"warm LibreOffice {'started' if office.warm else 'not available (cold instead)'} "
                  f"in {time.perf_counter() - started:.1f} s" + ("" if ready else " (not ready)"))
            pdf.convert(docs[0][1], office_handle=office.handle)  # the first document loads Writer's libraries
            medians, total, pages = run(docs, office.handle, warm_rounds)
            report("warm", medians, total, len(docs) * warm_rounds, pages)
            letter = statistics.median(medians[n] for n in letters)
            print(f"  one-page letter, median: {letter:.2f} s (target under 0.5 s)")

        with pdf.Office(tmp / "cold", warm=False) as office:
            medians, total, pages = run(docs, office.handle, cold_rounds)
            report("cold soffice --convert-to per file", medians, total, len(docs) * cold_rounds, pages)
            print(f"  one-page letter, median: {statistics.median(medians[n] for n in letters):.2f} s")

        from PIL import Image

        photo = tmp / "evidence" / "photo.jpg"
        photo.parent.mkdir()
        Image.frombytes("RGB", (4800, 3200), os.urandom(4800 * 3200 * 3)).save(photo, quality=100)
        letter_pdf = pdf.convert(docs[0][1])
        t = time.perf_counter()
        made = bundle.build([("letter", letter_pdf)], [photo])
        print(f"\nbundle: letter + {photo.stat().st_size / 1e6:.1f} MB photo -> {len(made.data) / 1e6:.2f} MB, "
              f"{made.pages} pages, in {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
