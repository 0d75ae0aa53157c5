"""Reading what clerks and their programs type: whole-number floats, serial dates, day-first dates,
plain fractions in percent rows, and the digits of Latin-script text (issue 11)."""

import datetime as dt

import pytest
from openpyxl import load_workbook

from generator.spec import kinds
from generator.service import pipeline
from generator.rules import validate
from generator.xlsx import reading
from generator.spec.kinds import ALL_FIELDS, DATE_FIELDS
from generator.text.bangla import bangla_digits_in_text
from generator.model import from_workbook
from generator.text import values
from generator.text.values import parse, parse_date_text, serial_date
from tests.support.docx import docx_text
from tests.support.workbooks import fill_cc
from tests.support.workbooks import MYMENSINGH, ROWS
from tests.support.workbooks import C

PLAN = "কর্মপরিকল্পনা"
TODAY = dt.date(2023, 1, 10)


def _general(path, cells: dict):
    """Type values into plan cells formatted General, as a clerk's own spreadsheet or LibreOffice gives them."""
    wb = load_workbook(path)
    for ref, value in cells.items():
        wb[PLAN][ref] = value
        wb[PLAN][ref].number_format = "General"
    wb.save(path)
    return path


def test_whole_number_floats_are_whole_numbers(tmp_path):
    """calamine reads every number as a float: area 1 must not become '1.0' and break the activity codes."""
    rows = [dict(ROWS[0], area_no=1, activity_no="1.1", indicator_no="1.1.1"),
            dict(ROWS[1], indicator_no="1.1.2"), dict(ROWS[2], activity_no=1.2, indicator_no="1.2.1")]
    path = fill_cc(tmp_path, MYMENSINGH, rows)
    assert reading.read(path).plan_rows[0][1]["area_no"].value == 1.0  # what the reader is given
    result = pipeline.build(path, out_root=tmp_path / "out", state_dir=tmp_path / "state", today=TODAY)
    assert result.ok and not [i for i in result.issues if i.code == "code-nesting"], result.issues
    report = from_workbook(reading.read(path), kinds.CC)
    assert [r.text("area_no") for r in report.rows] == ["1", "1", "1"]
    assert report.rows[0].text("weight") == "10" and parse(2.5).text == "2.5"
    annex = docx_text(result.outputs[1])
    assert "১.০" not in annex and "[১.২] অবহিতকরণ সভা" in annex


def test_serial_dates_in_a_date_row_and_a_date_field(tmp_path):
    """45200-style numbers in a date row (General format) and in issue_date are those dates."""
    path = fill_cc(tmp_path, dict(MYMENSINGH, issue_date=44931), ROWS)  # 5 January 2023
    _general(path, {C("target_100", 6): 44910, C("target_90", 6): "44915", C("achieved", 6): 44905.5})  # 15 and 20 Dec 2022; 10 Dec 2022, noon
    report, findings = validate.check(reading.read(path), today=TODAY)
    assert not [f for f in findings if f.severity == "error"], findings
    row = report.rows[2]
    assert [row.value(k).date for k in ("target_100", "target_90", "achieved")] == \
        [dt.date(2022, 12, 15), dt.date(2022, 12, 20), dt.date(2022, 12, 10)]
    assert report.issue_date == dt.date(2023, 1, 5)
    result = pipeline.build(path, out_root=tmp_path / "out", state_dir=tmp_path / "state", today=TODAY)
    assert result.ok and "২১ পৌষ ১৪২৯" in docx_text(result.outputs[0])
    annex = docx_text(result.outputs[1])
    assert all(d in annex for d in ("১৫/১২/২২", "২০/১২/২২", "১০/১২/২২")) and "৪৪৯১০" not in annex
    assert result.score["rows"][2]["score"] == 5


