"""One version's files: every document of the kind as .docx and, with PDF settings, as PDF through the warm
LibreOffice (a document made after another learns its page count: the letter's attachment line), the annex
relabelled where an area runs onto a new page, and the e-Nothi bundle."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from generator.documents import contexts, registry
from generator.documents.registry import Job, Pages
from generator.documents.settings import PdfSettings
from generator.findings import Finding, warning
from generator.spec.documents import BUNDLE_SUFFIX, in_order
from generator.spec.sheets import LETTER_SHEET
from generator.text.bangla import to_bangla_digits


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
    if settings is not None:  # LibreOffice's client and the PDF tools load only when PDFs are asked for
        from generator.documents import printed

        if settings.bundle and settings.evidence:  # the letter counts what the bundle carries
            job = dataclasses.replace(job, evidence_files=len(settings.evidence))
    for document in in_order(kind.documents):
        made[document.name] = registry.render(document, job, pages=pages)
        if settings is None:
            continue
        made[document.name], converted, why = printed.pdf_of(document, job, made[document.name], settings, stem)
        findings += why
        if converted is not None:
            pdfs[document.name], pages[document.name] = converted, printed.page_count(converted)
    findings += _attachment_check(job, pages)
    files = {document.file_name(stem): made[document.name] for document in kind.documents}
    files |= {document.file_name(stem, ".pdf"): pdfs[document.name] for document in kind.documents
              if document.name in pdfs}
    if settings is not None and settings.bundle:
        if len(pdfs) < len(kind.documents):
            findings.append(warning("bundle-missing", "PDF ছাড়া ই-নথির বান্ডেল হয় না, তাই বান্ডেল তৈরি হয়নি।",
                                    "Without the PDFs there is no e-Nothi bundle, so none was made."))
        else:
            made_bundle, unstamped = printed.bundle_of([(document.file_name(stem, ".pdf"), pdfs[document.name])
                                                        for document in kind.documents], settings, stem)
            findings += unstamped
            files[f"{stem}{BUNDLE_SUFFIX}"] = made_bundle.data
    return Made(files, findings, pages)


def _attachment_check(job: Job, pages: Pages) -> list[Finding]:
    """A letter whose workbook counts its attachment in pages, against the annex's real page count: the letter
    prints the real count (contexts.attachment_line), and says so."""
    report, annex_pages = job.report, pages.get("annex")
    count, unit = contexts.typed_count(report.get("attachment_count")), report.get("attachment_unit") or ""
    if annex_pages is None or count is None or unit.strip() not in contexts.PAGE_UNITS or count == annex_pages:
        return []
    return [warning(
        "attachment-pages-differ",
        f"ওয়ার্কবুকে সংযুক্তি {to_bangla_digits(count)} {unit} লেখা, কিন্তু সংযুক্তিটি {to_bangla_digits(annex_pages)} "
        f"পৃষ্ঠার; পত্রে আসল সংখ্যা {to_bangla_digits(annex_pages)} বসানো হয়েছে। পরের বার ঘরটি ফাঁকা রাখলেই চলবে।",
        f"The workbook says the attachment is {count} {unit}, but the annex has {annex_pages} pages; the letter says "
        f"{annex_pages}, the real count. Next time the cell may be left blank.",
        LETTER_SHEET, report.refs.get("attachment_count"))]
