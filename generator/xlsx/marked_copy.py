"""A rejected workbook marked up: a copy with each bad cell filled red and its message as a comment. The
office's own file is only read."""

from __future__ import annotations

import io
from pathlib import Path

from generator.findings import Finding
from generator.xlsx import package
from generator.xlsx.source import Source, load


def annotate(source: Path | Source, findings: list[Finding]) -> bytes | None:
    """A copy of the workbook with each bad cell filled red and its message as a comment. None when the file
    cannot be opened at all, or when its package was refused (openpyxl loads every cell of every sheet: a
    refused file could fill memory)."""
    from openpyxl import load_workbook  # only for a rejected workbook: a build never loads openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    try:
        if not isinstance(source, Source):
            source = load(Path(source))
        if source.data is None:
            return None
        package.scan(source.data)
        wb = load_workbook(io.BytesIO(source.data))
    except Exception:  # unreadable files were already reported; there is nothing to mark up
        return None
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
        cell.comment = Comment(text, "gen", width=320, height=160)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
