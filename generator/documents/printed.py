"""A document's PDF, fitted and relabelled, and the e-Nothi bundle: the steps of `make` that need LibreOffice,
loaded only when PDFs are asked for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.documents import bundle, fit, pdf, registry, relabel
from generator.documents.registry import Job
from generator.documents.settings import PdfSettings
from generator.findings import Finding, warning
from generator.spec.documents import Document

page_count = pdf.page_count


def pdf_of(document: Document, job: Job, docx: bytes, settings: PdfSettings,
           stem: str) -> tuple[bytes, bytes | None, list[Finding]]:
    """(the .docx, fitted and relabelled as its PDF shows, its PDF, []) or, when it could not be converted, (the
    .docx as made, None, [a warning saying why])."""

    convert = _converter(settings, document.file_name(stem))
    try:
        made_pdf = convert(docx)
        docx, made_pdf, step = _fitted(document, docx, made_pdf, convert)
        if document.relabel:
            docx, made_pdf = _relabelled(document, job, docx, made_pdf, convert, step)
        return docx, made_pdf, []
    except pdf.ConversionFailed as e:
        return docx, None, [warning("pdf-missing", f"{document.file_name(stem, '.pdf')} তৈরি হয়নি: {e.bn}",
                                    f"{document.file_name(stem, '.pdf')} was not made: {e.en}")]


def bundle_of(documents: list[tuple[str, bytes]], settings: PdfSettings, stem: str) -> tuple[bundle.Bundle, list[Finding]]:
    """The bundle with every page stamped (its running number; on an evidence page, which evidence and its page);
    without the stamps, and a warning, when LibreOffice cannot make them."""
    evidence = [Path(p) for p in settings.evidence]
    convert = _converter(settings, f"{stem}-stamps.docx")
    try:
        return bundle.build(documents, evidence, convert=convert), []
    except (pdf.ConversionFailed, bundle.StampsFailed) as e:
        why_bn, why_en = (e.bn, e.en) if isinstance(e, pdf.ConversionFailed) else ("পাতার সংখ্যা মেলেনি।",
                                                                                  "the pages did not match.")
        return bundle.build(documents, evidence), [warning(
            "bundle-unstamped", f"বান্ডেলের পৃষ্ঠা নম্বর ও প্রমাণকের পরিচিতি ছাপা যায়নি: {why_bn}",
            f"The bundle's page numbers and evidence labels could not be stamped: {why_en}")]


def _converter(settings: PdfSettings, name: str) -> Callable[[bytes], bytes]:
    """A .docx's PDF through the run's LibreOffice, its errors naming `name`."""
    return lambda docx: pdf.convert(docx, office_handle=settings.office, timeout=settings.timeout,
                                    wait=settings.timeout, name=name)


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
