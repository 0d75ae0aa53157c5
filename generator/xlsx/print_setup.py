"""How the blank workbooks print and what their input cells offer: paper, fit, repeated headers, the
header row's height, the fiscal-year list."""

from __future__ import annotations

import datetime as dt
import math

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


def _fit_width(ws, landscape: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5


def letter_sheet(ws) -> None:
    _fit_width(ws, landscape=False)
    ws.print_area = f"B1:C{ws.max_row}"


def plan_sheet(ws, columns: int, first: int, last: int) -> None:
    """Landscape, one page wide, the header rows on every page, the blank rows as the print area."""
    _fit_width(ws, landscape=True)
    ws.print_title_rows = f"2:{first - 1}"
    ws.print_area = f"A2:{get_column_letter(columns)}{last}"
