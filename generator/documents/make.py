"""One version's files: every document of the kind as .docx and, with PDF settings, as PDF through the warm
LibreOffice (a document made after another learns its page count: the letter's attachment line), the annex
relabelled where an area runs onto a new page, and the e-Nothi bundle."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator.documents import bundle, fit, pdf, registry, relabel
from generator.documents.registry import Job, Pages
from generator.findings import Finding, warning
from generator.spec.documents import BUNDLE_SUFFIX, Document, in_order
from generator.spec.sheets import LETTER_SHEET
from generator.text.bangla import to_ascii_digits, to_bangla_digits


@dataclass(frozen=True)
class PdfSettings:
    """PDFs beside the Word files, through the parent's warm LibreOffice (`office`, a pdf.OfficeHandle; None: a
    cold soffice per file), and the e-Nothi bundle: the PDFs, then the evidence files, under 25 MiB."""

    office: pdf.OfficeHandle | None = None
    timeout: float = 20.0  # a conversion, and the wait for the LibreOffice before it (a one-page letter: 0.3 s)
    bundle: bool = False
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Made:
    """The files of a version by name, what is worth telling about them, and the documents' page counts."""

    files: dict[str, bytes]
    findings: list[Finding] = field(default_factory=list)
    pages: Pages = field(default_factory=dict)


def make(job: Job, stem: str, settings: PdfSettings | None = None) -> Made:
    """Every document of the kind; a document that could not be converted is still delivered as .docx, with a
    warning saying why its PDF is missing. bundle.BundleError when the evidence cannot go into the bundle."""
    kind, made, pdfs, findings = job.report.kind, {}, {}, []
    pages: Pages = {}
    if settings is not None and settings.bundle and settings.evidence:  # the letter counts what the bundle carries
        job = dataclasses.replace(job, evidence_files=len(settings.evidence))
    for document in in_order(kind.documents):
        made[document.name] = registry.render(document, job, pages=pages)
        if settings is None:
            continue

        def convert(docx: bytes, document: Document = document) -> bytes:
            return pdf.convert(docx, office_handle=settings.office, timeout=settings.timeout, wait=settings.timeout,
                               name=document.file_name(stem))

        try:
            pdfs[document.name] = convert(made[document.name])
            made[document.name], pdfs[document.name], step = _fitted(document, made[document.name],
                                                                     pdfs[document.name], convert)
            if document.relabel:
                made[document.name], pdfs[document.name] = _relabelled(document, job, made[document.name],
                                                                       pdfs[document.name], convert, step)
            pages[document.name] = pdf.page_count(pdfs[document.name])
        except pdf.ConversionFailed as e:
            findings.append(warning("pdf-missing", f"{document.file_name(stem, '.pdf')} তৈরি হয়নি: {e.bn}",
                                    f"{document.file_name(stem, '.pdf')} was not made: {e.en}"))
    findings += _attachment_check(job, pages)
    files = {document.file_name(stem): made[document.name] for document in kind.documents}
    files |= {document.file_name(stem, ".pdf"): pdfs[document.name] for document in kind.documents
              if document.name in pdfs}
    if settings is not None and settings.bundle:
        if len(pdfs) < len(kind.documents):
            findings.append(warning("bundle-missing", "PDF ছাড়া ই-নথির বান্ডেল হয় না, তাই বান্ডেল তৈরি হয়নি।",
                                    "Without the PDFs there is no e-Nothi bundle, so none was made."))
        else:
            made_bundle, unstamped = _bundle([(document.file_name(stem, ".pdf"), pdfs[document.name])
                                              for document in kind.documents], settings, stem)
            findings += unstamped
            files[f"{stem}{BUNDLE_SUFFIX}"] = made_bundle.data
    return Made(files, findings, pages)


