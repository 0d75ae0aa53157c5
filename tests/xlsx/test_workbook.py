"""The blank workbook a clerk fills, and reading it back by keys wherever the cells are."""

import datetime as dt

from openpyxl import load_workbook

from generator.spec import kinds
from generator.rules import validate
from generator.findings import has_errors
from generator.xlsx import reading
from generator.model import Cell, RawWorkbook, from_workbook
from generator.spec.paths import XLSX_DIR
from tests.support.workbooks import fill_cc
from tests.support.workbooks import MYMENSINGH, ROWS


def _key_rows(ws):
    return {r[0].value: r[0].row for r in ws.iter_rows(max_col=1) if r[0].value}


def test_blank_cc_workbook_layout():
    wb = load_workbook(XLSX_DIR / "cc.xlsx")
    assert wb.sheetnames == ["পত্র", "কর্মপরিকল্পনা", "নির্দেশনা"]
    letter = wb["পত্র"]
    keys = _key_rows(letter)
    for key in ("kind", "template_version", "fiscal_year", "period", "office_name", "memo_prefix", "memo_serial",
                "issue_date", "recipient", "signatory_name", "signatory_designation", "copies", "annex_signatories"):
        assert key in keys, key
    assert letter.cell(keys["kind"], 3).value == "cc"
    assert letter.column_dimensions["A"].hidden and letter.protection.sheet
    assert letter.cell(keys["kind"], 3).protection.locked
    assert not letter.cell(keys["office_name"], 3).protection.locked
    assert "*" in letter.cell(keys["office_name"], 2).value  # required fields marked
    period_cell = f"C{keys['period']}"
    assert any(period_cell in str(dv.sqref) and "১ম ত্রৈমাসিক" in dv.formula1 for dv in letter.data_validations.dataValidation)
    plan = wb["কর্মপরিকল্পনা"]
    header_keys = [c.value for c in plan[1] if c.value]
    assert header_keys == list(kinds.CC.columns)
    assert plan.freeze_panes == "A4" and plan.row_dimensions[1].hidden
    assert plan["A3"].value == "(১)"
    assert any("সংখ্যা" in dv.formula1 and "তারিখ" in dv.formula1 for dv in plan.data_validations.dataValidation)
    assert not plan["A4"].protection.locked and plan["A1"].protection.locked
    assert plan["G2"].alignment.wrap_text


def test_reading_by_key_survives_moved_columns_and_rows(tmp_path):
    path = fill_cc(tmp_path, MYMENSINGH, ROWS)
    wb = load_workbook(path)
    plan = wb["কর্মপরিকল্পনা"]
    plan.move_range(f"A1:{plan.cell(1, plan.max_column).column_letter}70", cols=2)  # two new columns in front
    letter = wb["পত্র"]
    letter.insert_rows(3, amount=2)  # two new rows above the fields
    wb.save(path)
    raw = reading.read(path)
    assert raw.plan_columns["area"] == "D"
    report, findings = validate.check(raw, today=dt.date(2023, 1, 10))
    assert not has_errors(findings), [f.message for f in findings]
    assert report.get("office_name") == "ময়মনসিংহ সিটি কর্পোরেশন"
    assert [r.text("indicator") for r in report.rows] == ["হালনাগাদকৃত", "ওয়েবসাইটে প্রকাশিত", "সভা আয়োজিত"]


def test_continued_area_and_activity_cells():
    raw = RawWorkbook("x", {}, {}, {}, [], [])
    cell = lambda v, ref: Cell(v, ref)  # noqa: E731
    raw.plan_rows = [
        (4, {"area": cell("A1", "B4"), "activity": cell("x", "E4"), "indicator": cell("i1", "G4")}),
        (5, {"indicator": cell("i2", "G5")}),
        (6, {"activity": cell("y", "E6"), "indicator": cell("i3", "G6")}),
        (7, {"area": cell("A2", "B7"), "indicator": cell("i4", "G7")}),
        (8, {"area": cell("A2", "B8"), "activity": cell("z", "E8"), "indicator": cell("i5", "G8")}),
    ]
    report = from_workbook(raw, kinds.CC)
    assert [r.text("area") for r in report.rows] == ["A1", "A1", "A1", "A2", "A2"]
    assert [r.text("activity") for r in report.rows] == ["x", "x", "y", "", "z"]
    assert [r.area_first for r in report.rows] == [True, False, False, True, False]
    assert [r.activity_first for r in report.rows] == [True, False, True, True, True]


def test_merged_cells_read_as_continuations(tmp_path):
    path = fill_cc(tmp_path, MYMENSINGH, ROWS)
    wb = load_workbook(path)
    wb["কর্মপরিকল্পনা"].merge_cells("A4:A6")
    wb.save(path)
    report, _ = validate.check(reading.read(path))
    assert [r.area_first for r in report.rows] == [True, False, False]
    assert {r.text("area") for r in report.rows} == {"প্রাতিষ্ঠানিক কার্যক্রম"}


def test_numbers_formatted_as_percent_are_percentages(tmp_path):
    """A pasted 95% arrives from calamine as 0.95; the reader looks up the cell's format."""
    path = fill_cc(tmp_path, MYMENSINGH, ROWS)
    wb = load_workbook(path)
    ws = wb["কর্মপরিকল্পনা"]
    column = {c.value: c.column_letter for c in ws[1] if c.value}
    ws[f"{column['achieved']}5"].value = 0.95
    ws[f"{column['achieved']}5"].number_format = "0%"
    ws[f"{column['target_100']}5"].value = 1
    ws[f"{column['target_100']}5"].number_format = "0.00%"
    ws[f"{column['target_90']}5"].value = 0.9  # a plain fraction in a percent row: read, and printed, as 90%
    wb.save(path)
    rows = from_workbook(reading.read(path), kinds.CC).rows
    achieved, target, plain = (rows[1].value(k) for k in ("achieved", "target_100", "target_90"))
    assert (achieved.percent, achieved.display) == (True, "৯৫%")
    assert (target.percent, target.display) == (True, "১০০%")
    assert (plain.percent, plain.number, plain.display, plain.reading) == (True, 0.9, "৯০%", "fraction")


def test_docs_workbook_md_names_every_key_of_the_letter_and_minutes_sheets():
    """Found by a new user: the পত্র key table left out office_parents, the minutes list memo_separator."""
    from pathlib import Path

    from generator.spec import fields

    doc = (Path(__file__).resolve().parents[2] / "docs" / "workbook.md").read_text(encoding="utf-8")
    letter_table = doc.split("| key | required | meaning |", 1)[1].split("\n## ", 1)[0]
    minutes = doc.split("## The `minutes` workbook", 1)[1].split("\n## ", 1)[0]
    for sections, where in ((fields.LETTER, letter_table), (fields.MINUTES, minutes)):
        keys = [f.key for _, section in sections for f in section]
        assert len(keys) > 15 and [k for k in keys if f"`{k}`" not in where] == []
