"""Filling a workbook by machine keys (column A of the key/value sheet, row 1 of the plan sheet), as tests,
examples and other tools do."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from generator.spec import kinds
from generator.spec.kinds import KEY_VALUE_SHEETS


def fill(template: Path, out: Path, letter: dict[str, object], rows: list[dict[str, object]]) -> Path:
    """Fill a blank workbook by machine keys (column A of `পত্র`, row 1 of the plan sheet)."""
    wb = load_workbook(template)
    ws = wb[next(n for n in wb.sheetnames if n in KEY_VALUE_SHEETS)]
    where = {str(r[0].value).strip(): r[0].row for r in ws.iter_rows(min_col=1, max_col=1) if r[0].value}
    kind = kinds.get(str(ws.cell(where["kind"], 3).value))  # the template's own kind, before any change
    if kind is None:
        raise KeyError(f"no report kind in {template}")
    for key, value in letter.items():
        if key not in where:
            raise KeyError(f"no field {key!r} in {template}")
        ws.cell(where[key], 3, value)
    plan = wb[kind.sheets[1]]
    columns = {str(c.value).strip(): c.column for c in plan[1] if c.value}
    for offset, row in enumerate(rows):
        for key, value in row.items():
            if key not in columns:
                raise KeyError(f"no column {key!r} in {template}")
            plan.cell(kind.first_row + offset, columns[key], value)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return Path(out)


