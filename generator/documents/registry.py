"""Which template builder and which context each declared document has, by its name (as python-docx
registers part types): a kind names its documents as plain data (generator.spec.documents), and this
layer looks up what makes them. `python -m generator.documents.registry` builds every template."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.documents import compiled, contexts, layout, measures
from generator.model import Report
from generator.rules.scoring import ScoreCard
from generator.spec.documents import Document
from generator.spec.kinds import KINDS, Kind
from generator.spec.paths import DOCX_DIR


@dataclass(frozen=True)
class Job:
    """What a document is made from: the checked report, its scores, its memo and date."""

    report: Report
    card: ScoreCard
    memo: str
    issue_date: dt.date
    evidence_files: int = 0  # evidence (প্রমাণক) files the version's bundle carries: the letter's attachment line


Pages = dict[str, int]  # page counts of the documents made so far, by name (when converted to PDF)


def _builder():
    from generator.documents import templates  # python-docx: loaded to build a template, never to fill one

    return templates


TEMPLATES: dict[str, Callable[[Kind, Document, Path], Path]] = {
    "letter": lambda kind, document, path: _builder().build_letter(path),
    "annex": lambda kind, document, path: _builder().build_annex(kind, document, path),
    "minutes": lambda kind, document, path: _builder().build_minutes(kind, path),
}
CONTEXTS: dict[str, Callable[[Job, Pages], dict]] = {
    "letter": lambda job, pages: contexts.letter_context(job.report, job.memo, job.issue_date, 1,
                                                         annex_pages=pages.get("annex"),
                                                         evidence_files=job.evidence_files),
    "annex": lambda job, pages: contexts.annex_context(job.report, job.card),
    "minutes": lambda job, pages: contexts.minutes_context(job.report, job.memo, job.issue_date),
}


def context(document: Document, job: Job, pages: Pages | None = None) -> dict:
    return CONTEXTS[document.name](job, pages or {})


def render(document: Document, job: Job, *, pages: Pages | None = None, filled: dict | None = None,
           templates_dir: Path | None = None) -> bytes:
    """The document as .docx bytes: its compiled template filled with its context (or `filled`)."""
    path = Path(templates_dir or DOCX_DIR) / document.template_file(job.report.kind.id)
    filled = context(document, job, pages) if filled is None else filled
    if document.name != "annex":
        return compiled.compiled(path).render(filled)

    def widen(part: str, xml: str) -> str:  # the columns as wide as their content needs (layout.py)
        total = layout.table_width_cm(xml) if part == "word/document.xml" else None
        if not total:
            return xml
        return layout.apply(xml, layout.widths(job.report.kind, filled, total, measures.TABLE_PT))

    return compiled.compiled(path).render(filled, widen)


def build_all(dest: Path = DOCX_DIR) -> list[Path]:
    """Every template every kind's documents need, each built once."""
    dest, built = Path(dest), {}
    for kind in KINDS.values():
        for document in kind.documents:
            name = document.template_file(kind.id)
            if name not in built:
                built[name] = TEMPLATES[document.name](kind, document, dest / name)
    return list(built.values())


if __name__ == "__main__":
    for p in build_all(Path(sys.argv[1]) if len(sys.argv) > 1 else DOCX_DIR):
        print(p)
