"""The Word templates in templates/docx/, built reproducibly with python-docx (`make templates`).

Offices may edit the results in Word (letterhead, logo); each tag sits in a single run so docxtpl finds it.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.shared import Cm, Pt

from generator.documents import wordml
from generator.documents.measures import ANNEX_MARGIN_CM, BODY_PT, COPIES_KEPT_WHOLE, FOOTER_CM
from generator.documents.measures import MEMO_WIDTHS, MINUTES_CELL_PT, MINUTES_TABLE_CM, SIGNATURE_BLOCK_CM
from generator.documents.measures import SIGNATURE_PT, SIGNATURE_SLOTS, TABLE_PT, column_widths
from generator.spec.columns import COLUMNS, Column
from generator.spec import documents as declared
from generator.spec.kinds import Kind
from generator.text.bangla import to_bangla_digits

# the scored annex's total: what the figure in brackets is (the weights of the indicators due by the period's
# end, which is less than the plan's total before the year ends), never a bare number
TOTAL_LABEL = "মোট প্রাপ্ত স্কোর (এ সময় পর্যন্ত মূল্যায়নযোগ্য সূচকের মোট মান {{ possible }}-এর {{ percent }}):"


def _new_document(*, landscape: bool, size: float):
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    section.top_margin = section.bottom_margin = Cm(ANNEX_MARGIN_CM if landscape else 1.5)
    section.left_margin = Cm(ANNEX_MARGIN_CM if landscape else 2.5)
    section.right_margin = Cm(ANNEX_MARGIN_CM if landscape else 2.0)
    # the page number half a centimetre from the paper's edge, below the text's bottom margin: at Word's default
    # (1.27 cm, the annex's whole margin) LibreOffice set it right under a full page's last line, where it read
    # as part of the signature above it
    section.footer_distance = Cm(FOOTER_CM)
    wordml.set_document_defaults(doc, size=size)
    wordml.add_font_fallbacks(doc)
    wordml.theme_fonts(doc)
    normal = doc.styles["Normal"].paragraph_format
    normal.space_after = Pt(0)
    normal.space_before = Pt(0)
    normal.line_spacing = 1.1
    normal.widow_control = True  # no line of a paragraph alone at the foot or the head of a page
    props = doc.core_properties
    props.author = props.last_modified_by = "gen"
    props.title = "Progress report"
    props.created = props.modified = dt.datetime(2024, 1, 1)
    props.revision = 1
    return doc


def _para(container, text: str = "", *, align=None, size: float | None = None, bold: bool | None = None,
          space_after: float = 0, indent_first: float | None = None):
    p = container.add_paragraph()
    if text:
        wordml.style_run(p.add_run(text), size=size, bold=bold)
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(space_after)
    if indent_first is not None:
        p.paragraph_format.first_line_indent = Cm(indent_first)
    return p


def _tag(container, tag: str):
    """A paragraph holding only a {%p …%} control tag; docxtpl removes the paragraph itself."""
    return _para(container, tag)


def _optional(container, name: str, text: str, **kw):
    _tag(container, f"{{%p if {name} %}}")
    p = _para(container, text, **kw)
    _tag(container, "{%p endif %}")
    return p


def _first_paragraph(cell, text: str = "", **kw):
    """The cell's first paragraph, holding `text`; a newline in it becomes a separate paragraph."""
    if "\n" in text:
        head, *rest = text.split("\n")
        p = _first_paragraph(cell, head, **kw)
        for line in rest:
            _para(cell, line, align=kw.get("align"), size=kw.get("size"), bold=kw.get("bold"))
        return p
    p = cell.paragraphs[0]
    if text:
        wordml.style_run(p.add_run(text), size=kw.get("size"), bold=kw.get("bold"))
    if kw.get("align") is not None:
        p.alignment = kw["align"]
    return p


