"""The details offices notice: the copies heading, annex signatures and their date, one form of the fiscal
year per document, page numbers after the first page."""

import subprocess
from pathlib import Path

from generator.xlsx import examples
from generator.service import pipeline
from generator.documents import contexts as render
from generator.spec.paths import EXAMPLES_DIR
from tests.support.docx import docx_text
from tests.support.office import pdf_pages, to_pdf


def _build(tmp_path, example, **letter):
    data = examples.load(EXAMPLES_DIR / f"{example}.json")
    data["letter"].update(letter)
    from generator.xlsx import filling
    from generator.spec.paths import XLSX_DIR

    source = filling.fill(XLSX_DIR / f"{data['kind']}.xlsx", tmp_path / "w.xlsx", data["letter"], data["rows"])
    result = pipeline.build(source, out_root=tmp_path / "out", state_dir=tmp_path / "state")
    assert result.ok, [(i.cell, i.en) for i in result.issues if i.severity == "error"]
    return [Path(p) for p in result.outputs]


def test_copies_heading_is_the_workbooks_or_the_default(tmp_path):
    nis_letter = _build(tmp_path / "a", "nis-khulna-2021-22-q4")[0]
    assert "অনুলিপি :" in docx_text(nis_letter).splitlines()  # seed 002, as its example workbook types it
    cc_letter = _build(tmp_path / "b", "cc-chattogram-2023-24-q1", copies="সচিব")[0]
    assert "অনুলিপি: সদয় অবগতির জন্য" in docx_text(cc_letter)
    minutes = _build(tmp_path / "c", "minutes-rangpur-2023-06-22", copies_heading="অনুলিপি সদয় জ্ঞাতার্থে :")[0]
    assert "অনুলিপি সদয় জ্ঞাতার্থে :" in docx_text(minutes)


def test_signature_names_the_office_once():
    lines = render.signature_lines(["আইটি ম্যানেজার, খুলনা সিটি কর্পোরেশন", "লস্কার তাজুল ইসলাম, প্রধান নির্বাহী কর্মকর্তা"],
                                   "খুলনা সিটি কর্পোরেশন")
    text = "\n".join(lines)
    assert text.count("খুলনা সিটি কর্পোরেশন") == 2  # once for each: named by the first, added to the second
    assert [line.split("\t")[1:] for line in lines] == [
        ["", "", "লস্কার তাজুল ইসলাম"],
        ["আইটি ম্যানেজার", "", "প্রধান নির্বাহী কর্মকর্তা"],
        ["খুলনা সিটি কর্পোরেশন", "", "খুলনা সিটি কর্পোরেশন"],
    ]


def test_signing_date_under_each_signature(tmp_path):
    annex = _build(tmp_path, "nis-khulna-2021-22-q4", annex_signed_on="০৭/০৭/২০২২")[1]
    text = docx_text(annex)
    assert "\t".join(["তারিখ: ০৭/০৭/২০২২"] * 3) in text  # under each of the three signatories, on one line


def test_bad_signing_date_is_named_at_its_cell(tmp_path):
    from generator.xlsx import filling
    from generator.spec.paths import XLSX_DIR

    data = examples.load(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json")
    data["letter"]["annex_signed_on"] = "৩১/০২/২০২৩"
    source = filling.fill(XLSX_DIR / "cc.xlsx", tmp_path / "w.xlsx", data["letter"], data["rows"])
    result = pipeline.build(source, out_root=tmp_path / "out", state_dir=tmp_path / "state")
    bad = [i for i in result.issues if i.code == "bad-date"]
    assert not result.ok and len(bad) == 1 and bad[0].cell.startswith("C") and "annex_signed_on" in bad[0].en


def test_annex_writes_the_fiscal_year_one_way(tmp_path):
    """The workbook says ২০২২-২৩; the annex writes ২০২২-২০২৩ in its heading, title and target header alike,
    as seed 001's annex does; the letter keeps the form typed."""
    letter, annex = _build(tmp_path, "egov-mymensingh-2022-23-h1")
    text = docx_text(annex)
    assert "২০২২-২৩" not in text and text.count("২০২২-২০২৩") >= 3
    assert "২০২২-২৩" in docx_text(letter)


def test_pages_after_the_first_are_numbered(tmp_path, office):
    """NIS letter (its copies run onto a second page) and annex (three pages): a page number on every page after
    the first, the letter's second page headed by its memo and date."""
    letter, annex = _build(tmp_path, "nis-khulna-2021-22-q4")
    for doc, at_least in ((letter, 2), (annex, 3)):
        pdf = to_pdf(doc, tmp_path, office)
        pages = len(pdf_pages(pdf))
        assert pages >= at_least
        for n in range(1, pages + 1):
            text = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True,
                                  text=True, check=True).stdout
            numbered = any(line.strip() in (f"পৃষ্ঠা {n}", f"পৃষ্ঠা {'০১২৩৪৫৬৭৮৯'[n]}") for line in text.splitlines())
            assert numbered == (n > 1), (doc.name, n)
            if doc is letter and n == 2:
                assert "স্মারক: কেসিসি" in text and "২৩ আষাঢ় ১৪২৯" in text
