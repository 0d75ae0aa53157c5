"""A rejected workbook marked up: a copy with each bad cell filled red and its message as a comment. The
office's own file is only read."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from pathlib import Path

from generator.findings import Finding
from generator.text import controls
from generator.xlsx import package
from generator.xlsx.source import Source, load


def annotate(source: Path | Source, findings: list[Finding]) -> bytes | None:
    """A copy of the workbook with each bad cell filled red and its message as a comment, without its pictures.
    None when the file cannot be opened at all, when its package was refused (openpyxl loads every cell of every
    sheet: a refused file could fill memory), or when it holds more validations, formatting rules and comments
    than MAX_RULES (openpyxl keeps some 4 KB for each: 460 000 filled the worker's memory, and the copy's
    failure took the clerk's list of errors with it)."""
    from openpyxl import load_workbook  # only for a rejected workbook: a build never loads openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    try:
        if not isinstance(source, Source):
            source = load(Path(source))
        if source.data is None:
            return None
        package.scan(source.data)
        if _rules(source.data) > MAX_RULES:
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "marked as a date but ... outside the limits": told
            wb = load_workbook(io.BytesIO(source.data))  # by the finding about the cell, not on the terminal
    except Exception:  # unreadable files were already reported; there is nothing to mark up
        return None
    for ws in wb.worksheets:  # openpyxl decodes a picture that is not png, jpeg or gif to save it: a 600 KB TIFF
        ws._images = []  # of 9000 × 9000 took 678 MB, once for each place it is shown. The copy marks cells only.
    red = PatternFill("solid", fgColor="FF9999")
    for f in findings:
        if f.sheet not in wb.sheetnames or not f.cell:
            continue
        try:
            cell = wb[f.sheet][f.cell]
        except (ValueError, KeyError):
            continue
        if not hasattr(cell, "fill") or isinstance(cell, tuple):
            continue
        cell.fill = red
        text = f.message if cell.comment is None else cell.comment.text + "\n\n" + f.message
        cell.comment = Comment(controls.removed(text), "gen", width=320, height=160)
    buffer = io.BytesIO()
    try:
        wb.save(buffer)
    except ValueError:  # a cell holds a character XML cannot (read from Excel's _x0001_): written back so
        _escape_controls(wb)
        buffer = io.BytesIO()
        wb.save(buffer)
    return buffer.getvalue()


MAX_RULES = 10_000  # data validations, conditional formats and comments (a workbook of ours has some 20)
_RULES = re.compile(package.ELEMENT + rb"(?:dataValidation|cfRule|comment)[\s/>]")


def _rules(data: bytes) -> int:
    """How many validations, formatting rules and comments the workbook's parts hold (the package checked)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return sum(len(_RULES.findall(z.read(info))) for info in z.infolist()
                   if info.filename.lower().endswith((".xml", ".vml")))


def _escape_controls(wb) -> None:
    """Each text cell with a character XML cannot hold, written as Excel writes it (`_x0001_`): the copy keeps
    what the office's workbook held."""
    from openpyxl.utils.escape import escape

    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and controls.NOT_IN_XML.search(cell.value):
                    cell.value = escape(cell.value)
