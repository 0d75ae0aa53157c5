"""Text written into a workbook stays text: openpyxl stores any string that starts with `=` as a formula, and
Excel and LibreOffice treat `+`, `-`, `@` (and a leading tab or carriage return) much the same when a cell is
edited. A cell set here is a string cell whatever its first character, marked with Excel's quote prefix (the `'`
a user types) when it could be read as a formula, so that it stays text after an edit too (OWASP, CSV/formula
injection)."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def put(cell, value: object) -> None:
    """`cell.value = value`, a text never a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


def keep_text(cells) -> None:
    """Cells already set (by `ws.append`, say) made text again where their value is a string."""
    for cell in cells:
        put(cell, cell.value)
