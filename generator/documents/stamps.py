"""The e-Nothi bundle's stamps: a running page number (`পৃষ্ঠা ৩/৯`) at the foot of every page and, on an
evidence page, a label naming the evidence and the page within it (`প্রমাণক ২: scan.pdf (পাতা ১/৩)`).

The stamps are drawn by LibreOffice, which shapes Bangla correctly with the font the documents use: one
Word file of one section per bundle page, each section as large as its page, the label in its header and the
number in its footer (plain text, not a PAGE field, so the PDF's text layer says the Bangla digits it shows).
Its PDF is laid over the bundle page by page (bundle.py)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from generator.text.bangla import to_bangla_digits

WORD_MAX_PT = 1584.0  # a Word page is at most 22 inches a side
WORD_MIN_PT = 144.0  # and a stamp needs some room
EDGE_CM = 0.35  # the stamps' distance from the page's edge
NAME_CHARS = 60  # a longer evidence file name is shortened in its label


@dataclass(frozen=True)
class Stamp:
    """One bundle page: its size in points, upright, and what is written on it."""

    width: float
    height: float
    number: str  # পৃষ্ঠা ৩/৯
    label: str = ""  # প্রমাণক ২: scan.pdf (পাতা ১/৩); empty on the letter's and the annex's pages

    @property
    def scale(self) -> float:
        """The stamp page's size over the bundle page's (1 unless the page is larger or smaller than Word takes)."""
        longest, shortest = max(self.width, self.height), min(self.width, self.height)
        if longest > WORD_MAX_PT:
            return WORD_MAX_PT / longest
        if shortest < WORD_MIN_PT:
            return min(WORD_MIN_PT / shortest, WORD_MAX_PT / longest)
        return 1.0


def page_number(i: int, total: int) -> str:
    return f"পৃষ্ঠা {to_bangla_digits(i)}/{to_bangla_digits(total)}"


def evidence_label(number: int, name: str, page: int, pages: int) -> str:
    """`প্রমাণক ২: scan.pdf (পাতা ১/৩)`: which evidence file (its place among them, its name), which page of it."""
    if len(name) > NAME_CHARS:
        name = name[: NAME_CHARS - 1] + "…"
    return f"প্রমাণক {to_bangla_digits(number)}: {name} (পাতা {to_bangla_digits(page)}/{to_bangla_digits(pages)})"


def stamps_docx(stamps: list[Stamp]) -> bytes:
    """A Word file of one section per stamp, each its page's size (scaled by Stamp.scale), the label in the
    header at the top right and the number in the footer at the bottom right, on white."""
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    from generator.documents import wordml

    doc = Document()
    wordml.set_document_defaults(doc, size=9)
    for i in range(len(stamps)):  # every section first: a section break copies its section's header references
        if i:
            doc.add_section(WD_SECTION.NEW_PAGE)
        body = doc.add_paragraph()
        body.paragraph_format.space_before = body.paragraph_format.space_after = Pt(0)
    for section, stamp in zip(doc.sections, stamps):
        s = stamp.scale
        section.page_width, section.page_height = Pt(stamp.width * s), Pt(stamp.height * s)
        section.top_margin = section.bottom_margin = Cm(1.0 * s)
        section.left_margin = section.right_margin = Cm(0.8 * s)
        section.header_distance = section.footer_distance = Cm(EDGE_CM * s)
        for part, text, size in ((section.header, stamp.label, 8.5), (section.footer, stamp.number, 9)):
            part.is_linked_to_previous = False
            p = part.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
            if text:
                _run(p, text, size * s)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _run(paragraph, text: str, size: float):
    """A run in the documents' Bangla font in every slot (wordml), on a white ground: the stamp stays readable
    over a scan that runs to the page's edge."""
    from docx.oxml.ns import qn

    from generator.documents import wordml

    run = paragraph.add_run(text)
    wordml.style_run(run, size=size)
    shading = wordml._rpr_child(run._r.get_or_add_rPr(), "w:shd")
    for name, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", "FFFFFF")):
        shading.set(qn(name), value)
    return run