def test_serial_numbers_only_where_a_date_belongs(tmp_path):
    """A count of 45000 in a count row stays a count; a small number in a date row is still refused."""
    assert parse(45000.0).number == 45000 and parse(45000.0).date is None
    assert serial_date(45200) == dt.date(2023, 10, 1) and serial_date("৪৫২০০") == dt.date(2023, 10, 1)
    assert serial_date(10) is None and serial_date(float("nan")) is None and serial_date(True) is None
    path = _general(fill_cc(tmp_path, MYMENSINGH, ROWS), {C("achieved", 6): 10})
    result = pipeline.examine(path, today=TODAY).result
    assert ("bad-achievement", PLAN, C("achieved", 6)) in [(i.code, i.sheet, i.cell) for i in result.issues]


def test_date_fields_are_the_date_fields():
    assert set(DATE_FIELDS) == {k for k, f in ALL_FIELDS.items() if f.kind == "date"}


@pytest.mark.parametrize("text, date", [
    ("০৪/০৫/২৩", dt.date(2023, 5, 4)), ("04/05/2023", dt.date(2023, 5, 4)), ("4.5.2023", dt.date(2023, 5, 4)),
    ("০৪-০৫-২০২৩ খ্রিঃ", dt.date(2023, 5, 4)), ("12/01/2023", dt.date(2023, 1, 12)),
    ("2023-05-04", dt.date(2023, 5, 4)), ("05/13/2023", None), ("2023-13-01", None),
])
def test_text_dates_are_day_first(text, date):
    assert parse_date_text(text) == date


def test_day_first_in_the_letter_and_the_plan(tmp_path):
    path = fill_cc(tmp_path, dict(MYMENSINGH, issue_date="০৪/০১/২৩"), ROWS)
    _general(path, {C("achieved", 6): "১০/১২/২২"})
    report, _ = validate.check(reading.read(path), today=TODAY)
    assert report.issue_date == dt.date(2023, 1, 4) and report.rows[2].value("achieved").date == dt.date(2022, 12, 10)


@pytest.mark.parametrize("typed", [0.85, "০.৮৫", "0.85"])
def test_a_plain_fraction_in_a_percent_row_is_printed_as_scored_and_named(tmp_path, typed):
    path = _general(fill_cc(tmp_path, MYMENSINGH, ROWS), {C("achieved", 5): typed})
    result = pipeline.build(path, out_root=tmp_path / "out", state_dir=tmp_path / "state", today=TODAY)
    assert result.ok
    found = [(i.code, i.severity, i.sheet, i.cell) for i in result.issues]
    assert found == [("percent-as-fraction", "warning", PLAN, C("achieved", 5))]
    assert "৮৫%" in result.issues[0].bn and "85%" in result.issues[0].en
    row = result.score["rows"][1]
    assert row["score"] == pytest.approx(5 * 0.85)  # 85%: between the 90% and 80% levels, linear
    annex = docx_text(result.outputs[1])
    assert "৮৫%" in annex and "০.৮৫" not in annex


def test_a_whole_percentage_without_its_sign_is_printed_with_it(tmp_path):
    path = _general(fill_cc(tmp_path, MYMENSINGH, ROWS), {C("achieved", 5): 85})
    result = pipeline.build(path, out_root=tmp_path / "out", state_dir=tmp_path / "state", today=TODAY)
    assert result.ok and not result.issues  # 85 in a percent row can only mean 85%
    assert "৮৫%" in docx_text(result.outputs[1])


