"""The built documents opened by real LibreOffice: one-page letter, landscape annex, all the text there."""

import pytest

from generator import pipeline
from tests.conftest import pdf_pages, pdf_text, to_pdf


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    from generator import examples
    from tests.conftest import CC_EXAMPLE_JSON

    tmp = tmp_path_factory.mktemp("lo")
    source = examples.write(CC_EXAMPLE_JSON, tmp / "cc.xlsx")
    result = pipeline.build(source, out_root=tmp / "out", state_dir=tmp / "state")
    assert result.ok
    from pathlib import Path

    return [to_pdf(Path(p), tmp) for p in result.outputs]


def test_letter_is_one_portrait_a4_page_with_its_text(pdfs):
    pages = pdf_pages(pdfs[0])
    assert len(pages) == 1
    width, height = pages[0]
    assert abs(width - 595) < 3 and abs(height - 842) < 3
    text = "".join(pdf_text(pdfs[0]).split())  # pdftotext puts stray spaces inside Bangla words
    for phrase in ("৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২", "২৫ আশ্বিন ১৪৩০", "১০ অক্টোবর ২০২৩", "প্রধান নির্বাহী কর্মকর্তা"):
        assert "".join(phrase.split()) in text, phrase


def test_annex_is_landscape_and_keeps_every_row(pdfs):
    pages = pdf_pages(pdfs[1])
    assert all(w > h for w, h in pages)
    text = "".join(pdf_text(pdfs[1]).split())
    for phrase in ("প্রাতিষ্ঠানিক", "সক্ষমতা", "[১.১.১]", "[২.২.১]", "স্টেকহোল্ডারের", "খালেদ মাহমুদ", "প্রোগ্রামার"):
        assert "".join(phrase.split()) in text, phrase
