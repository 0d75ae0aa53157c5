"""The record of what `gen next` carried into a next-period workbook: a very hidden sheet, `CARRIED_SHEET`, with
a key row, then one row per carried cell naming its column key, its plan row (by indicator code and text, and
which occurrence of them) and the value written. It is only ever advice and never enters the content hash."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator.text.identity import key as _identity_key, printed

CARRIED_SHEET = "gen_carried"
KEYS = ("column", "indicator_no", "indicator", "occurrence", "value", "from_period")
MAX_RECORDS = 4000  # a plan has at most 1000 rows; more is not a record gen wrote


@dataclass(frozen=True)
class Carried:
    column: str
    indicator_no: str
    indicator: str
    occurrence: int  # 1 for the first plan row with this code and text, 2 for a second one …
    value: object
    from_period: str = ""  # the report it came from: fiscal year and period id, '2023-24 q2'


def identity(row_cells: dict) -> tuple[str, str]:
    """A plan row by its indicator code and text, from its cells as read (objects with a `value`), as `row_key`."""
    def text(key: str) -> str:
        cell = row_cells.get(key)
        return str(cell.value) if cell is not None and cell.value is not None else ""
    return row_key(text("indicator_no"), text("indicator"))


def row_key(indicator_no: str, indicator: str) -> tuple[str, str]:
    """An indicator's code and text by their identity (text/identity.py): another Unicode form, white space, an
    invisible character or digits of another script make no other row."""
    return _keyed(indicator_no), _keyed(indicator)


def occurrences(plan_rows) -> list[tuple[tuple[str, str], int]]:
    """For each plan row, (identity, how many rows so far had it)."""
    seen: dict[tuple[str, str], int] = {}
    out = []
    for _, cells in plan_rows:
        key = identity(cells)
        seen[key] = seen.get(key, 0) + 1
        out.append((key, seen[key]))
    return out


def same(a: object, b: object) -> bool:
    """Two cell values as read are the same entry: 4 and 4.0 are, '৪' and 4 are not (retyped is changed)."""
    def plain(v):
        if isinstance(v, dt.datetime):
            return v.date() if v.time() == dt.time() else v
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, str):
            return printed(v).strip()  # as the checks read the cell: without what prints nothing
        return v
    return type(plain(a)) is type(plain(b)) and plain(a) == plain(b)


def _keyed(text: str) -> str:
    return _identity_key(text, folded=True)
