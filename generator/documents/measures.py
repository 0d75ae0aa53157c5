"""The sizes the Word templates are built to (templates.py), which filling them fits text to (contexts.py,
layout.py): type sizes in points, widths in centimetres."""

from __future__ import annotations

from generator.spec.columns import COLUMNS, Column
from generator.spec.kinds import Kind

BODY_PT = 14
SIGNATURE_BLOCK_CM = (9.7, 6.8)  # the letter's recipient, and its signature
TABLE_PT = 9
MINUTES_TABLE_CM = 16.4  # the minutes' decisions table, across the portrait page
MINUTES_CELL_PT = 11
SIGNATURE_SLOTS = 3
ANNEX_MARGIN_CM = 1.27
SIGNATURE_PT = 10  # the annex's signatures, side by side at centred tab stops, a third of the table each
SIGNATURE_SLOT_CM = (29.7 - 2 * ANNEX_MARGIN_CM - 0.2) / SIGNATURE_SLOTS
FOOTER_CM = 0.5
COPIES_KEPT_WHOLE = 6  # copy lines kept on one page; a longer list may break between its ends
MEMO_WIDTHS = (10.0, 2.1, 4.4)  # memo | "তারিখ:" | the dates ("তারিখ:" on one line, in Nikosh or a wider fallback)
CELL_MARGINS_CM = 0.38  # Word's default cell margins, left and right


def minutes_widths(kind: Kind) -> dict[str, float]:
    """Each column of the minutes' decisions table, its width in cm (the table's widths are fixed)."""
    return dict(zip(kind.annex_columns, column_widths(kind, [COLUMNS[k] for k in kind.annex_columns], MINUTES_TABLE_CM)))


def column_widths(kind: Kind, columns: list[Column], total: float) -> list[float]:
    """The columns' widths in cm (the kind's own where it sets them), scaled to fill `total`."""
    override = dict(kind.annex_widths)
    widths = [override.get(c.key, c.docx_width) for c in columns]
    scale = total / sum(widths)
    return [round(w * scale, 2) for w in widths]
