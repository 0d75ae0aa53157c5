"""The built documents opened by real LibreOffice: one-page letter, landscape annex, all the text there."""

import pytest

from generator.spec import kinds
from generator.service import pipeline
from tests.support.office import pdf_pages, pdf_text, to_pdf


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory, office):
    from generator.xlsx import examples
    from tests.support.workbooks import CC_EXAMPLE_JSON

    tmp = tmp_path_factory.mktemp("lo")
    source = examples.write(CC_EXAMPLE_JSON, tmp / "cc.xlsx")
    result = pipeline.build(source, out_root=tmp / "out", state_dir=tmp / "state")
    assert result.ok
    from pathlib import Path

    return [to_pdf(Path(p), tmp, office) for p in result.outputs]


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
def test_dates_in_narrow_annex_columns_stay_on_one_line(tmp_path, example, office):
    """A date in a target or quarter column is written '৩১/১২/২৩' and its column is wide enough for it."""
    import re
    from pathlib import Path

    from generator.xlsx import examples
    from generator.spec.paths import EXAMPLES_DIR
    from tests.support.docx import docx_text

    source = examples.write(EXAMPLES_DIR / f"{example}.json", tmp_path / "example.xlsx")
    result = pipeline.build(source, out_root=tmp_path / "out", state_dir=tmp_path / "state")
    annex = Path(result.outputs[1])
    dates = set(re.findall(r"(?<![০-৯/])[০-৯]{1,2}/[০-৯]{1,2}/[০-৯]{2}(?![০-৯/])", docx_text(annex)))
    assert len(dates) >= 3
    lines = pdf_text(to_pdf(annex, tmp_path, office)).splitlines()
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
def test_no_word_is_split_inside(tmp_path, example, office):
    """Every long Bangla word of the table (headings and cells) is whole on a line of the PDF as many times as
    the document holds it: LibreOffice breaks a word wider than its column inside a letter cluster
    ('কর্মসম্প' / 'াদন'), and a long 'কর্মশালা/প্রশিক্ষণ/সেমিনার' did so until its slashes allowed a break."""
    import re
    from collections import Counter
    from pathlib import Path

    from generator.xlsx import examples
    from generator.spec.paths import EXAMPLES_DIR
    from tests.support.docx import docx_text

    source = examples.write(EXAMPLES_DIR / f"{example}.json", tmp_path / "example.xlsx")
    result = pipeline.build(source, out_root=tmp_path / "out", state_dir=tmp_path / "state")
    document = Path(result.outputs[-1])  # the annex, or the minutes
    words = Counter(w for w in re.findall(r"[\u0980-\u09ff]{6,}", docx_text(document).replace("\u200b", "")))
    assert len(words) > 20
    made = to_pdf(document, tmp_path, office)
    lines = ["".join(line.split()) for line in pdf_text(made).splitlines()]
    split = {w: n for w, n in words.items() if sum(line.count(w) for line in lines) < n}
    assert split == {}
    # a header repeated on every page can hide a split from the count: look at each line break of each cell
    # (pdftotext without -layout gives a cell's lines one after another)
    import subprocess

    cells = ["".join(line.split()) for line in subprocess.run(["pdftotext", str(made), "-"], check=True,
                                                              capture_output=True, text=True).stdout.splitlines()]
    # (a break where the document itself has a space is no split: the NIS remarks write 'কেসিসির ওয়েব সাইটে')
    source = docx_text(document).replace("\u200b", "")
    broken = {w for a, b in zip(cells, cells[1:]) for w in words
              if w in a + b and w not in a and w not in b and any(a.endswith(w[:i]) and b.startswith(w[i:])
                                                                and f"{w[:i]} {w[i:]}" not in source
                                                                for i in range(1, len(w)))}
    assert broken == set()


_MARK_FIRST = __import__("re").compile(r"^[\u0981-\u0983\u09bc\u09be-\u09cd\u09d7\u09e2\u09e3]")
_LONG = "বাস্তবায়নকারী কর্মসম্পাদন প্রতিষ্ঠানসমূহের অংশগ্রহণমূলক পর্যালোচনা"


