"""The carried-cells sheet of a next-period workbook, read (generator.spec.carried says what it holds)."""

from __future__ import annotations

from generator.spec.carried import KEYS, MAX_RECORDS, Carried


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
