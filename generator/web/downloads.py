"""A submission's files as the clerk's page lists them: what each one is, in Bangla and English, the e-Nothi
bundle first."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.spec.codes import EVIDENCE
from generator.spec.documents import BUNDLE_SUFFIX

# (file name ends with, Bangla, English), the first that fits; listed in this order
LABELS = [
    (BUNDLE_SUFFIX, "ই-নথির জন্য একটি PDF (পত্রের সব PDF, প্রমাণক দেওয়া হলে তা-ও)", "One PDF for e-Nothi (all the letter's PDFs, and the evidence when some was given)"),
    ("-letter.pdf", "পত্র (PDF)", "Letter (PDF)"),
    ("-annex.pdf", "সংযুক্তি (PDF)", "Annex (PDF)"),
    (".pdf", "কার্যবিবরণী (PDF)", "Minutes (PDF)"),
    ("-letter.docx", "পত্র (Word, সম্পাদনার জন্য)", "Letter (Word, to edit)"),
    ("-annex.docx", "সংযুক্তি (Word, সম্পাদনার জন্য)", "Annex (Word, to edit)"),
    (".docx", "কার্যবিবরণী (Word, সম্পাদনার জন্য)", "Minutes (Word, to edit)"),
    (".errors.txt", "ত্রুটির তালিকা", "The list of errors"),
    (".annotated.xlsx", "লাল দাগ দেওয়া কপি", "The copy with the cells marked"),
]


@dataclass(frozen=True)
class Download:
    index: int  # in the record's outputs: the download's address
    name: str
    bn: str
    en: str
    size: int | None  # bytes; None when the file is gone


def listing(outputs: list[str]) -> list[Download]:
    found = []
    for index, output in enumerate(outputs):
        path = Path(output)
        rank, (bn, en) = next(((n, (bn, en)) for n, (end, bn, en) in enumerate(LABELS) if path.name.endswith(end)),
                              (len(LABELS), ("", "")))
        try:
            size: int | None = path.stat().st_size
        except OSError:
            size = None
        found.append((rank, index, Download(index, path.name, bn, en, size)))
    return [d for _, _, d in sorted(found, key=lambda item: item[:2])]


def size_text(size: int | None) -> str:
    if size is None:
        return ""
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"


def evidence_refused(issues: list[dict]) -> bool:
    """Rejected only because of an evidence file: the workbook itself is fine."""
    errors = [i for i in issues if i.get("severity") == "error"]
    return bool(errors) and all(str(i.get("code", "")).startswith(EVIDENCE) for i in errors)
