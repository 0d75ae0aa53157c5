"""How the blank workbooks print and what their input cells offer: paper, fit, repeated headers, the
header row's height, the fiscal-year list."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

from generator.text.bangla import to_bangla_digits

LINE_PT = 16  # one wrapped line of 11 pt Nikosh, with its leading
CHARS_PER_WIDTH = 1.0  # Bangla characters (code points) per unit of column width, at 11 pt


def fiscal_year_list(ws, cell, today: dt.date | None = None) -> None:
    """A dropdown of the fiscal years around today's, written as offices write them (২০২৩-২৪); any other
    form may still be typed (no error), the reader accepts ২০২৩-২০২৪, 2023-24 …"""
    year = (today or dt.date(2024, 1, 1)).year  # fixed, so that regenerated templates are byte-identical
    years = [to_bangla_digits(f"{y}-{(y + 1) % 100:02d}") for y in range(year - 4, year + 6)]
    dv = DataValidation(type="list", formula1='"' + ",".join(years) + '"', allow_blank=True,
                        showErrorMessage=False, promptTitle="অর্থবছর",
                        prompt="তালিকা থেকে বাছুন অথবা লিখুন, যেমন: ২০২৩-২৪", showInputMessage=True)
    ws.add_data_validation(dv)
    dv.add(cell)


def header_height(ws, row: int, columns: int) -> float:
    """Tall enough for the longest wrapped header of the row (LibreOffice does not grow a row by itself)."""
    lines = 1
    for i in range(1, columns + 1):
        text = str(ws.cell(row, i).value or "")
        width = ws.column_dimensions[get_column_letter(i)].width or 10
        per_line = max(1, int(width * CHARS_PER_WIDTH))
        lines = max(lines, sum(math.ceil(max(1, len(part)) / per_line) for part in text.split("\n")))
    return lines * LINE_PT + 6


def text_height(text: str, width: float, size: float = 11) -> float:
    """Points of row height that `text`, wrapped in a column `width` wide at `size` pt, needs: its lines (each
    line of the text broken where it would pass the column, a word never cut) at LINE_PT per 11 pt, and a little
    room. An estimate from the characters (_width), made a little generous; tests/xlsx/test_blank_workbook_guides.py
    checks it against LibreOffice's print of the longest instructions (no two lines on top of each other)."""
    per_line = max(1.0, width * CHARS_PER_WIDTH * 11 / size)
    lines = 0
    for part in str(text).split("\n"):
        length = 0.0
        lines += 1
        for word in (_width(w) for w in part.split(" ")):
            if length and length + 1 + word > per_line:
                lines += 1
                length = 0.0
            length += (1 if length else 0) + word
            while length > per_line:  # a word longer than the line
                lines += 1
                length -= int(per_line)
    return round(lines * LINE_PT * size / 11 + 4, 1)


def _width(word: str) -> float:
    """A word's width in characters of the column-width unit: a mark over or under its letter (a virama, ু) takes
    none, a Latin letter or digit a little less than a Bangla letter."""
    return sum(0 if unicodedata.category(c) == "Mn" else 0.75 if c < "\u0250" else 1.0 for c in word)


def _fit_width(ws, landscape: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5


def guide_sheet(ws) -> None:
    """The instructions: A4 portrait, one page wide (as many down as it takes), its one column as the print area."""
    _fit_width(ws, landscape=False)
    ws.print_area = f"A1:A{ws.max_row}"
    ws.page_margins.left = ws.page_margins.right = 0.5


def letter_sheet(ws) -> None:
    _fit_width(ws, landscape=False)
    ws.print_area = f"B1:C{ws.max_row}"


def plan_sheet(ws, columns: int, first: int, last: int) -> None:
    """Landscape, one page wide, the header rows on every page, the blank rows as the print area."""
    _fit_width(ws, landscape=True)
    ws.print_title_rows = f"2:{first - 1}"
    ws.print_area = f"A2:{get_column_letter(columns)}{last}"
