"""Where the time goes: per-stage medians, batch throughput, peak memory, and our annex render
against a plain docxtpl render of the same template.

    .venv/bin/python benchmarks/speed.py                 # sizes 10 30 200; batches 1 100 1000
    .venv/bin/python benchmarks/speed.py --quick         # small batches, for a quick look

Figures are printed, never asserted: machines here are shared and noisy.
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import workbooks  # noqa: E402

from generator.documents import contexts, registry, tags  # noqa: E402
from generator.rules import scoring, validate  # noqa: E402
from generator.records import store  # noqa: E402
from generator.xlsx import reading  # noqa: E402
from generator.spec.paths import DOCX_DIR  # noqa: E402


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def stages(path: Path, out: Path, repeat: int) -> dict[str, float]:
    import datetime as dt

    raw = reading.read(path)
    report, _ = validate.check(raw)
    job = registry.Job(report, scoring.score_report(report), "৪৬-১", dt.date(2024, 1, 10))
    letter_doc, annex_doc = report.kind.documents
    letter, annex = registry.render(letter_doc, job), registry.render(annex_doc, job)
    return {
        "read": _median_ms(lambda: reading.read(path), repeat),
        "validate": _median_ms(lambda: validate.check(raw), repeat),
        "score": _median_ms(lambda: scoring.score_report(report), repeat),
        "render letter": _median_ms(lambda: registry.render(letter_doc, job), repeat),
        "render annex": _median_ms(lambda: registry.render(annex_doc, job), repeat),
        "write": _median_ms(lambda: (store.write_atomic(out / "l.docx", letter),
                                     store.write_atomic(out / "a.docx", annex)), repeat),
    }


def plain_docxtpl_annex_ms(path: Path, repeat: int) -> float:
    """docxtpl the plain way: load the template, render, save, every time."""
    from docxtpl import DocxTemplate

    class Plain(DocxTemplate):
        def patch_xml(self, src_xml):  # our one extra tag, so the same template renders
            return tags.expand_tags(super().patch_xml(src_xml))

    report, _ = validate.check(reading.read(path))
    context = contexts.annex_context(report)

    def once():
        tpl = Plain(str(DOCX_DIR / report.kind.documents[-1].template_file(report.kind.id)))
        tpl.render(context, autoescape=True)
        tpl.save(io.BytesIO())

    return _median_ms(once, repeat)


def batch(paths: list[Path], tmp: Path, jobs: int) -> tuple[float, float]:
    """Wall seconds and peak memory (MB, the largest process) of `gen build --jobs` on `paths`."""
    folder = tmp / f"batch-{len(paths)}"
    folder.mkdir()
    for p in paths:
        (folder / p.name).write_bytes(p.read_bytes())
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "generator.cli", "build", str(folder), "--out", str(tmp / "out"),
                    "--state", str(tmp / f"state-{len(paths)}"), "--jobs", str(jobs), "--json"],
                   check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def cold_start(path: Path, tmp: Path, repeat: int = 5) -> float:
    import compileall

    import generator

    # bytecode as `make install` leaves it: where PYTHONDONTWRITEBYTECODE is set, a source edited since would be
    # compiled again by every start (0.47 s against 0.36 s, 2026-12-07), which an installed service never does
    compileall.compile_dir(str(Path(generator.__file__).parent), quiet=1)
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "generator.cli", "build", str(path), "--out", str(tmp / "cold"),
                        "--state", str(tmp / "cold-state")], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--jobs", type=int, default=2)
    opts = parser.parse_args()
    sizes, batches, repeat = ([10, 30], [1, 10], 3) if opts.quick else ([10, 30, 200], [1, 100, 1000], 15)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print("per stage, median ms")
        print(f"{'rows':>5} " + " ".join(f"{s:>14}" for s in ("read", "validate", "score", "render letter",
                                                               "render annex", "write")))
        samples = {}
        for n in sizes:
            (path,) = workbooks(tmp / f"size{n}", 1, n)
            samples[n] = path
            st = stages(path, tmp, repeat)
            print(f"{n:>5} " + " ".join(f"{v:>14.1f}" for v in st.values()))
        ours = stages(samples[30], tmp, repeat)["render annex"]
        plain = plain_docxtpl_annex_ms(samples[30], repeat)
        print(f"\nannex render, 30 rows: ours {ours:.1f} ms, plain docxtpl {plain:.1f} ms, ratio {ours / plain:.2f} "
              f"(target ≤ 0.30)")
        print(f"\nbatches of 30-row workbooks, gen build --jobs {opts.jobs}")
        source = workbooks(tmp / "batch-src", max(batches), 30)
        for count in batches:
            seconds, peak = batch(source[:count], tmp, opts.jobs)
            print(f"{count:>5} workbooks: {seconds:6.2f} s, {count / seconds:6.1f} workbooks/s, "
                  f"peak memory {peak:.0f} MB (largest process)")
        print(f"\ncold start, gen build of one workbook: {cold_start(samples[30], tmp, 3 if opts.quick else 7):.2f} s "
              "(target < 1 s)")


if __name__ == "__main__":
    main()
