"""Our own template tags, expanded in a part's XML after docxtpl's clean-up (patch_xml) and before Jinja compiles
it: `{% vmerge %}` in a cell, `{% keepnext %}` in a table row, `{% keepwithnext %}` in a paragraph. Plain text
work, so that filling a compiled template loads neither python-docx nor docxtpl."""

from __future__ import annotations

import re

_VMERGE_CELL = re.compile(r"<w:tc[ >](?:(?!<w:tc[ >]).)*?\{%\s*vmerge\s+(.+?)\s*%\}.*?</w:tc>", re.DOTALL)


def expand_vmerge(xml: str) -> str:
    """Turn `{% vmerge COND %}` in a cell into a per-row vertical merge: the cell starts a merged block
    when COND is true and continues the block above otherwise (docxtpl's own `{% vm %}` merges the
    whole column: ../shared/docs/pitfalls.md). Run after docxtpl's patch_xml, which joins tags split across runs."""

    def one(m: re.Match) -> str:
        cell, cond = m.group(0), m.group(1)
        cell = re.sub(r"\{%\s*vmerge\s+.+?\s*%\}", "", cell, count=1)
        mark = f'<w:vMerge w:val="{{% if {cond} %}}restart{{% else %}}continue{{% endif %}}"/>'
        head, sep, body = cell.partition("</w:tcPr>")
        if not sep:
            opening = re.match(r"(<w:tc[^>]*>)(.*)", cell, re.DOTALL)
            assert opening is not None  # _VMERGE_CELL matches from a <w:tc> tag
            head, body = opening.groups()
            head, sep = head + "<w:tcPr>", "</w:tcPr>"
        head = re.sub(r"<w:vMerge[^>]*/>", "", head)
        anchor = re.search(r"<w:(tcW|gridSpan)\b[^>]*/>(?!.*<w:gridSpan)", head, re.DOTALL)
        at = anchor.end() if anchor else head.index("<w:tcPr>") + len("<w:tcPr>")
        head = head[:at] + mark + head[at:]
        content, _, _ = body.rpartition("</w:tc>")
        return f"{head}{sep}{{% if {cond} %}}{content}{{% else %}}<w:p/>{{% endif %}}</w:tc>"

    return _VMERGE_CELL.sub(one, xml)


_KEEPNEXT_ROW = re.compile(r"<w:tr[ >](?:(?!<w:tr[ >]).)*?\{%\s*keepnext\s+(.+?)\s*%\}.*?</w:tr>", re.DOTALL)


def expand_keepnext(xml: str) -> str:
    """Turn `{% keepnext COND %}` in a table row into "keep with next" on every paragraph of the row when
    COND is true: `{% keepnext loop.last %}` keeps a table's last row on the page of what follows it, so
    the signatures are never alone on a page."""

    def one(m: re.Match) -> str:
        row, cond = re.sub(r"\{%\s*keepnext\s+.+?\s*%\}", "", m.group(0), count=1), m.group(1)
        mark = f"{{% if {cond} %}}<w:keepNext/>{{% endif %}}"

        def add(p: re.Match) -> str:  # keepNext follows pStyle, and is never there twice
            ppr = p.group(0)
            return ppr if "<w:keepNext" in ppr else re.sub(r"^<w:pPr>(<w:pStyle [^>]*/>)?", r"\g<0>" + mark, ppr)

        row = re.sub(r"<w:pPr>.*?</w:pPr>", add, row, flags=re.DOTALL)
        row = row.replace("<w:p/>", f"<w:p><w:pPr>{mark}</w:pPr></w:p>")  # a merged cell's continuation
        return re.sub(r"(<w:p(?: [^>]*)?>)(?!<w:pPr>)", lambda p: f"{p.group(1)}<w:pPr>{mark}</w:pPr>", row)

    return _KEEPNEXT_ROW.sub(one, xml)


_KEEPNEXT_PARAGRAPH = re.compile(r"<w:p[ >](?:(?!<w:p[ >]).)*?\{%\s*keepwithnext\s+(.+?)\s*%\}.*?</w:p>", re.DOTALL)


def expand_paragraph_keepnext(xml: str) -> str:
    """Turn `{% keepwithnext COND %}` in a paragraph into "keep with next" on that paragraph when COND is true:
    a list kept whole only where it is short, or only at its ends (never one line alone)."""

    def one(m: re.Match) -> str:
        para, cond = re.sub(r"\{%\s*keepwithnext\s+.+?\s*%\}", "", m.group(0), count=1), m.group(1)
        mark = f"{{% if {cond} %}}<w:keepNext/>{{% endif %}}"
        para = re.sub(r"<w:keepNext(?: [^>]*)?/>", "", para)
        if "<w:pPr>" in para:
            return re.sub(r"<w:pPr>(<w:pStyle [^>]*/>)?", lambda p: p.group(0) + mark, para, count=1)
        return re.sub(r"(<w:p(?: [^>]*)?>)", lambda p: f"{p.group(1)}<w:pPr>{mark}</w:pPr>", para, count=1)

    return _KEEPNEXT_PARAGRAPH.sub(one, xml)


def expand_tags(xml: str) -> str:
    """Our template tags, after docxtpl's patch_xml: `{% vmerge … %}`, then `{% keepnext … %}` (which
    also reaches the empty paragraphs of merged cells), then a paragraph's `{% keepwithnext … %}`."""
    return expand_paragraph_keepnext(expand_keepnext(expand_vmerge(xml)))
