"""Raw WordprocessingML tweaks python-docx has no API for: Bangla font slots, merges, borders, header rows."""

from __future__ import annotations

import re

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from generator.spec.fonts import BANGLA_FONT, FALLBACK_FONTS

LANG_BIDI = "bn-BD"
THEME_SLOTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _child(parent, tag: str, before: tuple[str, ...] = ()):
    """The child `tag` of `parent`, created if missing, placed before the first of `before` present."""
    found = parent.find(qn(tag))
    if found is not None:
        return found
    el = OxmlElement(tag)
    for name in before:
        anchor = parent.find(qn(name))
        if anchor is not None:
            anchor.addprevious(el)
            return el
    parent.append(el)
    return el


_RPR_ORDER = (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike", "w:dstrike",
    "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid", "w:vanish", "w:webHidden",
    "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
    "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
    "w:specVanish", "w:oMath",
)


def _rpr_child(rpr, tag: str):
    later = _RPR_ORDER[_RPR_ORDER.index(tag) + 1:]
    return _child(rpr, tag, later)


def bangla_rpr(rpr, *, size: float | None = None, bold: bool | None = None, font: str = BANGLA_FONT) -> None:
    """Put the Bangla font in every slot, and size and bold in both the Latin and complex-script slots."""
    fonts = _rpr_child(rpr, "w:rFonts")
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), font)
    for theme in THEME_SLOTS:  # Word takes a theme font over the named one: typing would switch to Calibri
        fonts.attrib.pop(qn(theme), None)
    if bold is not None:
        for tag in ("w:b", "w:bCs"):
            el = _rpr_child(rpr, tag)
            if not bold:
                el.set(qn("w:val"), "0")
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            _rpr_child(rpr, tag).set(qn("w:val"), str(round(size * 2)))
    lang = _rpr_child(rpr, "w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:bidi"), LANG_BIDI)


def style_run(run, *, size: float | None = None, bold: bool | None = None) -> None:
    bangla_rpr(run._r.get_or_add_rPr(), size=size, bold=bold)


def set_document_defaults(document, *, size: float) -> None:
    """Bangla font, size and language for the whole document (docDefaults and the Normal style)."""
    styles = document.styles.element
    defaults = _child(styles, "w:docDefaults")
    rpr_default = _child(defaults, "w:rPrDefault")
    bangla_rpr(_child(rpr_default, "w:rPr"), size=size)
    for style in styles.findall(qn("w:style")):
        rpr = style.find(qn("w:rPr"))
        if rpr is not None and rpr.find(qn("w:rFonts")) is not None:
            bangla_rpr(rpr)
    for fonts in styles.iter(qn("w:rFonts")):  # a table style's first row and every other conditional part too
        for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(slot), BANGLA_FONT)
        for theme in THEME_SLOTS:
            fonts.attrib.pop(qn(theme), None)
    normal = document.styles["Normal"]
    bangla_rpr(normal.element.get_or_add_rPr(), size=size)


def theme_fonts(document) -> None:
    """The theme's major and minor fonts (Latin, complex script, and the Bangla script's) made Nikosh, so that a
    style or a run that names a theme font still gets Nikosh, in Word and in LibreOffice."""
    for part in document.part.package.parts:
        if not str(part.partname).startswith("/word/theme/"):
            continue
        xml = part.blob.decode("utf-8")
        xml = re.sub(r'<a:(latin|cs) typeface="[^"]*"', lambda m: f'<a:{m.group(1)} typeface="{BANGLA_FONT}"', xml)
        xml = re.sub(r'<a:font script="Beng" typeface="[^"]*"', f'<a:font script="Beng" typeface="{BANGLA_FONT}"', xml)
        part._blob = xml.encode("utf-8")


def add_font_fallbacks(document) -> None:
    """Declare Nikosh in the font table, with an alternative name, plus the common Bangla fonts."""
    part = next(p for p in document.part.package.parts if str(p.partname) == "/word/fontTable.xml")
    xml = part.blob.decode("utf-8")
    entries = [
        f'<w:font w:name="{BANGLA_FONT}"><w:altName w:val="{FALLBACK_FONTS[0]}"/><w:charset w:val="00"/>'
        '<w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
    ] + [
        f'<w:font w:name="{name}"><w:charset w:val="00"/><w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font>'
        for name in FALLBACK_FONTS
    ]
    xml = re.sub(r"(<w:fonts\b[^>]*>)", lambda m: m.group(1) + "".join(entries), xml, count=1)
    part._blob = xml.encode("utf-8")


