"""Issue 23, a blank workbook that prints and guides: hints for every memo form the register accepts, plain
attachment and evidence hints, only the kind's own score fields, the plan's column numbers those of the annex, and
an instructions sheet that prints on A4 portrait, one page wide, every line whole (LibreOffice's PDF geometry)."""

import html
import re
import subprocess

import pytest
from docx import Document
from openpyxl import load_workbook

from generator.spec import kinds
from generator.spec.paths import DOCX_DIR, XLSX_DIR
from generator.xlsx import blanks, print_setup
from tests.support.office import soffice

PLAN_KINDS = [k for k in kinds.KINDS.values() if k.first_row > 3]


def workbook(kind):
    return load_workbook(XLSX_DIR / f"{kind.id}.xlsx")


def labels(kind) -> dict[str, str]:
    ws = workbook(kind)[kind.sheets[0]]
    return {str(r[0].value): str(r[1].value) for r in ws.iter_rows(min_row=2, max_col=2) if r[0].value}


@pytest.mark.parametrize("kind", kinds.KINDS.values(), ids=lambda k: k.id)
def test_the_memo_hints_show_every_form_the_register_accepts(kind):
    said = labels(kind)
    prefix, separator = said["memo_prefix"], said["memo_separator"]
    assert re.search(r"\d{2}\.\d{2}\.\d{4}\.\d{3}\.\d{2}\.\d{3}\.\d{2}\b", to_ascii(prefix))  # seven parts
    assert re.search(r"\d{2}\.\d{2}\.\d{4}\.\d{3}\.\d{3}\.\d{2}\.\d{4}\.\d{2}\b", to_ascii(prefix))  # 2024, 22 digits
    assert "নিজস্ব কোড" in prefix and "ক্রমিক ছাড়া" in prefix
    assert "(-)" in separator and "(.)" in separator and re.search(r"-[১২৩৪৫৬৭৮৯০]+ বা …[১২৩৪৫৬৭৮৯০]+\.[১২৩৪৫৬৭৮৯০]+",
                                                                   separator)
    guide = "\n".join(bn for bn, _ in blanks.guide_lines(kind))
    assert "কেসিসি/সেঃবিঃ/" in guide and "২২ অঙ্কের" in guide and "ড্যাশ (-)" in guide and "ডট (.)" in guide


