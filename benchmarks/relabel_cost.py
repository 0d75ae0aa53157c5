"""What repeating the labels costs (relabel.py): every example, and long cc plans of about 3 and 5 pages, made
with PDFs through one warm LibreOffice, with the relabelling and without it: seconds, conversions, pages and
rows relabelled.

    .venv/bin/python benchmarks/relabel_cost.py

Figures are printed, never asserted: machines here are shared and noisy.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.documents import make as documents, pdf, registry, relabel
from generator.xlsx import examples
from generator.xlsx import filling
from generator.spec import kinds
from generator.service import pipeline
from generator.spec.paths import EXAMPLES_DIR, XLSX_DIR
from tests.test_relabel import grouped_rows  # noqa: E402

ROUNDS = 3


def jobs(tmp: Path) -> list[tuple[str, registry.Job, str]]:
    sources = {p.stem: examples.write(p, tmp / f"{p.stem}.xlsx") for p in sorted(EXAMPLES_DIR.glob("*.json"))}
    letter = examples.load(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json")["letter"]
    for name, shape in (("cc-long-3-pages", (2, 2, 3)), ("cc-long-5-pages", (3, 3, 3))):
        sources[name] = filling.fill(XLSX_DIR / "cc.xlsx", tmp / f"{name}.xlsx", letter,
                                      grouped_rows(kinds.KINDS["cc"], *shape))
    found = []
    for name, source in sources.items():
        examined = pipeline.examine(source)
        assert examined.report is not None and examined.card is not None, name
        found.append((name, registry.Job(examined.report, examined.card, "১", examined.report.issue_date), name))
    return found


def main() -> None:
    counted = {"conversions": 0}
    convert = pdf.convert

    def counting(*args, **kwargs):
        counted["conversions"] += 1
        return convert(*args, **kwargs)

    pdf.convert = counting  # type: ignore[assignment]
    real = relabel.relabel
    with tempfile.TemporaryDirectory() as folder, pdf.Office() as office:
        office.wait_ready()
        settings = documents.PdfSettings(office=office.handle)
        print(f"{'document':28} {'off s':>7} {'on s':>7} {'extra s':>8} {'conv':>5} {'pages':>6} {'relabelled':>10}")
        for name, job, stem in jobs(Path(folder)):
            figures = {}
            for mode in ("off", "on"):
                relabel.relabel = real if mode == "on" else (lambda *a, **k: None)  # type: ignore[assignment]
                times = []
                for _ in range(ROUNDS):
                    counted["conversions"] = 0
                    job.pages.clear()
                    start = time.perf_counter()
                    files = documents.make(job, stem, settings).files
                    times.append(time.perf_counter() - start)
                figures[mode] = (statistics.median(times), counted["conversions"], dict(job.pages), files)
            hint = "".join(relabel.CONTINUED.split())
            pdfs = [data for file, data in figures["on"][3].items() if file.endswith(".pdf")]
            shown = sum("".join(t.split()).count(hint) for data in pdfs for t in relabel.page_texts(data) or [])
            pages = "/".join(str(n) for n in figures["on"][2].values())
            print(f"{name:28} {figures['off'][0]:7.2f} {figures['on'][0]:7.2f} "
                  f"{figures['on'][0] - figures['off'][0]:8.2f} {figures['on'][1] - figures['off'][1]:5d} "
                  f"{pages:>6} {shown:10d}")
    relabel.relabel = real


if __name__ == "__main__":
    main()
