"""The record of what `gen next` carried into a next-period workbook, and the warning on what was left as carried.

The record is a very hidden sheet, `CARRIED_SHEET`: a key row, then one row per carried cell naming its
column key, its plan row (by indicator code and text, and which occurrence of them) and the value written.
A build compares each with the cell now in that place: the same value, as read, is a warning; a value
changed or deleted is nothing. The sheet is only ever advice: whatever it holds (a hostile file, a clerk
who unhid and edited it), a row that does not fit is ignored, and it never enters the content hash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator.text.bangla import parse_period, to_ascii_digits, to_bangla_digits
from generator.model import Finding, RawWorkbook

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
    """A plan row by its indicator code and text (whitespace folded), as read from the raw cells."""
    def text(key: str) -> str:
        cell = row_cells.get(key)
        return " ".join(str(cell.value).split()) if cell is not None and cell.value is not None else ""
    return text("indicator_no"), text("indicator")


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
            return v.strip()
        return v
    return type(plain(a)) is type(plain(b)) and plain(a) == plain(b)


def parse(rows: list[list]) -> list[Carried]:
    """The records in the rows of the hidden sheet; rows that do not fit are skipped."""
    if not rows:
        return []
    header = [v.strip() if isinstance(v, str) else "" for v in rows[0]]
    if not all(k in header for k in KEYS):
        return []
    at = {k: header.index(k) for k in KEYS}
    out = []
    for row in rows[1:MAX_RECORDS + 1]:
        get = {k: (row[i] if i < len(row) else "") for k, i in at.items()}
        column, number, text, nth = get["column"], get["indicator_no"], get["indicator"], get["occurrence"]
        if not isinstance(column, str) or not column.strip():
            continue
        if not isinstance(nth, (int, float)) or isinstance(nth, bool) or not 1 <= nth <= MAX_RECORDS:
            continue
        out.append(Carried(column.strip(), " ".join(str(number or "").split()), " ".join(str(text or "").split()),
                           int(nth), None if get["value"] == "" else get["value"], str(get["from_period"] or "")[:100]))
    return out


def unchanged(raw: RawWorkbook) -> list[Finding]:
    """A warning at each carried cell that still holds exactly the value `gen next` put there."""
    if not raw.carried:
        return []
    wanted = {(c.indicator_no, c.indicator, c.occurrence, c.column): c for c in raw.carried}
    out = []
    for (_, cells), ((number, text), nth) in zip(raw.plan_rows, occurrences(raw.plan_rows)):
        for column, cell in cells.items():
            record = wanted.get((number, text, nth, column))
            if record is None or record.value is None or not same(cell.value, record.value):
                continue
            fy, _, period = record.from_period.partition(" ")
            named = parse_period(period)
            bn_from = f" ({to_bangla_digits(fy)}, {named.name})" if named else ""
            en_from = f" ({record.from_period})" if named else ""
            out.append(Finding(
                "warning", "carried-unchanged",
                f"আগের প্রতিবেদনের অর্জন অপরিবর্তিত: '{to_bangla_digits(str(cell.value))}' আগের প্রতিবেদন{bn_from} থেকে "
                "আনা হয়েছিল, বদলানো হয়নি। অর্থবছরের শুরু থেকে এই সময়কালের শেষ পর্যন্ত অর্জন লিখুন; সত্যিই না বদলে "
                "থাকলে এই সতর্কতা উপেক্ষা করুন।",
                f"Achievement unchanged from the previous report: '{to_ascii_digits(str(cell.value))}' was carried from "
                f"the previous report{en_from} and has not been updated. Write the achievement from the start of the "
                "fiscal year to the end of this period; if it really did not change, ignore this warning.",
                raw.table_sheet, cell.ref))
    return out