def build_letter(path: Path) -> Path:
    doc = _new_document(landscape=False, size=BODY_PT)
    center, right, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.JUSTIFY
    first = doc.paragraphs[0] if doc.paragraphs else _para(doc)
    first.text = ""
    wordml.style_run(first.add_run("{%p if letterhead_slogan %}"))
    _para(doc, "{{ letterhead_slogan }}", align=right, size=11)
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p for line in office_parents %}")
    _para(doc, "{{ line }}", align=center, size=BODY_PT)
    _tag(doc, "{%p endfor %}")
    _para(doc, "{{ office_name }}", align=center, size=20, bold=True)
    _optional(doc, "office_unit", "{{ office_unit }}", align=center, size=BODY_PT)
    _para(doc, "{{ office_address }}", align=center)
    _optional(doc, "web_line", "{{ web_line }}", align=center, size=11)
    contact = _para(doc, "{{ contact_line }}", align=center, size=11, space_after=8)
    wordml.paragraph_border(contact, "bottom", 8)

    _memo_and_date(doc)

    _para(doc, space_after=6)
    subject = _para(doc, space_after=6)
    wordml.style_run(subject.add_run("বিষয়: "), bold=True)
    wordml.style_run(subject.add_run("{{ subject }}"), bold=True)
    subject.paragraph_format.left_indent = Cm(1.3)
    subject.paragraph_format.first_line_indent = Cm(-1.3)
    ref = _optional(doc, "reference", "সূত্র: {{ reference }}", space_after=6)
    ref.paragraph_format.left_indent = Cm(1.3)
    ref.paragraph_format.first_line_indent = Cm(-1.3)
    _para(doc, space_after=2)
    body = _para(doc, "{{ body }}", align=justify, indent_first=1.27, space_after=8)
    body.paragraph_format.line_spacing = 1.25
    attachment = _para(doc, "সংযুক্তি: {{ attachment }}", space_after=18)
    attachment.paragraph_format.keep_with_next = True  # the recipient and the signature follow on its page

    block = doc.add_table(rows=1, cols=2)
    wordml.table_borders(block, none=True)
    wordml.fixed_layout(block, list(SIGNATURE_BLOCK_CM))
    wordml.cant_split(block.rows[0], "{{ block_whole }}")  # whole on one page, unless taller than a page can hold
    to, sign = block.rows[0].cells
    wordml.valign(to, "bottom")
    _first_paragraph(to, "{%p for line in recipient %}")
    _para(to, "{{ line }}")
    _tag(to, "{%p endfor %}")
    _tag(to, "{%p if attention %}")
    _para(to, "")
    _para(to, "দৃষ্টি আকর্ষণ: {{ attention }}")
    _tag(to, "{%p endif %}")
    _first_paragraph(sign, "")
    _para(sign, "")
    # name, designation, phone and e-mail, each line at the size its longest unbreakable part fits the cell at
    # (contexts.signature_block): never broken inside parentheses or an address
    _para(sign, "{{r signature }}", align=center)

    _copies(doc, space_before=10)
    _continuation(doc, "স্মারক: {{ memo }}, তারিখ: {{ date_bangla }}")
    return _save(doc, path)


def _continuation(doc, memo_line: str) -> None:
    """From the second page on, a header: the page number, then the memo and date the page belongs to."""
    header = _numbered_after_first(doc, doc.sections[0].header, size=11)
    memo = _para(header, memo_line, size=11, space_after=6)
    wordml.paragraph_border(memo, "bottom", 4)


def _page_numbers(doc) -> None:
    """'পৃষ্ঠা ২' centred at the foot of every page after the first."""
    _numbered_after_first(doc, doc.sections[0].footer, size=10)


def _numbered_after_first(doc, part, size: float):
    """The header or footer `part` of every page but the first, opening with a centred 'পৃষ্ঠা N'."""
    doc.sections[0].different_first_page_header_footer = True
    part.is_linked_to_previous = False
    number = part.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    wordml.page_number(number, size=size)
    return part


def _copies(doc, space_before: float) -> None:
    """The numbered অনুলিপি list, left out when there are no copies."""
    _tag(doc, "{%p if copies %}")
    _para(doc, space_after=space_before)
    heading = _para(doc, "{{ copies_heading }}", bold=True)
    heading.paragraph_format.keep_with_next = True  # never the heading alone at the foot of a page
    _tag(doc, "{%p for line in copies %}")
    # a short list whole, and a long one at its ends only: its first two lines with the heading, its last two
    # with what follows (the minutes' signature); kept whole, a long list left half-empty pages before it
    line = _para(doc, f"{{% keepwithnext copies|length <= {COPIES_KEPT_WHOLE} or loop.index < 2 or loop.revindex <= 2 %}}"
                      "{{ line }}")
    line.paragraph_format.keep_together = True
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endif %}")


