"""An area or activity whose merged cell runs onto a new page prints its label again at the top of that page.

Word and LibreOffice print a merged cell's text once, on the page where the merge starts. Once a document
has been converted to PDF we know where its pages break: the text of each page tells which table row is the
first on it. Those rows are rendered again as the start of their area and activity (the merge restarts
there, with the label and a note that it continues), the document is converted again, and the new layout is
kept only if every page that continues an area or activity now shows its label there. Where the rows cannot
be told apart in the PDF's text (no codes, the same indicator twice) nothing changes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Callable

CONTINUED = "(পূর্ববর্তী পৃষ্ঠার পর)"
NOT_REPEATED = ("area_weight",)  # a weight printed twice reads as counted twice: its cell stays empty
ATTEMPTS = 2  # re-renders at most: the second from the layout the first one made


def page_texts(pdf: bytes, timeout: float = 20.0) -> list[str] | None:
    """The text of each page, without whitespace (pdftotext puts stray spaces inside Bangla words); None
    when pdftotext is missing or fails."""
    exe = shutil.which("pdftotext")
    if exe is None:
        return None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        try:
            done = subprocess.run([exe, "-enc", "UTF-8", f.name, "-"], capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
    if done.returncode != 0:
        return None
    pages = done.stdout.decode("utf-8", "replace").split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return [_compact(p) for p in pages]


def _compact(text: str) -> str:
    return re.sub(r"[\s\u200b-\u200d]+", "", text)


PREFIXES = (None, 24, 12)  # the whole text, then its start: a cell's lines may be read between another's


def row_keys(rows: list[dict]) -> list[list[str]]:
    """What may identify each row in a page's text, best first: its indicator (its code first, where the
    plan has codes), then its activity (NIS plans repeat indicators such as 'সভা আয়োজিত'), whole or its
    start. A text that is also part of another row is left out."""
    texts = [[_compact(v) for v in r.values() if isinstance(v, str)] for r in rows]
    keys: list[list[str]] = [[] for _ in rows]
    for column in ("indicator", "activity"):
        for cut in PREFIXES:
            for i, row in enumerate(rows):
                key = _compact(row.get(column, ""))[:cut]
                if key and key not in keys[i] and sum(any(key in t for t in other) for other in texts) == 1:
                    keys[i].append(key)
    return keys


def first_rows(pages: list[str], keys: list[list[str]]) -> dict[int, int]:
    """For each page after the first (0-based), the row that is first on it, where that is certain: one of
    the row's keys is on that page and nowhere else in the document, and the row before it is certainly on
    an earlier page."""
    found: list[int | None] = []
    for candidates in keys:
        page = None
        for key in candidates:
            counts = [text.count(key) for text in pages]
            if sum(counts) == 1:
                page = counts.index(1)
                break
        found.append(page)
    known = [p for p in found if p is not None]
    if known != sorted(known):
        return {}  # the rows out of order: the keys are not what they seem
    firsts: dict[int, int] = {}
    for i, page in enumerate(found):
        if page is None or page == 0 or page in firsts or i == 0:
            continue
        before = found[i - 1]
        if before is not None and before < page:
            firsts[page] = i
    return firsts


def continued(rows: list[dict], firsts: dict[int, int]) -> set[int]:
    """The page-first rows that continue an area or an activity begun on an earlier page."""
    return {i for i in firsts.values() if not rows[i]["area_first"] or _merged_activity(rows[i])}


def _merged_activity(row: dict) -> bool:
    """A row that continues its activity's merged cell; a two-line annex (NIS) prints the activity on every row."""
    return not row["activity_first"] and "pair_label_t" not in row


def labelled(rows: list[dict], at: set[int]) -> list[dict]:
    """The rows with a merge restarted, and the label printed again, at each row of `at`."""
    out = [dict(r) for r in rows]
    for i in at:
        row = out[i]
        if not row["area_first"]:
            row["area_first"] = True
            row["area"] = f"{row['area']}\n{CONTINUED}" if row.get("area") else row.get("area", "")
            row["section"] = f"{row['section']} {CONTINUED}" if row.get("section") else row.get("section", "")
            for key in NOT_REPEATED:
                row[key] = ""
        if _merged_activity(row):
            row["activity_first"] = True
            row["activity"] = f"{row['activity']}\n{CONTINUED}" if row.get("activity") else row.get("activity", "")
    return out


@dataclass
class Relabelled:
    docx: bytes
    pdf: bytes
    rows: int  # rows whose label was printed again
    conversions: int  # extra conversions spent


def relabel(context: dict, pdf: bytes, render: Callable[[dict], bytes], convert: Callable[[bytes], bytes]
            ) -> Relabelled | None:
    """The document again with its labels repeated where `pdf` shows an area or activity running onto a new
    page, or None when none does, the rows cannot be found, or no new layout shows every label in place."""
    rows = context.get("rows")
    if not rows or "area_first" not in rows[0]:
        return None
    keys = row_keys(rows)
    pages = page_texts(pdf)
    if pages is None or len(pages) < 2:
        return None
    at = continued(rows, first_rows(pages, keys))
    conversions = 0
    while at and conversions < ATTEMPTS:
        new_rows = labelled(rows, at)
        docx = render({**context, "rows": new_rows})
        new_pdf = convert(docx)
        conversions += 1
        new_pages = page_texts(new_pdf)
        if new_pages is None:
            return None
        firsts = first_rows(new_pages, keys)
        if set(firsts.values()) >= at and not continued(new_rows, firsts):
            return Relabelled(docx, new_pdf, len(at), conversions)
        at = continued(rows, firsts)  # the breaks moved: label where they are now
    return None
