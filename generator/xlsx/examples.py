"""The bundled examples: readable JSON sources in examples/, turned into filled workbooks by key.

`python -m generator.xlsx.examples` rewrites examples/*.xlsx from examples/*.json and the blank templates.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from generator.spec import kinds
from generator.xlsx import filling
from generator.xlsx import blanks
from generator.spec.paths import EXAMPLES_DIR, XLSX_DIR


def load(source: Path) -> dict:
    return json.loads(Path(source).read_text(encoding="utf-8"))


def write(source: Path, out: Path | None = None, templates: Path = XLSX_DIR) -> Path:
    data = load(source)
    kind = kinds.get(data["kind"])
    assert kind is not None, f"{source}: no report kind {data['kind']!r}"
    template = Path(templates) / f"{kind.id}.xlsx"
    if not template.exists():
        blanks.write_template(kind, template)
    return filling.fill(template, out or Path(source).with_suffix(".xlsx"), data["letter"], data["rows"])


def write_all(folder: Path = EXAMPLES_DIR) -> list[Path]:
    return [write(p) for p in sorted(Path(folder).rglob("*.json"))]


if __name__ == "__main__":
    for path in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else EXAMPLES_DIR):
        print(path)