def _memo_and_date(doc) -> None:
    """Memo number on the left; on the right the date, Bangla calendar over Gregorian. The memo line never
    wraps: `memo_beside` is the line at the size it fits beside the date (contexts.memo_fields), else empty
    and the line is `memo_alone`, in a row of its own over the date."""
    memo = doc.add_table(rows=4, cols=3)
    wordml.table_borders(memo, none=True)
    wordml.fixed_layout(memo, list(MEMO_WIDTHS))
    if_alone, alone_row, end_alone, row = memo.rows
    _first_paragraph(if_alone.cells[0], "{%tr if memo_alone %}")
    alone = alone_row.cells[0].merge(alone_row.cells[2])
    _first_paragraph(alone, "{{r memo_alone }}")
    alone.paragraphs[0].paragraph_format.space_after = Pt(4)
    _first_paragraph(end_alone.cells[0], "{%tr endif %}")
    left, label, dates = row.cells
    _first_paragraph(left, "{{r memo_beside }}")
    _first_paragraph(label, "তারিখ:", align=WD_ALIGN_PARAGRAPH.RIGHT)
    bangla = _first_paragraph(dates, "{{ date_bangla }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    wordml.paragraph_border(bangla, "bottom", 6)
    _para(dates, "{{ date_gregorian }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    for cell in (left, label):
        wordml.valign(cell, "center")
    wordml.cant_split(row)


def _signature(doc, lines: list[str], width: float = 16.5) -> None:
    """A signature block on the right: room to sign, then the lines."""
    table = doc.add_table(rows=1, cols=2)
    wordml.table_borders(table, none=True)
    wordml.fixed_layout(table, [width - 7.0, 7.0])
    wordml.cant_split(table.rows[0])
    cell = table.rows[0].cells[1]
    _first_paragraph(cell, "")
    _para(cell, "")
    for line in lines:
        _para(cell, line, align=WD_ALIGN_PARAGRAPH.CENTER)


def build_minutes(kind: Kind, path: Path) -> Path:
    doc = _new_document(landscape=False, size=13)
    center, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY
    first = doc.paragraphs[0] if doc.paragraphs else _para(doc)
    wordml.style_run(first.add_run("{%p for line in office_lines %}"))
    _para(doc, "{{ line }}", align=center)
    _tag(doc, "{%p endfor %}")
    _para(doc, space_after=6)
    _para(doc, "{{ title }}", bold=True, align=justify, space_after=8)

    block = doc.add_table(rows=5, cols=2)
    wordml.table_borders(block, none=True)
    wordml.fixed_layout(block, [3.2, 13.3])
    for row, (label, value) in zip(block.rows, (
            ("সভাপতি", "{{ chair }}\n{{ chair_designation }}"), ("সভার তারিখ", "{{ meeting_date }}"),
            ("সভার সময়", "{{ meeting_time }}"), ("স্থান", "{{ venue }}"), ("উপস্থিতি", "{{ attendance }}"))):
        _first_paragraph(row.cells[0], label, bold=True)
        _first_paragraph(row.cells[1], value)
    _para(doc, space_after=6)
    _para(doc, "{{ opening }}", align=justify, indent_first=1.27, space_after=8)

    columns = [COLUMNS[k] for k in kind.annex_columns]
    table = doc.add_table(rows=4, cols=len(columns))
    wordml.table_borders(table, size=4)
    wordml.cell_margins(table)
    wordml.fixed_layout(table, column_widths(kind, columns, MINUTES_TABLE_CM))
    head, loop_start, data, loop_end = table.rows
    for col, cell in zip(columns, head.cells):
        _first_paragraph(cell, col.header, align=center, bold=True)
        wordml.shade(cell, "EDEDED")
    wordml.repeat_header(head)
    _first_paragraph(loop_start.cells[0], "{%tr for d in decisions %}")
    _first_paragraph(loop_end.cells[0], "{%tr endfor %}")
    for col, cell in zip(columns, data.cells):
        _first_paragraph(cell, f"{{{{ d.{col.key} }}}}", align=_align(col), size=MINUTES_CELL_PT)
    _para(doc, space_after=6)
    closing = _para(doc, "{{ closing }}", align=justify, indent_first=1.27)
    closing.paragraph_format.keep_with_next = True  # the chair's signature on the page of the closing line
    _signature(doc, ["{{ chair }}", "{{ chair_designation }}"])
    _para(doc, space_after=6)
    _memo_and_date(doc)
    _copies(doc, space_before=6)
    _signature(doc, ["{{ issuer_name }}", "{{ issuer_designation }}"])
    _page_numbers(doc)
    return _save(doc, path)


def build_annex(kind: Kind, document: declared.Document, path: Path) -> Path:
    doc = _new_document(landscape=True, size=TABLE_PT)
    section = doc.sections[0]
    usable = (section.page_width - section.left_margin - section.right_margin) / 360000  # EMU → cm
    center = WD_ALIGN_PARAGRAPH.CENTER
    first = doc.paragraphs[0] if doc.paragraphs else _para(doc)
    wordml.style_run(first.add_run("{{ annex_heading }}"), size=12, bold=True)
    first.alignment = center
    _para(doc, "{{ office_name }}", align=center, size=12, bold=True)
    _optional(doc, "office_place", "{{ office_place }}", align=center, size=11)
    _para(doc, "{{ annex_title }}", align=center, size=11, bold=True, space_after=4)

    columns = [COLUMNS[k] for k in kind.annex_columns]
    grouped = any(c.group for c in columns)
    has_sub = any(c.subheader for c in columns)
    head_rows = 1 + grouped + has_sub
    two_lines = any(c.two_lines for c in columns)
    body_rows = 7 if two_lines else 3
    table = doc.add_table(rows=head_rows + 1 + body_rows + document.total_row + 1, cols=len(columns))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    wordml.table_borders(table, size=4)
    wordml.cell_margins(table)
    width = usable - 0.2
    wordml.fixed_layout(table, column_widths(kind, columns, width))

    head = table.rows
    i = 0
    while i < len(columns):
        col = columns[i]
        if col.group:
            j = i
            while j + 1 < len(columns) and columns[j + 1].group == col.group:
                j += 1
            top = head[0].cells[i].merge(head[0].cells[j]) if j > i else head[0].cells[i]
            _first_paragraph(top, col.group, align=center, bold=True)
            for k in range(i, j + 1):
                _first_paragraph(head[1].cells[k], columns[k].header, align=center, bold=True)
                if has_sub:
                    _first_paragraph(head[2].cells[k], columns[k].subheader, align=center, bold=True)
            i = j + 1
            continue
        cell = head[0].cells[i].merge(head[head_rows - 1].cells[i]) if head_rows > 1 else head[0].cells[i]
        header = "{{ progress_header }}" if col.key == kind.progress_column else col.header
        _first_paragraph(cell, header, align=center, bold=True)
        i += 1
    number_row = head[head_rows]
    for n, cell in enumerate(number_row.cells, start=1):
        _first_paragraph(cell, f"({_bn(n)})", align=center)
    for r in range(head_rows + 1):
        wordml.repeat_header(head[r])
        for cell in head[r].cells:
            wordml.valign(cell, "center")
            wordml.shade(cell, "EDEDED")

    body = list(head)[head_rows + 1:]
    _first_paragraph(body[0].cells[0], "{%tr for r in rows %}")
    _first_paragraph(body[body_rows - 1].cells[0], "{%tr endfor %}")
    if two_lines:
        _two_line_body(body, columns)
    else:
        _row_body(body[1], columns)
    if document.total_row:
        total = body[body_rows]
        label = total.cells[0].merge(total.cells[len(columns) - 2])
        _first_paragraph(label, TOTAL_LABEL, align=WD_ALIGN_PARAGRAPH.RIGHT, bold=True)
        _first_paragraph(total.cells[len(columns) - 1], "{{ total }}", align=center, bold=True)
        wordml.cant_split(total)
        _keep_with_next(total.cells)
    _signature_row(kind, table.rows[-1], width)
    _page_numbers(doc)
    return _save(doc, path)


def _signature_row(kind: Kind, row, width: float) -> None:
    """The note and the signatures of who prepared and verified the annex, in a borderless last row of
    its table: the row before keeps with it (LibreOffice keeps a row with the next row, not with a
    paragraph after the table), so the signatures are never alone on a page."""
    cell = row.cells[0].merge(row.cells[-1])
    wordml.no_borders(cell)
    wordml.cant_split(row)
    if kind.annex_note:
        _first_paragraph(cell, kind.annex_note, size=10)
        _para(cell, space_after=14)
    else:
        cell.paragraphs[0].paragraph_format.space_after = Pt(14)
    _tag(cell, "{%p for line in signature_lines %}")
    sig = _para(cell, "{{ line }}", size=SIGNATURE_PT)
    for k in range(SIGNATURE_SLOTS):
        sig.paragraph_format.tab_stops.add_tab_stop(Cm(width * (2 * k + 1) / (2 * SIGNATURE_SLOTS)),
                                                    WD_TAB_ALIGNMENT.CENTER)
    _tag(cell, "{%p endfor %}")


def _keep_with_next(items) -> None:
    """Keep with next on paragraphs, or on every paragraph of the given cells."""
    for item in items:
        for p in getattr(item, "paragraphs", [item]):
            p.paragraph_format.keep_with_next = True


def _align(col: Column):
    return WD_ALIGN_PARAGRAPH.CENTER if col.numeric or col.key in ("unit", "pair_label") else None


def _row_body(data, columns: list[Column]) -> None:
    """One table row per indicator; area and activity cells merge down over their rows."""
    wordml.cant_split(data)
    for i, (col, cell) in enumerate(zip(columns, data.cells)):
        text = f"{{{{ r.{col.key} }}}}"
        if col.merge:
            text = f"{{% vmerge r.{col.merge}_first %}}" + text
        if i == 0:  # the last row keeps with the signatures, a row with the rest of its activity
            text = "{% keepnext loop.last or r.activity_continues %}" + text
        _first_paragraph(cell, text, align=_align(col))
        wordml.valign(cell, "center" if col.merge else "top")


def _two_line_body(body, columns: list[Column]) -> None:
    """Per activity: a section heading row when a new section starts, then a target line and an
    achievement line; the activity's own cells span both lines."""
    _, if_section, section, end_section, target, achieved, *_ = body
    _first_paragraph(if_section.cells[0], "{%tr if r.area_first %}")
    _first_paragraph(end_section.cells[0], "{%tr endif %}")
    heading = section.cells[0].merge(section.cells[len(columns) - 1])
    _first_paragraph(heading, "{{ r.section }}", bold=True)
    first = next(i for i, col in enumerate(columns) if col.two_lines)
    for i, col in enumerate(columns):
        if col.two_lines:
            keep = "{% keepnext loop.last %}" if i == first else ""
            _first_paragraph(target.cells[i], f"{{{{ r.{col.key}_t }}}}", align=_align(col))
            _first_paragraph(achieved.cells[i], f"{keep}{{{{ r.{col.key}_a }}}}", align=_align(col))
        else:
            cell = target.cells[i].merge(achieved.cells[i])
            _first_paragraph(cell, f"{{{{ r.{col.key} }}}}", align=_align(col))
            wordml.valign(cell, "center")
    for row in (target, achieved):
        wordml.cant_split(row)
    # keep a section heading with its first activity, and the target line with its achievement line
    _keep_with_next([heading, *target.cells])


def _bn(n: int) -> str:
    return to_bangla_digits(n)


def _save(doc, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    doc.save(buffer)
    # python-docx stamps each zip entry with the current time; a fixed stamp keeps regenerated
    # templates byte-identical, so git shows a change only when the XML changed.
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0)), src.read(item.filename),
                         compress_type=zipfile.ZIP_DEFLATED)
    return path
