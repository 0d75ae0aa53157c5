"""The documents a report kind produces: each names its template, how that template is built, the
context that fills it and the file it is written to. A kind lists its documents (kinds.py); the pipeline
and the template builder only loop over them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from generator.documents import bundle, templates as docx_templates, pdf, relabel, render
from generator.text.bangla import to_ascii_digits, to_bangla_digits
from generator.model import LETTER_SHEET, Finding
from generator.spec.paths import DOCX_DIR

if TYPE_CHECKING:
    from generator.spec.kinds import Kind
    from generator.model import Report
    from generator.rules.scoring import ScoreCard


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
    relabel: bool = False  # with a PDF: an area or activity running onto a new page is labelled there (relabel.py)

    def template_file(self, kind: Kind) -> str:
        return self.template.format(kind=kind.id)

    def file_name(self, stem: str, suffix: str = ".docx") -> str:
        return f"{stem}{self.suffix}{suffix}"

    def render(self, job: Job, templates: Path | None = None, context: dict | None = None) -> bytes:
        path = Path(templates or DOCX_DIR) / self.template_file(job.report.kind)
        return render.compiled(path).render(self.context(job) if context is None else context)


LETTER = Document(
    "letter", "-letter", docx_templates.LETTER_FILE,
    build_template=lambda kind, doc, path: docx_templates.build_letter(path),
    context=lambda job: render.letter_context(job.report, job.memo, job.issue_date, 1, annex_pages=job.pages.get("annex")),
    after=("annex",),
)
ANNEX = Document(
    "annex", "-annex", "annex_{kind}.docx",
    build_template=lambda kind, doc, path: docx_templates.build_annex(kind, doc, path),
    context=lambda job: render.annex_context(job.report, job.card),
    relabel=True,
)
SCORED_ANNEX = replace(ANNEX, total_row=True)
MINUTES = Document(
    "minutes", "", "minutes.docx",
    build_template=lambda kind, doc, path: docx_templates.build_minutes(kind, path),
    context=lambda job: render.minutes_context(job.report, job.memo, job.issue_date),
)


def in_order(documents: tuple[Document, ...]) -> list[Document]:
    """Documents in the order they can be made: those that print another's page count last (the letter after
    the annex). One level is all a kind has; a stable sort keeps the declared order otherwise."""
    names = {d.name for d in documents}
    return sorted(documents, key=lambda d: any(a in names for a in d.after))


@dataclass(frozen=True)
class PdfSettings:
    """PDFs beside the Word files, through the parent's warm LibreOffice (`office`, a pdf.OfficeHandle; None: a
    cold soffice per file), and the e-Nothi bundle: the PDFs, then the evidence files, under 25 MiB."""

    office: pdf.OfficeHandle | None = None
    timeout: float = 20.0  # a conversion, and the wait for the LibreOffice before it (a one-page letter: 0.3 s)
    bundle: bool = False
    evidence: tuple[str, ...] = ()


EVIDENCE_CODE = "evidence-"  # a build's finding about an evidence file: evidence-wrong-type, evidence-cannot-fit, …


class BundleRefused(Exception):
    """The bundle was asked for and cannot be made from the evidence given: nothing is written."""

    def __init__(self, error: bundle.BundleError):
        super().__init__(error.en)
        self.finding = Finding("error", EVIDENCE_CODE + error.code, error.bn, error.en, None, None)


BUNDLE_SUFFIX = "-bundle.pdf"


def make(job: Job, stem: str, settings: PdfSettings | None = None) -> tuple[dict[str, bytes], list[Finding]]:
    """The files of one version: every document of the kind as .docx and, with `settings`, as PDF (a document
    made after another learns its page count: the letter's attachment line), and the bundle. A document that
    could not be converted is still delivered as .docx, with a warning saying why its PDF is missing."""
    kind, made, pdfs, findings = job.report.kind, {}, {}, []
    for document in in_order(kind.documents):
        made[document.name] = document.render(job)
        if settings is None:
            continue
        def convert(docx: bytes, document: Document = document) -> bytes:
            return pdf.convert(docx, office_handle=settings.office, timeout=settings.timeout, wait=settings.timeout,
                               name=document.file_name(stem))

        try:
            pdfs[document.name] = convert(made[document.name])
            if document.relabel:
                made[document.name], pdfs[document.name] = _relabelled(document, job, made[document.name],
                                                                       pdfs[document.name], convert)
            job.pages[document.name] = pdf.page_count(pdfs[document.name])
        except pdf.ConversionFailed as e:
            findings.append(Finding("warning", "pdf-missing", f"{document.file_name(stem, '.pdf')} তৈরি হয়নি: {e.bn}",
                                    f"{document.file_name(stem, '.pdf')} was not made: {e.en}", None, None))
    findings += _attachment_check(job)
    files = {document.file_name(stem): made[document.name] for document in kind.documents}
    files |= {document.file_name(stem, ".pdf"): pdfs[document.name] for document in kind.documents
              if document.name in pdfs}
    if settings is not None and settings.bundle:
        if len(pdfs) < len(kind.documents):
            findings.append(Finding("warning", "bundle-missing",
                                    "PDF ছাড়া ই-নথির বান্ডেল হয় না, তাই বান্ডেল তৈরি হয়নি।",
                                    "Without the PDFs there is no e-Nothi bundle, so none was made.", None, None))
        else:
            try:
                made_bundle = bundle.build([(document.file_name(stem, ".pdf"), pdfs[document.name])
                                            for document in kind.documents], [Path(p) for p in settings.evidence])
            except bundle.BundleError as e:
                raise BundleRefused(e) from None
            files[f"{stem}{BUNDLE_SUFFIX}"] = made_bundle.data
    return files, findings


def _relabelled(document: Document, job: Job, docx: bytes, made_pdf: bytes,
                convert: Callable[[bytes], bytes]) -> tuple[bytes, bytes]:
    """The document with its labels repeated at the top of the pages an area or activity runs onto; as it
    was when none does, or when the second conversion fails."""
    context = document.context(job)
    try:
        again = relabel.relabel(context, made_pdf, lambda c: document.render(job, context=c), convert)
    except pdf.ConversionFailed:
        again = None
    return (docx, made_pdf) if again is None else (again.docx, again.pdf)


PAGE_UNITS = ("পাতা", "পৃষ্ঠা")


def _attachment_check(job: Job) -> list[Finding]:
    """A letter whose workbook counts its attachment in pages, against the annex's real page count."""
    report, pages = job.report, job.pages.get("annex")
    given, unit = str(report.get("attachment_count") or "").strip(), report.get("attachment_unit") or ""
    if pages is None or not given or unit.strip() not in PAGE_UNITS:
        return []
    try:
        count = int(to_ascii_digits(given))
    except ValueError:
        return []
    if count == pages:
        return []
    return [Finding(
        "warning", "attachment-pages-differ",
        f"পত্রে সংযুক্তি {to_bangla_digits(count)} {unit} লেখা, কিন্তু সংযুক্তিটি {to_bangla_digits(pages)} পৃষ্ঠার। "
        "সংখ্যাটি ঠিক করুন, অথবা ঘরটি ফাঁকা রাখুন: তখন আসল পৃষ্ঠাসংখ্যা বসবে।",
        f"The letter says the attachment is {count} {unit}, but the annex has {pages} pages. Correct the number, or "
        "leave the cell blank and the real page count is used.",
        LETTER_SHEET, report.refs.get("attachment_count"))]
