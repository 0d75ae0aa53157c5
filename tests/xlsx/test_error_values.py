"""Excel error values (#REF!, #DIV/0! …) in cells the service reads are named at their cell, never read as
blank (a blank achievement is "not scored" and silently lowers the score); a formula whose result is an
error is told as that, not as a file saved by a program that does not calculate."""

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from generator.service import pipeline
from tests.support.workbooks import MYMENSINGH, ROWS, C, fill_cc

PLAN = "কর্মপরিকল্পনা"
ERRORS = ["#REF!", "#DIV/0!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"]


def _with_cell_xml(src: Path, dst: Path, ref: str, xml: str) -> Path:
    """A copy of the workbook with the plan sheet's cell `ref` replaced by raw SpreadsheetML."""
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for item in z.infolist():
            data = z.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                text = data.decode("utf-8")
                text, n = re.subn(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', xml, text, count=1, flags=re.S)
                assert n == 1, ref
                data = text.encode("utf-8")
            out.writestr(item, data)
    return dst


@pytest.mark.parametrize("value", ERRORS)
def test_an_error_value_pasted_into_an_achievement_is_named(tmp_path, value):
    path = fill_cc(tmp_path, MYMENSINGH, ROWS)
    wb = load_workbook(path)
    wb[PLAN][C("achieved", 4)] = value  # openpyxl stores a known error code as an error value (t="e")
    wb.save(path)
    result = pipeline.examine(path).result
    found = [f for f in result.issues if f.code == "error-value"]
    assert [(f.sheet, f.cell) for f in found] == [(PLAN, C("achieved", 4))]
    assert value in found[0].bn and value in found[0].en and "formula" not in found[0].en
    assert result.status == "rejected"


def test_a_formula_whose_result_is_an_error_is_told_as_that(tmp_path):
    path = fill_cc(tmp_path, MYMENSINGH, ROWS)
    ref = C("achieved", 4)
    broken = _with_cell_xml(path, tmp_path / "broken.xlsx", ref, f'<c r="{ref}" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    result = pipeline.examine(broken).result
    codes = {f.code: f for f in result.issues}
    assert "formula-without-value" not in codes
    assert codes["error-value"].cell == ref and "formula" in codes["error-value"].en
    assert "#DIV/0!" in codes["error-value"].bn


def test_an_error_value_where_nothing_is_read_is_left_alone(tmp_path):
    path = fill_cc(tmp_path, MYMENSINGH, ROWS)
    wb = load_workbook(path)
    wb[PLAN]["AZ200"] = "#REF!"  # far outside the plan's columns: not the service's to read
    wb.save(path)
    assert not [f for f in pipeline.examine(path).result.issues if f.code == "error-value"]
