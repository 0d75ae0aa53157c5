"""What the PDF and bundle tests share: LibreOffice required or skipped, and the examples built as Word files."""

import os
from pathlib import Path

import pytest

from generator.xlsx import examples
from generator.documents import office, pdf
from generator.service import pipeline
from generator.spec.paths import EXAMPLES_DIR

EXAMPLES = sorted(p.stem for p in EXAMPLES_DIR.glob("*.json"))


def need_libreoffice(warm: bool = False) -> None:
    """Skip without LibreOffice (or, for `warm`, without Debian's Python with uno), unless CI requires it."""
    missing = None
    if not pdf.available():
        missing = "LibreOffice (soffice) is not installed"
    elif warm and office.unoserver_path() is None:
        missing = f"{office.UNO_PYTHON} with python3-uno (the warm LibreOffice) is not installed"
    if missing and os.environ.get("GEN_REQUIRE_LIBREOFFICE"):
        pytest.fail(f"{missing}, but GEN_REQUIRE_LIBREOFFICE is set")
    if missing:
        pytest.skip(missing)


def build_examples(tmp: Path) -> dict[str, pipeline.Result]:
    """Every example workbook built into tmp/out (register in tmp/state), by example name."""
    results = {}
    for name in EXAMPLES:
        source = examples.write(EXAMPLES_DIR / f"{name}.json", tmp / f"{name}.xlsx")
        result = pipeline.build(source, out_root=tmp / "out", state_dir=tmp / "state")
        assert result.ok, (name, result.issues)
        results[name] = result
    return results
