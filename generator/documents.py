"""The documents a report kind produces: each names its template, how that template is built, the
context that fills it and the file it is written to. A kind lists its documents (kinds.py); the pipeline
and the template builder only loop over them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from . import docx_templates, render
from .paths import DOCX_DIR

if TYPE_CHECKING:
    from .kinds import Kind
    from .model import Report
    from .scoring import ScoreCard


@dataclass(frozen=True)
class Job:
    """What a document is made from: the checked report, its scores, its memo and date, and the page counts
    of the documents made before it (when they were converted to PDF)."""

    report: Report
    card: ScoreCard
    memo: str
    issue_date: dt.date
    pages: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Document:
    name: str
    suffix: str  # after the report's file stem: '-letter' → cc-2023-24-q1-letter.docx
    template: str  # file in templates/docx/; '{kind}' stands for the kind's id
    build_template: Callable[[Kind, Document, Path], Path]
    context: Callable[[Job], dict]
    after: tuple[str, ...] = ()  # documents whose page counts this one prints
    total_row: bool = False  # annex: a last row with the computed total, possible and percent

    def template_file(self, kind: Kind) -> str:
        return self.template.format(kind=kind.id)

    def file_name(self, stem: str) -> str:
        return f"{stem}{self.suffix}.docx"

    def render(self, job: Job, templates: Path | None = None) -> bytes:
        path = Path(templates or DOCX_DIR) / self.template_file(job.report.kind)
        return render.compiled(path).render(self.context(job))


LETTER = Document(
    "letter", "-letter", docx_templates.LETTER_FILE,
    build_template=lambda kind, doc, path: docx_templates.build_letter(path),
    context=lambda job: render.letter_context(job.report, job.memo, job.issue_date, job.pages.get("annex", 1)),
    after=("annex",),
)
ANNEX = Document(
    "annex", "-annex", "annex_{kind}.docx",
    build_template=lambda kind, doc, path: docx_templates.build_annex(kind, doc, path),
    context=lambda job: render.annex_context(job.report, job.card),
)
SCORED_ANNEX = replace(ANNEX, total_row=True)
MINUTES = Document(
    "minutes", "", "minutes.docx",
    build_template=lambda kind, doc, path: docx_templates.build_minutes(kind, path),
    context=lambda job: render.minutes_context(job.report, job.memo, job.issue_date),
)


def in_order(documents: tuple[Document, ...]) -> list[Document]:
    """Documents in the order they can be made: each after those whose page counts it prints."""
    done: list[Document] = []
    pending = list(documents)
    while pending:
        ready = next(d for d in pending if all(a in {x.name for x in done} or a not in {p.name for p in pending}
                                                 for a in d.after))
        done.append(ready)
        pending.remove(ready)
    return done