# Tables ---------------------------------------------------------------------------------

_TCPR_ORDER = ("w:tcW", "w:gridSpan", "w:vMerge", "w:tcBorders", "w:shd", "w:noWrap", "w:tcMar",
               "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")


def _tcpr_child(cell, tag: str):
    tcpr = cell._tc.get_or_add_tcPr()
    return _child(tcpr, tag, _TCPR_ORDER[_TCPR_ORDER.index(tag) + 1:])


def vmerge(cell, restart: bool) -> None:
    el = _tcpr_child(cell, "w:vMerge")
    if restart:
        el.set(qn("w:val"), "restart")


def grid_span(cell, n: int) -> None:
    _tcpr_child(cell, "w:gridSpan").set(qn("w:val"), str(n))


def shade(cell, fill: str) -> None:
    shd = _tcpr_child(cell, "w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)


def valign(cell, where: str = "center") -> None:
    _tcpr_child(cell, "w:vAlign").set(qn("w:val"), where)


def no_borders(cell, edges: tuple[str, ...] = ("left", "bottom", "right")) -> None:
    """Hide the given borders of one cell (a table's borderless last row)."""
    borders = _tcpr_child(cell, "w:tcBorders")
    for edge in edges:
        _child(borders, f"w:{edge}").set(qn("w:val"), "nil")


def cant_split(row, value: str = "1") -> None:
    """Keep the row whole on one page (`value` may be a template's placeholder for "1" or "0")."""
    _child(row._tr.get_or_add_trPr(), "w:cantSplit").set(qn("w:val"), value)


def repeat_header(row) -> None:
    """Repeat this row at the top of every page the table runs onto."""
    cant_split(row)
    _child(row._tr.get_or_add_trPr(), "w:tblHeader").set(qn("w:val"), "1")


def table_borders(table, size: int = 4, color: str = "000000", none: bool = False) -> None:
    tblpr = table._tbl.tblPr
    borders = _child(tblpr, "w:tblBorders", ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"))
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = _child(borders, f"w:{edge}")
        el.set(qn("w:val"), "nil" if none else "single")
        if not none:
            el.set(qn("w:sz"), str(size))
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), color)


def fixed_layout(table, widths_cm: list[float]) -> None:
    """Fixed column widths, so LibreOffice and Word lay the table out the same and keep it on the page."""
    from docx.shared import Cm

    table.autofit = False
    tblpr = table._tbl.tblPr
    _child(tblpr, "w:tblLayout", ("w:tblCellMar", "w:tblLook")).set(qn("w:type"), "fixed")
    width = _child(tblpr, "w:tblW", ("w:jc", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"))
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(int(sum(widths_cm) * 567)))
    for gc, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm):
        gc.set(qn("w:w"), str(int(w * 567)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm):
            cell.width = Cm(w)


def cell_margins(table, cm: float = 0.08) -> None:
    tblpr = table._tbl.tblPr
    mar = _child(tblpr, "w:tblCellMar", ("w:tblLook",))
    for edge in ("left", "right"):
        el = _child(mar, f"w:{edge}")
        el.set(qn("w:w"), str(int(cm * 567)))
        el.set(qn("w:type"), "dxa")


def paragraph_border(paragraph, edge: str = "bottom", size: int = 6) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    pbdr = _child(ppr, "w:pBdr", ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc", "w:rPr"))
    el = _child(pbdr, f"w:{edge}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size))
    el.set(qn("w:space"), "1")
    el.set(qn("w:color"), "000000")


# Page numbers ---------------------------------------------------------------------------

def page_number(paragraph, label: str = "পৃষ্ঠা ", size: float | None = None) -> None:
    """'পৃষ্ঠা ' and a PAGE field. Neither Word nor LibreOffice has a Bangla page-number format in DOCX; the
    field's runs are in Bangla (bn-BD), so a program drawing digits in their text's language (LibreOffice with
    "Numerals: Context", as our PDFs are made) draws ২ (see docs/templates.md)."""
    style_run(paragraph.add_run(label), size=size)

    def run(child):
        r = paragraph.add_run()
        style_run(r, size=size)
        lang = r._r.get_or_add_rPr().find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            r._r.get_or_add_rPr().append(lang)
        lang.set(qn("w:val"), "bn-BD")
        lang.set(qn("w:bidi"), "bn-BD")
        r._r.append(child)

    for kind in ("begin", "instr", "separate", "result", "end"):
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        elif kind == "result":
            el = OxmlElement("w:t")
            el.text = "২"
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run(el)
