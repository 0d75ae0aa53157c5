"""The annex table's column widths from its content, as a browser's automatic table layout does it: each column
between its longest unbreakable word (its least width: no word is ever broken inside, `তারি|খ`) and its longest
line (its most), the room over the least shared by what each column would still take. The widths are then fixed
in the document (grid, every cell, fixed layout), so Word and LibreOffice lay the table out alike."""

from __future__ import annotations

import io
import re
import zipfile
from functools import lru_cache

from lxml import etree

from generator.documents import fit
from generator.spec.columns import COLUMNS
from generator.spec.kinds import Kind

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DXA_PER_CM = 567
PADDING_CM = 0.16 + 0.12  # the annex's cell margins (0.08 cm each side) and a little air for the editors
BOLD = 1.08  # a bold header's width over the regular
MOST_CM = 9.0  # no column is given more than this, however long its longest line
# where a line may break: spaces, and after the zero-width space contexts.breakable puts after a slash between
# words (never inside a date: ৩১/১২/২৩)
_BREAK_AFTER = re.compile(r"[\s\u200b]+")


@lru_cache(maxsize=4096)
def _width(text: str, size: float) -> float:
    return fit.width_cm(text, size)


def _words(text: str) -> list[str]:
    return [w for w in _BREAK_AFTER.split(text) if w]


def _texts(kind: Kind, context: dict, key: str) -> tuple[list[str], list[str]]:
    """(header texts, body texts) of an annex column."""
    col = COLUMNS[key]
    header = context.get("progress_header", "") if key == kind.progress_column else col.header
    heads = [t for t in (header, col.subheader) if t]
    body = []
    for row in context.get("rows", []):
        if col.two_lines:
            body += [str(row.get(f"{key}_t", "")), str(row.get(f"{key}_a", ""))]
        else:
            body.append(str(row.get(key, "")))
    return heads, [t for t in body if t]


def bounds(kind: Kind, context: dict, key: str, size: float) -> tuple[float, float]:
    """(least, most) width of a column in cm, padding included."""
    heads, body = _texts(kind, context, key)
    least = max([_width(w, size) * BOLD for t in heads for w in _words(t)]
                + [_width(w, size) for t in body for w in _words(t)] + [0.4])
    most = max([_width(line, size) * BOLD for t in heads for line in t.split("\n")]
               + [_width(line, size) for t in body for line in t.split("\n")] + [least])
    return least + PADDING_CM, min(max(most, least) + PADDING_CM, max(MOST_CM, least + PADDING_CM))


STEP_CM = 0.1  # the room over the least widths is given out in steps of this
WRAP_WASTE = 1.12  # a wrapped line is not filled to the end


def _cells(kind: Kind, context: dict, size: float) -> list[list[tuple[float, float]]]:
    """Per table row, per column: (the widths of its paragraphs summed as one run, its share of the row): a cell
    merged down over n rows counts 1/n on its first row."""
    rows = context.get("rows", [])
    groups: dict[str, list[int]] = {}
    for key in kind.annex_columns:
        merge = COLUMNS[key].merge
        if merge:
            sizes, n = [], 0
            for row in rows:
                if row.get(f"{merge}_first", True) and n:
                    sizes.append(n)
                    n = 0
                n += 1
            groups[key] = [*sizes, n] if rows else []
    out = []
    for i, row in enumerate(rows):
        cells = []
        for key in kind.annex_columns:
            col = COLUMNS[key]
            texts = [str(row.get(f"{key}_t", "")), str(row.get(f"{key}_a", ""))] if col.two_lines else [str(row.get(key, ""))]
            share = 1.0
            if col.merge:
                if not row.get(f"{col.merge}_first", True):
                    cells.append((0.0, 0.0))
                    continue
                first = sum(1 for r in rows[:i + 1] if r.get(f"{col.merge}_first", True)) - 1
                share = 1 / max(1, groups[key][first] if first < len(groups[key]) else 1)
            cells.append((sum(_width(line, size) for t in texts for line in t.split("\n") if line), share))
        out.append(cells)
    return out


