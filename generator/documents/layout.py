"""The annex table's column widths from its content, as a browser's automatic table layout does it: each column
between its longest unbreakable word (its least width: no word is ever broken inside, `তারি|খ`) and its longest
line (its most), the room over the least shared by what each column would still take. The widths are then fixed
in the document (grid, every cell, fixed layout), so Word and LibreOffice lay the table out alike."""

from __future__ import annotations

import re
from functools import lru_cache

from generator.documents import fit
from generator.spec.columns import COLUMNS
from generator.spec.kinds import Kind

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


# LibreOffice (as Word) may break a web address after a slash (never between digits: ৩১/১২/২৩ stays whole)
_AFTER_SLASH = re.compile(r"(?<=/)(?=[^/\s])(?:(?<!\d/)|(?!\d))")
WHOLE_CM = 6.0  # an address up to this wide keeps its column wide enough for it whole; a longer one breaks


def _words(text: str) -> list[str]:
    return [w for w in _BREAK_AFTER.split(text) if w]


@lru_cache(maxsize=4096)
def _least(word: str, size: float) -> float:
    """The least width a word needs: the word, or for a long web address its longest part between slashes (a
    drive link made a one-page annex three, squeezing every other column)."""
    whole = _width(word, size)
    if whole <= WHOLE_CM or "/" not in word:
        return whole
    return max(_width(part, size) for part in _AFTER_SLASH.split(word) if part)


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
    """(least, most) width of a column in cm, padding included. The last column holds the scored annex's total
    too, in bold: a total wider than the rows' scores (১৯.৮২ under ২.৫৫) must not break ('১' over '৯.৮২')."""
    heads, body = _texts(kind, context, key)
    if key == kind.annex_columns[-1] and context.get("total"):
        heads = [*heads, str(context["total"])]
    least = max([_least(w, size) * BOLD for t in heads for w in _words(t)]
                + [_least(w, size) for t in body for w in _words(t)] + [0.4])
    most = max([_width(line, size) * BOLD for t in heads for line in t.split("\n")]
               + [_width(line, size) for t in body for line in t.split("\n")] + [least])
    return least + PADDING_CM, min(max(most, least) + PADDING_CM, max(MOST_CM, least + PADDING_CM))


STEP_CM = 0.15  # the room over the least widths is given out in steps of this
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
    starts: dict[str, list[int]] = {}  # per merge, the index of the group each row belongs to
    for merge in {COLUMNS[key].merge for key in kind.annex_columns if COLUMNS[key].merge}:
        n, at = -1, []
        for row in rows:
            n += 1 if row.get(f"{merge}_first", True) else 0
            at.append(max(n, 0))
        starts[merge] = at
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
                first = starts[col.merge][i]
                share = 1 / max(1, groups[key][first] if first < len(groups[key]) else 1)
            cells.append((sum(_width(line, size) for t in texts for line in t.split("\n") if line), share))
        out.append(cells)
    return out


