"""The blank workbooks as a clerk sees and prints them: a visible yellow, headers whole, a fiscal-year list,
landscape one page wide with the header rows repeated, and a guide that asks for no command."""

import subprocess

from openpyxl import load_workbook

from generator.spec import kinds
from generator.spec.paths import XLSX_DIR
from tests.support.office import pdf_pages, soffice


def test_input_cells_are_clearly_yellow_and_fiscal_year_has_a_list():
    wb = load_workbook(XLSX_DIR / "cc.xlsx")
    ws = wb["পত্র"]
    row = next(r[0].row for r in ws.iter_rows(min_col=1, max_col=1) if r[0].value == "fiscal_year")
    fill = ws.cell(row, 3).fill.fgColor.rgb[-6:]
    red, green, blue = (int(fill[i:i + 2], 16) for i in (0, 2, 4))
    assert red > 230 and green > 200 and red - blue > 80  # yellow, not the near-white FFFDE7 it was
    lists = [dv for dv in ws.data_validations.dataValidation if f"C{row}" in str(dv.sqref)]
    assert lists and "২০২৩-২৪" in lists[0].formula1 and not lists[0].showErrorMessage  # typed years still accepted


def test_plan_sheet_prints_landscape_one_page_wide_with_its_headers():
    for kind in kinds.KINDS.values():
        ws = load_workbook(XLSX_DIR / f"{kind.id}.xlsx")[kind.sheets[1]]
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
        assert ws.print_title_rows and ws.print_area
        if "target_100" in kind.columns:
            assert ws.row_dimensions[2].height >= 100  # the target-level headers wrap to several lines


def test_guide_asks_for_no_command():
    for kind in kinds.KINDS.values():
        guide = load_workbook(XLSX_DIR / f"{kind.id}.xlsx")["নির্দেশনা"]
        text = "\n".join(str(c.value) for c in guide["A"] if c.value)
        assert "gen " not in text and "শেয়ার্ড ফোল্ডারে" in text


def test_blank_cc_workbook_prints_on_few_pages(tmp_path):
    """LibreOffice printed the blank cc workbook on 17 pages (columns cut over several sheets of paper)."""
    import shutil

    exe = soffice()
    if not exe:
        import pytest
        pytest.skip("LibreOffice (soffice) is not installed")
    shutil.copy(XLSX_DIR / "cc.xlsx", tmp_path / "cc.xlsx")
    subprocess.run([exe, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "cc.xlsx")], check=True, capture_output=True, timeout=180)
    pages = pdf_pages(tmp_path / "cc.pdf")
    assert len(pages) <= 5  # letter sheet 2, plan 1, the instructions 2 (A4 portrait, readable: issue 23)
    assert any(w > h for w, h in pages)  # the plan, landscape


def test_no_hint_shows_raw_brackets():
    """A code is typed ১.১ in every kind (the annex adds the brackets where the plan prints them, seed 000); the NIS
    hint once showed a raw [১.১]."""
    for kind in kinds.KINDS.values():
        wb = load_workbook(XLSX_DIR / f"{kind.id}.xlsx")
        heads = [c.value or "" for c in wb[kind.sheets[1]][2]]
        labels = [c.value or "" for c in wb[kind.sheets[0]]["B"]]
        assert not any("[" in text or "]" in text for text in heads + labels), kind.id
        if "activity_no" in kind.columns:
            assert any("যেমন: ১.১" in h for h in heads)