@pytest.mark.parametrize("text, printed", [
    ("Tel- 041-721304", "Tel- 041-721304"),
    ("PSC-2", "PSC-2"),
    ("Deputy Secretary (“City Corporation-2” Branch)", "Deputy Secretary (“City Corporation-2” Branch)"),
    ("Room 301, Block B", "Room 301, Block B"),
    ("ISO 9001 সনদ", "ISO 9001 সনদ"),
    ("ফোন: 041-721304", "ফোন: ০৪১-৭২১৩০৪"),
    ("10টি সভা, 2 জন", "১০টি সভা, ২ জন"),
    ("2023-24", "২০২৩-২৪"),
    ("স্মারক 46.21.6100.049.18.001.22-67", "স্মারক ৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২-৬৭"),
    ("ই-মেইল:ceo2018@gmail.com", "ই-মেইল:ceo2018@gmail.com"),
    ("সভা\nRoom 3", "সভা\nRoom 3"),
    ("PSC-2 শাখা, কক্ষ 3", "PSC-2 শাখা, কক্ষ ৩"),
    # a Latin name with a Bangla ending keeps its digits; a number touching Bangla, or after it, does not
    ("a2i-এর সহায়তায়", "a2i-এর সহায়তায়"),
    ("Covid-19-এর কারণে", "Covid-19-এর কারণে"),
    ("Windows 10-এ চালিত", "Windows 10-এ চালিত"),
    ("G2P-তে 4IR-এর H1N1-এ a2iতে", "G2P-তে 4IR-এর H1N1-এ a2iতে"),
    ("ISO-9001-এর সনদ", "ISO-9001-এর সনদ"),
    ("2য় সভা, ধারা 7-এ, 2023-এ", "২য় সভা, ধারা ৭-এ, ২০২৩-এ"),
    ("46.05.4710-এর পত্র", "৪৬.০৫.৪৭১০-এর পত্র"),
    ("সিটি কর্পোরেশন-2 শাখা", "সিটি কর্পোরেশন-২ শাখা"),
])
def test_latin_script_keeps_its_digits(text, printed):
    assert bangla_digits_in_text(text) == printed


def test_latin_digits_kept_in_the_letter_and_the_annex(tmp_path):
    letter = dict(MYMENSINGH, signatory_designation="Deputy Secretary (City Corporation-2 Branch)",
                  signatory_phone="Tel- 041-721304", attention="উপসচিব, সিটি কর্পোরেশন-2 শাখা")
    rows = [dict(ROWS[0], remarks="PSC-2 meeting held; 3টি সভা")] + ROWS[1:]
    result = pipeline.build(fill_cc(tmp_path, letter, rows), out_root=tmp_path / "out",
                            state_dir=tmp_path / "state", today=TODAY)
    assert result.ok
    text = docx_text(result.outputs[0])
    assert "Deputy Secretary (City Corporation-2 Branch)" in text and "Tel- 041-721304" in text
    assert "সিটি কর্পোরেশন-২ শাখা" in text
    assert "PSC-2 meeting held; ৩টি সভা" in docx_text(result.outputs[1])


@pytest.mark.parametrize("text, date", [
    ("10 Jan 2024", dt.date(2024, 1, 10)), ("১০ জানুয়ারি ২০২৪", dt.date(2024, 1, 10)),
    ("১০ জানুয়ারী, ২০২৪", dt.date(2024, 1, 10)), ("January 10, 2024", dt.date(2024, 1, 10)),
    ("10-Sep-2023", dt.date(2023, 9, 10)), ("১০ মে ২০২৪", dt.date(2024, 5, 10)),
    ("২৯/০২/২০২৪", dt.date(2024, 2, 29)), ("১০.১০.২০২৩ খ্রিঃ", dt.date(2023, 10, 10)),
])
def test_month_names_in_english_and_bangla_are_dates(text, date):
    assert values.parse_date_text(text) == date


def test_a_day_that_does_not_exist_is_told_as_such(tmp_path):
    path = fill_cc(tmp_path, dict(MYMENSINGH, issue_date="৩১/০২/২০২৩"), ROWS)
    found = [f for f in pipeline.examine(path).result.issues if f.code == "bad-date"]
    assert len(found) == 1 and "ক্যালেন্ডারে নেই" in found[0].bn and "28 days" in found[0].en
    assert values.date_trouble("29/02/2023") is not None and values.date_trouble("29/02/2024") is None
    assert values.date_trouble("৩১/১৩/২০২৪")[1] == "there is no month 13 (1 to 12)"


def test_a_file_read_once_is_known_unchanged_without_a_second_read_and_changed_when_saved_over(tmp_path):
    import os
    import time

    from generator.xlsx.source import load, unchanged

    path = tmp_path / "w.xlsx"
    path.write_bytes(b"first")
    source = load(path)
    assert unchanged(source)
    time.sleep(0.01)
    path.write_bytes(b"other")  # saved over in place: same inode, same size, a new time
    assert not unchanged(source)
    (tmp_path / "new").write_bytes(b"first")
    os.replace(tmp_path / "new", path)  # the same bytes again under a new inode: read again, and the same
    assert unchanged(source)
