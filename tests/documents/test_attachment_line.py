"""Issue 23, the attachment line and the bundle agree: the letter counts the annex (its pages when it was converted)
and the evidence files the bundle carries; golden texts from workbooks filled by key (no LibreOffice)."""

import datetime as dt

import pytest

from generator.documents import contexts, registry
from generator.rules import scoring, validate
from generator.spec.paths import XLSX_DIR
from generator.xlsx import filling, reading
from tests.support.docx import docx_paragraphs
from tests.support.workbooks import MYMENSINGH, ROWS


def report_of(tmp_path, **letter):
    fields = {k: v for k, v in dict(MYMENSINGH, period="২য় ত্রৈমাসিক", **letter).items() if v is not None}
    report, _ = validate.check(reading.read(filling.fill(XLSX_DIR / "cc.xlsx", tmp_path / "w.xlsx", fields, ROWS)))
    return report


@pytest.mark.parametrize("given, annex_pages, evidence, said", [
    ((None, None), None, 0, "১ (এক) ফর্দ"),  # no PDF: one annex, as before
    ((None, None), 2, 0, "২ (দুই) পাতা"),
    ((None, None), 2, 3, "২ (দুই) পাতা ও প্রমাণক ৩ (তিন)টি ফাইল"),
    ((None, None), None, 1, "১ (এক) ফর্দ ও প্রমাণক ১ (এক)টি ফাইল"),
    (("০২", "পাতা"), 2, 4, "০২ (দুই) পাতা ও প্রমাণক ৪ (চার)টি ফাইল"),  # the office's count kept, the evidence added
    # a count in pages the converted annex contradicts (copied from last quarter's letter): the annex's real count
    # (found by an officer's reading: the letter said ০১ পাতা of a two-page annex, and would have been signed so)
    (("০১", "পাতা"), 2, 4, "০২ (দুই) পাতা ও প্রমাণক ৪ (চার)টি ফাইল"),
    (("১", "পৃষ্ঠা"), 3, 0, "৩ (তিন) পৃষ্ঠা"),
    (("০১", "পাতা"), None, 0, "০১ (এক) পাতা"),  # no PDF, no page count: as typed
    (("২", "ফর্দ"), 3, 0, "২ (দুই) ফর্দ"),  # leaves, not pages: the office's
    (("৫", "পাতা (প্রমাণকসহ)"), 2, 4, "৫ (পাঁচ) পাতা (প্রমাণকসহ)"),  # an office that counted the evidence itself
])
def test_the_attachment_line(tmp_path, given, annex_pages, evidence, said):
    count, unit = given
    report = report_of(tmp_path, attachment_count=count, attachment_unit=unit)
    assert contexts.attachment_line(report, 1, annex_pages, evidence) == said


def test_the_letter_says_the_evidence_its_bundle_carries(tmp_path):
    report = report_of(tmp_path, attachment_count=None, attachment_unit=None)
    letter = next(d for d in report.kind.documents if d.name == "letter")
    job = registry.Job(report, scoring.score_report(report), "x-1", dt.date(2023, 10, 10), evidence_files=2)
    path = tmp_path / "letter.docx"
    path.write_bytes(registry.render(letter, job, pages={"annex": 3}))
    paragraphs = docx_paragraphs(path)
    assert "সংযুক্তি: ৩ (তিন) পাতা ও প্রমাণক ২ (দুই)টি ফাইল" in paragraphs