def to_ascii(text: str) -> str:
    return text.translate(str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789"))


@pytest.mark.parametrize("kind", PLAN_KINDS, ids=lambda k: k.id)
def test_attachment_and_evidence_hints_are_plain(kind):
    said = labels(kind)
    assert "আসল পাতার সংখ্যা" in said["attachment_count"] and "প্রমাণক" in said["attachment_count"]
    assert "পাতা" in said["attachment_unit"] and "ফর্দ" in said["attachment_unit"]
    guide = "\n".join(bn for bn, _ in blanks.guide_lines(kind))
    assert "প্রমাণক" in guide and "PDF, JPG বা PNG" in guide and "ওয়েব পাতায়" in guide


@pytest.mark.parametrize("kind, own", [("cc", {"plan_total"}), ("grs", {"plan_total"}), ("rti", {"plan_total"}),
                                       ("egov", {"plan_total", "self_total"}), ("nis", {"plan_total", "self_total"}),
                                       ("minutes", set())])
def test_each_kind_shows_only_its_own_score_fields(kind, own):
    keys = set(labels(kinds.KINDS[kind]))
    assert keys & {"plan_total", "self_total"} == own
    if not own:
        assert "মূল্যায়ন (Scores)" not in str([c.value for c in workbook(kinds.KINDS[kind])[kinds.KINDS[kind].sheets[0]]["B"]])


def annex_numbers(kind) -> list[str]:
    """The annex template's column-number row: (১) (২) …"""
    doc = Document(str(DOCX_DIR / f"annex_{kind.id}.docx"))
    for row in doc.tables[0].rows:
        texts = [c.text.strip() for c in row.cells]
        if texts and texts[0] == "(১)":
            return texts
    raise AssertionError("no number row")


@pytest.mark.parametrize("kind", PLAN_KINDS, ids=lambda k: k.id)
def test_the_plans_column_numbers_are_the_annexs(kind):
    """The plan's row 3 says which annex column a column is printed in, so the clerk can compare the two: cc once
    numbered (১)–(১৭) against the annex's (১)–(১২)."""
    ws = workbook(kind)[kind.sheets[1]]
    keys = [c.value for c in ws[1]]
    numbers = dict(zip(keys, (c.value for c in ws[3])))
    annex = annex_numbers(kind)
    for key, number in numbers.items():
        home = kind.annex_number(key)
        assert number == ("–" if home is None else annex[home - 1]), (key, number)
    printed = {n for n in numbers.values() if n != "–"}
    assert printed <= set(annex)
    if kind.id in ("cc", "grs"):
        assert sorted(printed, key=annex.index) == annex == [f"({blanks.to_bangla_digits(i)})" for i in range(1, 13)]
    if "serial" not in kind.annex_columns:  # egov prints the area's number in a column of its own
        assert numbers["area"] == numbers.get("area_no", numbers["area"])
    assert numbers["achieved" if "achieved" in numbers else "remarks"] == numbers["remarks"]
    assert numbers["counting"] == "–"


@pytest.mark.parametrize("kind", kinds.KINDS.values(), ids=lambda k: k.id)
def test_no_hint_is_cut_off(kind):
    """Every label with its hint, every plan header and every line of the instructions has a row tall enough for
    its wrapped lines (LibreOffice does not grow a row by itself), and wraps."""
    wb = workbook(kind)
    letter = wb[kind.sheets[0]]
    width = letter.column_dimensions["B"].width
    for row in letter.iter_rows(min_row=2, max_col=2):
        if row[0].value:
            label = row[1]
            assert label.alignment.wrap_text
            assert letter.row_dimensions[label.row].height >= print_setup.text_height(label.value, width, 12), label.value
    guide = wb["নির্দেশনা"]
    for (cell,) in guide.iter_rows(max_col=1):
        assert cell.alignment.wrap_text
        assert guide.row_dimensions[cell.row].height >= print_setup.text_height(cell.value, blanks.GUIDE_WIDTH,
                                                                                  cell.font.sz), cell.value


@pytest.mark.parametrize("kind", kinds.KINDS.values(), ids=lambda k: k.id)
def test_the_instructions_are_set_to_print_on_a4_one_page_wide(kind):
    guide = workbook(kind)["নির্দেশনা"]
    assert int(guide.page_setup.paperSize) == int(guide.PAPERSIZE_A4) and guide.page_setup.orientation == "portrait"
    assert guide.sheet_properties.pageSetUpPr.fitToPage and guide.page_setup.fitToWidth == 1
    assert guide.page_setup.fitToHeight == 0
    assert guide.print_area == f"'নির্দেশনা'!$A$1:$A${guide.max_row}"
    assert all(cell.font.name == blanks.FONT for (cell,) in guide.iter_rows(max_col=1))


def printed_words(tmp_path, kind, sheet) -> list[tuple[float, float, list[tuple[float, float, float, float, str]]]]:
    """The sheet alone, printed by LibreOffice: per page its width, height and words with their boxes."""
    exe = soffice()
    if not exe:
        pytest.skip("LibreOffice (soffice) is not installed")
    wb = workbook(kind)
    for name in wb.sheetnames:
        if name != sheet:
            del wb[name]
    wb.save(tmp_path / "sheet.xlsx")
    subprocess.run([exe, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "sheet.xlsx")], check=True, capture_output=True,
                   timeout=180)
    bbox = subprocess.run(["pdftotext", "-bbox", str(tmp_path / "sheet.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [(float(width), float(height),
             [(float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in re.findall(
                 r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', body)])
            for width, height, body in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', bbox, re.S)]


def no_two_words_overlap(words) -> None:
    for i, (ax0, ay0, ax1, ay1, a) in enumerate(words):
        for bx0, by0, bx1, by1, b in words[i + 1:]:
            overlap_x = min(ax1, bx1) - max(ax0, bx0)
            overlap_y = min(ay1, by1) - max(ay0, by0)
            assert not (overlap_x > 1 and overlap_y > 0.35 * min(ay1 - ay0, by1 - by0)), (a, b)


def test_the_instructions_print_readable_on_a4(tmp_path):
    """LibreOffice prints the NIS instructions (the longest) on A4 portrait pages, every word inside the page, no
    two lines on top of each other (they overlapped: the rows were one line tall), the text not shrunk below 9 pt."""
    pages = printed_words(tmp_path, kinds.KINDS["nis"], "নির্দেশনা")
    assert 1 <= len(pages) <= 2
    text = ""
    for width, height, words in pages:
        assert (round(width), round(height)) == (595, 842)  # A4 portrait
        assert all(x1 <= width - 20 and x0 >= 20 for x0, _, x1, _, _ in words)  # nothing runs off the paper
        no_two_words_overlap(words)
        heights = sorted(y1 - y0 for _, y0, _, y1, w in words if re.search("[a-z]", w))
        assert heights and heights[len(heights) // 2] >= 9  # the English lines (10 pt) are not shrunk
        text += " ".join(w for *_, w in words) + " "
    squeezed = "".join(text.split())
    for _bn, en in blanks.guide_lines(kinds.KINDS["nis"]):
        assert "".join(en.split())[-30:] in squeezed  # every line's end is printed: none cut off


def test_the_letter_sheets_hints_print_whole(tmp_path):
    """The letter sheet of the cc workbook as LibreOffice prints it: no hint runs into the next row (the memo
    number's hint did, its row two lines tall for five), and the longest hints' Latin and digits are all printed."""
    pages = printed_words(tmp_path, kinds.KINDS["cc"], "পত্র")
    words = [w for *_, page in pages for w in page]
    for *_, page in pages:
        no_two_words_overlap(page)
    squeezed = "".join(w for *_, w in words)
    for end in ("III-২২৩(অঃকঃসঃ/২)/২২", "৩৮.০১.০০০০.০০০.৮০০.৯৯.০০০২.২৫", "(Alt+Enter)"):
        assert end in squeezed, end
