"""The documents a report kind produces, declared: each names its template file, the file it is written to,
and which other documents' page counts it prints. The documents layer registers, by name, how each
template is built and what fills it (generator.documents.registry)."""

from __future__ import annotations

from dataclasses import dataclass, replace
BUNDLE_SUFFIX = "-bundle.pdf"  # the e-Nothi bundle: the report's PDFs, then the evidence


@dataclass(frozen=True)
class Document:
    name: str  # "letter", "annex", "minutes": what builds its template and fills it
    suffix: str  # after the report's file stem: '-letter' → cc-2023-24-q1-letter.docx
    template: str  # file in templates/docx/; '{kind}' stands for the kind's id
    after: tuple[str, ...] = ()  # documents whose page counts this one prints
    total_row: bool = False  # annex: a last row with the computed total, possible and percent
    relabel: bool = False  # with a PDF: an area or activity running onto a new page is labelled there

    def template_file(self, kind_id: str) -> str:
        return self.template.format(kind=kind_id)

    def file_name(self, stem: str, suffix: str = ".docx") -> str:
        return f"{stem}{self.suffix}{suffix}"


LETTER_FILE = "letter.docx"
LETTER = Document("letter", "-letter", LETTER_FILE, after=("annex",))
ANNEX = Document("annex", "-annex", "annex_{kind}.docx", relabel=True)
SCORED_ANNEX = replace(ANNEX, total_row=True)
MINUTES = Document("minutes", "", "minutes.docx")


def in_order(documents: tuple[Document, ...]) -> list[Document]:
    """Documents in the order they can be made: those that print another's page count last (the letter after
    the annex). One level is all a kind has; a stable sort keeps the declared order otherwise."""
    names = {d.name for d in documents}
    return sorted(documents, key=lambda d: any(a in names for a in d.after))
