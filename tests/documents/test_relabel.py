"""An area or activity that runs onto a new page has its label printed again at the top of that page, in the
PDF and in the .docx written with it: long plans of every annex kind built through a real LibreOffice."""

import io
import subprocess
from pathlib import Path

import pytest
from docx import Document as WordDocument

from generator.documents import make as documents, relabel
from generator.xlsx import examples
from generator.xlsx import filling
from generator.spec import kinds
from generator.service import pipeline
from generator.text.bangla import to_bangla_digits
from generator.spec.paths import EXAMPLES_DIR, XLSX_DIR

LONG = "বাস্তবায়নকারী কর্মসম্পাদন প্রতিষ্ঠানসমূহের অংশগ্রহণমূলক পর্যালোচনা"
HINT = "".join(relabel.CONTINUED.split())
LEVELS = {"target_100": 5, "target_90": 4, "target_80": 3, "target_70": 2, "target_60": 1}


def grouped_rows(kind, areas: int, activities: int, indicators: int, codes: bool = True) -> list[dict]:
    """A plan of `areas` areas of `activities` activities of `indicators` indicators each; every indicator
    ends with its number, so a page's text tells which rows it holds."""
    rows = []
    for a in range(1, areas + 1):
        for b in range(1, activities + 1):
            for c in range(1, indicators + 1):
                row: dict = {}
                for key in kind.columns:
                    if key == "area_no":
                        row[key] = str(a)
                    elif key == "area":
                        row[key] = f"ক্ষেত্র {a} {LONG}"
                    elif key == "activity_no" and codes:
                        row[key] = f"{a}.{b}"
                    elif key == "activity":
                        row[key] = f"কার্যক্রম {a}.{b} {LONG}"
                    elif key == "indicator_no" and codes:
                        row[key] = f"{a}.{b}.{c}"
                    elif key == "indicator":
                        row[key] = f"{LONG} {a}.{b}.{c}" if codes else LONG
                    elif key == "area_weight":
                        row[key] = 2 * activities * indicators
                    elif key == "weight":
                        row[key] = 2
                    elif key in LEVELS:
                        row[key] = LEVELS[key]
                    elif key == "unit":
                        row[key] = "সংখ্যা"
                    elif key in ("counting", "self_score", "activity_no", "indicator_no"):
                        continue
                    elif kinds.COLUMNS[key].numeric:
                        row[key] = 1
                    else:
                        row[key] = f"{kinds.COLUMNS[key].header} {a}.{b}.{c}"
                rows.append(row)
    return rows


def build_long(tmp: Path, office, kind_id: str, shape: tuple[int, int, int], codes: bool = True):
    kind = kinds.KINDS[kind_id]
    letter = examples.load(next(EXAMPLES_DIR.glob(f"{kind_id}-*.json")))["letter"]
    letter.pop("plan_total", None)
    source = filling.fill(XLSX_DIR / f"{kind_id}.xlsx", tmp / "long.xlsx", letter,
                           grouped_rows(kind, *shape, codes=codes))
    result = pipeline.build(source, out_root=tmp / "out", state_dir=tmp / "state",
                            pdf=documents.PdfSettings(office=office.handle))
    assert result.ok, [(i.cell, i.en) for i in result.issues if i.severity == "error"]
    annex = next(Path(p) for p in result.outputs if p.endswith("-annex.pdf"))
    return annex, annex.with_suffix(".docx")


def page_texts(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return ["".join(page.split()) for page in out.split("\f") if page.strip()]


def docx_text(path: Path) -> str:
    doc = WordDocument(io.BytesIO(path.read_bytes()))
    return "".join("".join(cell.text.split()) for table in doc.tables for row in table.rows for cell in row.cells)


SHAPES = {"cc": (3, 3, 3), "egov": (3, 3, 3), "grs": (3, 3, 3), "rti": (3, 3, 3), "nis": (3, 6, 1)}


@pytest.mark.parametrize("kind_id", sorted(SHAPES))
def test_every_page_that_continues_an_area_or_activity_shows_its_label(tmp_path, office, kind_id):
    annex, docx = build_long(tmp_path, office, kind_id, SHAPES[kind_id])
    pages = page_texts(annex)
    assert len(pages) >= 3
    continued = checked = 0
    for number, text in enumerate(pages[1:], start=2):
        here = [(a, b, c) for a, b, c in _numbers(SHAPES[kind_id])
                if f"পর্যালোচনা{to_bangla_digits(f'{a}.{b}.{c}')}" in text]
        if not here:
            continue
        checked += 1
        a, b, c = min(here)
        if (b, c) != (1, 1):
            continued += 1
            assert f"ক্ষেত্র{to_bangla_digits(a)}" in text and HINT in text, (number, a, b, c)
        if c != 1 and kind_id != "nis":  # NIS prints the activity on each of its rows
            assert f"কার্যক্রম{to_bangla_digits(f'{a}.{b}')}" in text, (number, a, b, c)
    assert checked >= len(pages) - 2 and continued >= 1
    assert docx_text(docx).count(HINT) >= continued  # the Word file is the relabelled one


def _numbers(shape):
    areas, activities, indicators = shape
    return [(a, b, c) for a in range(1, areas + 1) for b in range(1, activities + 1) for c in range(1, indicators + 1)]


def test_a_plan_whose_rows_cannot_be_told_apart_is_left_as_it_is(tmp_path, office):
    """No codes and the same indicator on every row: no page's first row is certain, so nothing changes."""
    annex, docx = build_long(tmp_path, office, "cc", (2, 2, 4), codes=False)
    assert len(page_texts(annex)) >= 2
    assert HINT not in "".join(page_texts(annex)) and HINT not in docx_text(docx)


def test_a_row_is_placed_only_where_its_page_is_certain():
    keys = [["[১.১.১]"], ["[১.১.২]"], [], ["[১.২.১]"], ["[১.২.২]"]]
    pages = ["[১.১.১][১.১.২]", "x[১.২.১]", "[১.২.২]"]
    # row 3 is on page 1, but row 2 (unknown) may be on it too: page 1 is left alone
    assert relabel.first_rows(pages, keys) == {2: 4}
    assert relabel.first_rows(["[১.১.১]", "[১.১.২]"], [["[১.১.১]"], ["[১.১.২]"]]) == {1: 1}
    assert relabel.first_rows(["[১.১.২]", "[১.১.১]"], [["[১.১.১]"], ["[১.১.২]"]]) == {}  # out of order
    assert relabel.first_rows(["[১.১.১]", "[১.১.২][১.১.২]"], [["[১.১.১]"], ["[১.১.২]"]]) == {}  # twice


def test_a_key_shared_with_another_row_is_not_used():
    rows = [{"indicator": "সভা আয়োজিত", "activity": "১.১ নৈতিকতা কমিটির সভা"},
            {"indicator": "সভা আয়োজিত", "activity": "১.২ প্রশিক্ষণ"}]
    keys = relabel.row_keys(rows)
    assert all("সভাআয়োজিত" not in k for k in keys[0] + keys[1])
    assert keys[0][0] == "১.১নৈতিকতাকমিটিরসভা" and keys[1][0] == "১.২প্রশিক্ষণ"