def widths(kind: Kind, context: dict, total_cm: float, size: float) -> list[float]:
    """Each annex column's width, adding up to `total_cm`: every column at least its longest word, then the rest
    given out a step at a time to the column that shortens the table most (the rows' estimated line counts)."""
    pairs = [bounds(kind, context, key, size) for key in kind.annex_columns]
    least, most = [p[0] for p in pairs], [p[1] for p in pairs]
    if sum(least) >= total_cm:  # not even the words fit: shrink them alike (a word may then break)
        return [w * total_cm / sum(least) for w in least]
    if sum(most) <= total_cm:  # every cell on one line: the rest shared in proportion to the lines
        extra = total_cm - sum(most)
        return [m + extra * m / sum(most) for m in most]
    cells = _cells(kind, context, size)
    width = list(least)

    def lines(text_cm: float, col_cm: float) -> float:
        room = max(col_cm - PADDING_CM, 0.1)
        return max(1.0, -(-text_cm * WRAP_WASTE // room)) if text_cm else 0.0

    def height(row: list[tuple[float, float]], ws: list[float]) -> float:
        return max((lines(t, w) * share for (t, share), w in zip(row, ws)), default=0.0)

    heights = [height(row, width) for row in cells]
    room = total_cm - sum(width)
    while room >= STEP_CM:
        best, gain_best = None, 0.0
        for c in range(len(width)):
            if width[c] + STEP_CM > most[c]:
                continue
            trial = width[:c] + [width[c] + STEP_CM] + width[c + 1:]
            gain = sum(h - height(row, trial) for row, h in zip(cells, heights) if row[c][0])
            if gain > gain_best:
                best, gain_best = c, gain
        if best is None:  # no step shortens the table: the rest in proportion to what the columns would take
            want = [m - w for w, m in zip(width, most)]
            if sum(want) <= 0:
                break
            width = [w + room * d / sum(want) for w, d in zip(width, want)]
            room = 0.0
            break
        width[best] += STEP_CM
        room -= STEP_CM
        heights = [height(row, width) for row in cells]
    if room > 0:
        width = [w + room * w / sum(width) for w in width]
    return width


def apply(docx: bytes, widths_cm: list[float]) -> bytes:
    """The document with its (first) table's grid and every cell set to `widths_cm` (a merged cell gets the
    sum of the columns it spans)."""
    source, out = zipfile.ZipFile(io.BytesIO(docx)), io.BytesIO()
    dxa = [round(w * DXA_PER_CM) for w in widths_cm]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = _applied(data, dxa)
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _applied(xml: bytes, dxa: list[int]) -> bytes:
    root = etree.fromstring(xml)
    table = root.find(f".//{{{W}}}tbl")
    if table is None:
        return xml
    grid = table.findall(f"{{{W}}}tblGrid/{{{W}}}gridCol")
    if len(grid) != len(dxa):
        return xml
    for col, w in zip(grid, dxa):
        col.set(f"{{{W}}}w", str(w))
    tblw = table.find(f"{{{W}}}tblPr/{{{W}}}tblW")
    if tblw is not None:
        tblw.set(f"{{{W}}}w", str(sum(dxa)))
        tblw.set(f"{{{W}}}type", "dxa")
    for row in table.iter(f"{{{W}}}tr"):
        at = 0
        for cell in row.findall(f"{{{W}}}tc"):
            span_el = cell.find(f"{{{W}}}tcPr/{{{W}}}gridSpan")
            span = int(span_el.get(f"{{{W}}}val", "1")) if span_el is not None else 1
            tcw = cell.find(f"{{{W}}}tcPr/{{{W}}}tcW")
            if tcw is not None:
                tcw.set(f"{{{W}}}w", str(sum(dxa[at:at + span])))
                tcw.set(f"{{{W}}}type", "dxa")
            at += span
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def table_width_cm(docx: bytes) -> float | None:
    """The (first) table's width as the template fixed it."""
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    grid = root.findall(f".//{{{W}}}tbl/{{{W}}}tblGrid/{{{W}}}gridCol")
    return sum(int(c.get(f"{{{W}}}w", "0")) for c in grid) / DXA_PER_CM if grid else None
