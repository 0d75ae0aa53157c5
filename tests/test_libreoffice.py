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
    assert any("তারিখ:" in line for line in pdf_text(pdfs[0]).splitlines())  # the label on one line
    text = "".join(pdf_text(pdfs[0]).split())  # pdftotext puts stray spaces inside Bangla words
    for phrase in ("৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২", "২৫ আশ্বিন ১৪৩০", "১০ অক্টোবর ২০২৩", "প্রধান নির্বাহী কর্মকর্তা"):
        assert "".join(phrase.split()) in text, phrase


def test_annex_is_landscape_and_keeps_every_row(pdfs):
    pages = pdf_pages(pdfs[1])
    assert all(w > h for w, h in pages)
    text = "".join(pdf_text(pdfs[1]).split())
    for phrase in ("প্রাতিষ্ঠানিক", "সক্ষমতা", "[১.১.১]", "[২.২.১]", "স্টেকহোল্ডারের", "খালেদ মাহমুদ", "প্রোগ্রামার"):
        assert "".join(phrase.split()) in text, phrase


@pytest.mark.parametrize("example", ["rti-rangpur-2023-24-q2", "nis-khulna-2021-22-q4"])
def test_dates_in_narrow_annex_columns_stay_on_one_line(tmp_path, example):
    """A date in a target or quarter column is written '৩১/১২/২৩' and its column is wide enough for it."""
    import re
    from pathlib import Path

    from generator import examples
    from generator.paths import EXAMPLES_DIR
    from tests.conftest import docx_text

    source = examples.write(EXAMPLES_DIR / f"{example}.json", tmp_path / "example.xlsx")
    result = pipeline.build(source, out_root=tmp_path / "out", state_dir=tmp_path / "state")
    annex = Path(result.outputs[1])
    dates = set(re.findall(r"(?<![০-৯/])[০-৯]{1,2}/[০-৯]{1,2}/[০-৯]{2}(?![০-৯/])", docx_text(annex)))
    assert len(dates) >= 3
    lines = pdf_text(to_pdf(annex, tmp_path)).splitlines()
    broken = [d for d in dates if not any(d in line for line in lines)]
    assert broken == []


def test_signatures_share_their_page_with_the_table(pdfs):
    """The annex's last row keeps with the signature row: the signatures are never alone on a page."""
    import subprocess

    pages = len(pdf_pages(pdfs[1]))
    last = subprocess.run(["pdftotext", "-f", str(pages), "-l", str(pages), str(pdfs[1]), "-"],
                          check=True, capture_output=True, text=True).stdout
    last = "".join(last.split())
    assert "খালেদমাহমুদ" in last and "[২.২.১]" in last


@pytest.mark.parametrize("example", ["egov-mymensingh-2022-23-h1", "cc-chattogram-2023-24-q1", "grs-rangpur-2023-24-q2",
                                     "rti-rangpur-2023-24-q2", "nis-khulna-2021-22-q4", "minutes-rangpur-2023-06-22"])
def test_no_word_is_split_inside(tmp_path, example):
    """Every long Bangla word of the table (headings and cells) is whole on a line of the PDF as many times as
    the document holds it: LibreOffice breaks a word wider than its column inside a letter cluster
    ('কর্মসম্প' / 'াদন'), and a long 'কর্মশালা/প্রশিক্ষণ/সেমিনার' did so until its slashes allowed a break."""
    import re
    from collections import Counter
    from pathlib import Path

    from generator import examples
    from generator.paths import EXAMPLES_DIR
    from tests.conftest import docx_text

    source = examples.write(EXAMPLES_DIR / f"{example}.json", tmp_path / "example.xlsx")
    result = pipeline.build(source, out_root=tmp_path / "out", state_dir=tmp_path / "state")
    document = Path(result.outputs[-1])  # the annex, or the minutes
    words = Counter(w for w in re.findall(r"[\u0980-\u09ff]{6,}", docx_text(document).replace("\u200b", "")))
    assert len(words) > 20
    lines = ["".join(line.split()) for line in pdf_text(to_pdf(document, tmp_path)).splitlines()]
    split = {w: n for w, n in words.items() if sum(line.count(w) for line in lines) < n}
    assert split == {}