def _bundle(documents: list[tuple[str, bytes]], settings: PdfSettings, stem: str) -> tuple[bundle.Bundle, list[Finding]]:
    """The bundle with every page stamped (its running number; on an evidence page, which evidence and its page);
    without the stamps, and a warning, when LibreOffice cannot make them."""
    evidence = [Path(p) for p in settings.evidence]

    def convert(docx: bytes) -> bytes:
        return pdf.convert(docx, office_handle=settings.office, timeout=settings.timeout, wait=settings.timeout,
                           name=f"{stem}-stamps.docx")

    try:
        return bundle.build(documents, evidence, convert=convert), []
    except (pdf.ConversionFailed, bundle.StampsFailed) as e:
        why_bn, why_en = (e.bn, e.en) if isinstance(e, pdf.ConversionFailed) else ("পাতার সংখ্যা মেলেনি।",
                                                                                  "the pages did not match.")
        return bundle.build(documents, evidence), [warning(
            "bundle-unstamped", f"বান্ডেলের পৃষ্ঠা নম্বর ও প্রমাণকের পরিচিতি ছাপা যায়নি: {why_bn}",
            f"The bundle's page numbers and evidence labels could not be stamped: {why_en}")]


def _fitted(document: Document, docx: bytes, made_pdf: bytes,
            convert: Callable[[bytes], bytes]) -> tuple[bytes, bytes, int]:
    """A document whose last page holds only a few lines, tightened (spacing, then font size: fit.tightened)
    until it has a page fewer; as it was when no step gets there. The step taken, 0 for none."""
    if not fit.needs_fitting(made_pdf):
        return docx, made_pdf, 0
    pages = pdf.page_count(made_pdf)
    for step in fit.TIGHTER_STEPS:
        tighter = fit.tightened(docx, step, document.name)
        try:
            tighter_pdf = convert(tighter)
        except pdf.ConversionFailed:
            break
        if pdf.page_count(tighter_pdf) < pages:
            return tighter, tighter_pdf, step
    return docx, made_pdf, 0


def _relabelled(document: Document, job: Job, docx: bytes, made_pdf: bytes,
                convert: Callable[[bytes], bytes], step: int = 0) -> tuple[bytes, bytes]:
    """The document with its labels repeated at the top of the pages an area or activity runs onto; as it
    was when none does, or when the second conversion fails. A fitted document (`step`) is rendered again as
    tight."""
    context = registry.context(document, job)

    def render(filled: dict) -> bytes:
        again = registry.render(document, job, filled=filled)
        return fit.tightened(again, step, document.name) if step else again

    try:
        again = relabel.relabel(context, made_pdf, render, convert)
    except pdf.ConversionFailed:
        again = None
    return (docx, made_pdf) if again is None else (again.docx, again.pdf)


PAGE_UNITS = ("পাতা", "পৃষ্ঠা")


def _attachment_check(job: Job, pages: Pages) -> list[Finding]:
    """A letter whose workbook counts its attachment in pages, against the annex's real page count."""
    report, annex_pages = job.report, pages.get("annex")
    given, unit = str(report.get("attachment_count") or "").strip(), report.get("attachment_unit") or ""
    if annex_pages is None or not given or unit.strip() not in PAGE_UNITS:
        return []
    try:
        count = int(to_ascii_digits(given))
    except ValueError:
        return []
    if count == annex_pages:
        return []
    return [warning(
        "attachment-pages-differ",
        f"পত্রে সংযুক্তি {to_bangla_digits(count)} {unit} লেখা, কিন্তু সংযুক্তিটি {to_bangla_digits(annex_pages)} "
        "পৃষ্ঠার। সংখ্যাটি ঠিক করুন, অথবা ঘরটি ফাঁকা রাখুন: তখন আসল পৃষ্ঠাসংখ্যা বসবে।",
        f"The letter says the attachment is {count} {unit}, but the annex has {annex_pages} pages. Correct the "
        "number, or leave the cell blank and the real page count is used.",
        LETTER_SHEET, report.refs.get("attachment_count"))]