def _long_rows(kind, n: int) -> list[dict]:
    rows = []
    for k in range(1, n + 1):
        row = {}
        for key in kind.columns:
            col = kinds.COLUMNS[key]
            if key in ("area_no", "no"):
                row[key] = str(k)
            elif key == "activity_no":
                row[key] = f"{k}.1"
            elif key == "indicator_no":
                row[key] = f"{k}.1.1"
            elif key in ("area_weight", "weight"):
                row[key] = 2
            elif key in ("target_100", "target_90", "target_80", "target_70", "target_60"):
                row[key] = {"target_100": 5, "target_90": 4, "target_80": 3, "target_70": 2, "target_60": 1}[key]
            elif key == "unit":
                row[key] = "সংখ্যা"
            elif key in ("counting", "self_score"):
                continue
            elif col.numeric:
                row[key] = 1
            else:
                row[key] = f"{_LONG} {k}"
        rows.append(row)
    return rows


@pytest.mark.parametrize("kind_id, n", [(k, n) for k in ("cc", "egov", "grs", "rti", "nis", "minutes") for n in (9, 16)])
def test_no_line_of_a_long_table_starts_with_a_vowel_sign(tmp_path, kind_id, n, office):
    """Plain pdftotext puts a fragment cut inside a letter cluster at the start of a line (`-layout` hides it
    among the columns): long plans of every kind, two and three pages, have none; their headers repeat."""
    from pathlib import Path

    from generator.xlsx import examples
    from generator.xlsx import filling
    from generator.spec.paths import EXAMPLES_DIR, XLSX_DIR

    kind = kinds.KINDS[kind_id]
    letter = examples.load(next(EXAMPLES_DIR.glob(f"{kind_id}-*.json")))["letter"]
    letter.pop("plan_total", None)
    source = filling.fill(XLSX_DIR / f"{kind_id}.xlsx", tmp_path / "long.xlsx", letter, _long_rows(kind, n))
    result = pipeline.build(source, out_root=tmp_path / "out", state_dir=tmp_path / "state")
    assert result.ok, [(i.cell, i.en) for i in result.issues if i.severity == "error"]
    pdf = to_pdf(Path(result.outputs[-1]), tmp_path, office)
    assert len(pdf_pages(pdf)) >= (2 if n < 16 else 3)
    import subprocess

    plain = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    layout = [chunk for line in pdf_text(pdf).splitlines() for chunk in line.split("  ")]
    broken = [line for line in plain.splitlines() + layout if _MARK_FIRST.match(line.strip())]
    assert broken == []


def test_a_tall_first_activity_starts_under_the_title_and_the_signatures_keep_a_row(tmp_path, office):
    """Found by a look at extreme but legal plans: an activity too tall for the first page's room, kept whole,
    left page 1 holding only the annex's title, and a tall last activity sent the signatures to a page of their
    own under the repeated header. Only an activity that fits on part of a page is kept whole now."""
    import subprocess
    from pathlib import Path

    from tests.support.workbooks import MYMENSINGH, fill_cc

    long = ("সেবা প্রদান প্রতিশ্রুতি বিষয়ে আওতাধীন দপ্তর/ সংস্থার কর্মকর্তা-কর্মচারীদের জন্য কর্মশালা/ প্রশিক্ষণ/ "
            "সেমিনার আয়োজন এবং সেবা প্রদান প্রতিশ্রুতি বাস্তবায়ন অগ্রগতি বিষয়ক বার্ষিক প্রতিবেদন প্রণয়ন ও প্রকাশ")
    rows = [{"area": "প্রাতিষ্ঠানিক কার্যক্রম", "area_weight": 20, "activity_no": "১.১", "activity": long}]
    rows += [{} for _ in range(5)]
    rows.append({"activity_no": "১.২", "activity": long})
    rows += [{} for _ in range(5)]
    for n, row in enumerate(rows, 1):
        activity = "১.১" if n <= 6 else "১.২"
        row.update({"indicator_no": f"{activity}.{'১২৩৪৫৬'[(n - 1) % 6]}", "indicator": long, "unit": "সংখ্যা",
                    "weight": 2 if n <= 8 else 1, "target_100": 4, "target_90": 3, "target_80": 2, "target_70": 1,
                    "target_60": "-", "achieved": 2, "remarks": long})
    source = fill_cc(tmp_path, MYMENSINGH, rows)
    result = pipeline.build(source, out_root=tmp_path / "out", state_dir=tmp_path / "state")
    assert result.ok, result.issues
    pdf = to_pdf(Path(result.outputs[1]), tmp_path, office)

    def page(n):
        return "".join(subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], check=True,
                                      capture_output=True, text=True).stdout.split())

    pages = len(pdf_pages(pdf))
    assert pages >= 3
    assert "[১.১.১]" in page(1)
    assert "মানসবিশ্বাস" in page(pages) and "[১.২." in page(pages)