def widths(kind: Kind, context: dict, total_cm: float, size: float) -> list[float]:
    """Each annex column's width, adding up to `total_cm`: every column at least its longest word, then the rest
    given out a step at a time to the column that shortens the table most (the rows' estimated line counts)."""
    pairs = [bounds(kind, context, key, size) for key in kind.annex_columns]
    least, most = [p[0] for p in pairs], [p[1] for p in pairs]
    if sum(least) >= total_cm:  # not even the words fit: only the widest columns are cut (their longest word,
        return _cut_widest(least, total_cm)  # an e-mail address, may then break), every other keeps its words
    if sum(most) <= total_cm:  # every cell on one line: the rest shared in proportion to the lines
        extra = total_cm - sum(most)
        return [m + extra * m / sum(most) for m in most]
    cells = _cells(kind, context, size)
    width = list(least)

    def lines(text_cm: float, share: float, col_cm: float) -> float:
        if not text_cm:
            return 0.0
        room = max(col_cm - PADDING_CM, 0.1)
        return max(1.0, -(-text_cm * WRAP_WASTE // room)) * share

    # each row's lines per column, kept up to date as widths grow: a step is tried on a column by recomputing
    # only that column's lines against the row's highest of the others
    grid = [[lines(t, share, w) for (t, share), w in zip(row, width)] for row in cells]
    columns = range(len(width))
    room = total_cm - sum(width)
    while room >= STEP_CM:
        best, gain_best = None, 0.0
        for c in columns:
            if width[c] + STEP_CM > most[c]:
                continue
            gain = 0.0
            for row, got in zip(cells, grid):
                if not row[c][0]:
                    continue
                now = max(got)
                if got[c] < now:
                    continue
                others = max((v for i, v in enumerate(got) if i != c), default=0.0)
                gain += now - max(others, lines(row[c][0], row[c][1], width[c] + STEP_CM))
            if gain > gain_best:
                best, gain_best = c, gain
        if best is None:  # no step shortens the table: the rest in proportion to what the columns would take
            want = [m - w for w, m in zip(width, most)]
            if sum(want) > 0:
                width = [w + room * d / sum(want) for w, d in zip(width, want)]
                room = 0.0
            break
        width[best] += STEP_CM
        room -= STEP_CM
        for row, got in zip(cells, grid):
            got[best] = lines(row[best][0], row[best][1], width[best])
    if room > 0:
        width = [w + room * w / sum(width) for w in width]
    return width


def _cut_widest(least: list[float], total_cm: float) -> list[float]:
    """`least` with every width over one cap brought down to it, the cap chosen so the widths add up to
    `total_cm` (the narrow columns, ordinary words, are never cut)."""
    ordered, before = sorted(least), 0.0
    for i, w in enumerate(ordered):
        cap = (total_cm - before) / (len(ordered) - i)
        if w >= cap:
            return [min(x, cap) for x in least]
        before += w
    return list(least)


_ROW_OR_CELL = re.compile(r"<w:tr[ >]|<w:tc>(?:\s*<w:tcPr>.*?</w:tcPr>)?", re.S)  # a row's start, a cell's properties
_SPAN = re.compile(r'<w:gridSpan w:val="(\d+)"')
_TCW = re.compile(r"<w:tcW [^>]*/>")


def apply(xml: str, widths_cm: list[float]) -> str:
    """The document's XML with its (first) table's grid and every cell set to `widths_cm` (a merged cell gets
    the sum of the columns it spans). Text substitutions on the XML as rendered, in one pass over its rows and
    cells: parsing it would cost more than the render (a 200-row annex)."""
    dxa = [round(w * DXA_PER_CM) for w in widths_cm]
    grid = _GRID.search(xml)
    if grid is None or len(re.findall(r"<w:gridCol ", grid.group(1))) != len(dxa):
        return xml
    cols = iter(dxa)
    new_grid = re.sub(r'<w:gridCol w:w="\d+"', lambda m: f'<w:gridCol w:w="{next(cols)}"', grid.group(0))
    xml = xml[:grid.start()] + new_grid + xml[grid.end():]
    xml = re.sub(r"<w:tblW [^>]*/>", f'<w:tblW w:w="{sum(dxa)}" w:type="dxa"/>', xml, count=1)
    at = 0  # the grid column the next cell of the row starts at

    def row_or_cell(m: re.Match) -> str:
        nonlocal at
        text = m.group(0)
        if text.startswith("<w:tr"):
            at = 0
            return text
        span = _SPAN.search(text) if "gridSpan" in text else None
        n = int(span.group(1)) if span else 1
        width = sum(dxa[at:at + n])
        at += n
        return _TCW.sub(f'<w:tcW w:w="{width}" w:type="dxa"/>', text, count=1) if "<w:tcW " in text else text

    return _ROW_OR_CELL.sub(row_or_cell, xml)


_GRID = re.compile(r"<w:tblGrid>(.*?)</w:tblGrid>", re.S)


def table_width_cm(xml: str) -> float | None:
    """The (first) table's width as the template fixed it."""
    grid = _GRID.search(xml)
    widths = re.findall(r'<w:gridCol w:w="(\d+)"', grid.group(1)) if grid else []
    return sum(int(w) for w in widths) / DXA_PER_CM if widths else None
