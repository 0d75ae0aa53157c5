"""The checks of the first issue: memo prefix shapes, fields that cannot be read, dates."""

import datetime as dt

import pytest

from generator.service import pipeline
from generator.rules import validate
from generator.xlsx import reading
from generator.xlsx import filling
from generator.spec.fields import LETTER_FIELDS
from tests.support.workbooks import fill_cc
from tests.support.workbooks import MYMENSINGH, ROWS


@pytest.mark.parametrize("prefix, shape", [
    ("৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭", "standard"),
    ("46.21.6100.049.18.001.22", "standard"),
    ("০৫.৪৭.০০০০.০০৫.১২.০০২.১৭", "standard"),
    ("০৫.৪৭.০০০০.০০৫.১২৩.০২.২০২৪.০৭", "standard"),  # 2024 Secretariat Instructions: 8 segments
    ("০৫.৪৭.০০০০..০০৫.১২.০০২.১৭", "malformed"),
    ("৪৬.১১.১৬০০.০০১.১৮.০৪১", "malformed"),
    ("কেসিসি/সেঃবিঃ/সাঃপ্রঃশাঃ/III-২২৩(অঃকঃসঃ/২)/২২", "free-form"),
])
def test_memo_prefix_shapes(prefix, shape):
    assert validate.memo_prefix_shape(prefix) == shape


def _findings(tmp_path, today=dt.date(2023, 6, 1), **changes):
    path = fill_cc(tmp_path, dict(MYMENSINGH, **changes), ROWS)
    raw = reading.read(path)
    _, findings = validate.check(raw, today=today)
    rows = LETTER_FIELDS
    return {f.code: f for f in findings}, raw, rows


@pytest.mark.parametrize("key, value, code, severity", [
    ("memo_prefix", "৪৬.১১.১৬০০", "memo-prefix-malformed", "error"),
    ("memo_prefix", "কেসিসি/সেঃবিঃ/২২", "memo-prefix-free-form", "warning"),
    ("memo_serial", "১৯২ক", "bad-memo-serial", "error"),
    ("fiscal_year", "২০২৩-২৫", "bad-fiscal-year", "error"),
    ("period", "পঞ্চম ত্রৈমাসিক", "bad-period", "error"),
    ("issue_date", "৩২/১৩/২০২৩", "bad-date", "error"),
    ("issue_date", dt.datetime(2030, 1, 1), "future-date", "warning"),
    ("issue_date", dt.datetime(2019, 1, 1), "date-outside-year", "warning"),
    ("attachment_count", "এক", "bad-number", "error"),
])
def test_each_finding_points_at_its_cell(tmp_path, key, value, code, severity):
    findings, raw, _ = _findings(tmp_path, **{key: value})
    assert code in findings, list(findings)
    f = findings[code]
    assert (f.severity, f.sheet, f.cell) == (severity, "পত্র", raw.letter[key].ref)
    assert f.bn and f.en and f.bn != f.en


def test_empty_plan_is_an_error(tmp_path, out, state):
    path = filling.fill(fill_cc(tmp_path, MYMENSINGH, []), tmp_path / "empty.xlsx", {}, [])
    result = pipeline.build(path, out_root=out, state_dir=state)
    assert not result.ok and result.issues[0].code == "empty-plan"


def test_serial_taken_by_another_letter(tmp_path, out, state):
    first = pipeline.build(fill_cc(tmp_path, dict(MYMENSINGH, memo_serial="৭"), ROWS, "a.xlsx"),
                           out_root=out, state_dir=state)
    other = dict(MYMENSINGH, memo_serial="7", period="৩য় ত্রৈমাসিক")
    second = pipeline.build(fill_cc(tmp_path, other, ROWS, "b.xlsx"), out_root=out, state_dir=state)
    assert first.ok and not second.ok
    assert second.issues[-1].code == "memo-serial-taken" and "a.xlsx" in second.issues[-1].en


def test_a_serial_taken_names_the_other_file_as_its_office_sent_it(tmp_path, out, state):
    kept = tmp_path / "uploads"  # as the web desk keeps an upload: in its folder, under its tag
    kept.mkdir()
    first = fill_cc(kept, dict(MYMENSINGH, memo_serial="৭"), ROWS, "0badc0de-ময়মনসিংহ.xlsx")
    assert pipeline.build(first, out_root=out, state_dir=state).ok
    second = pipeline.build(fill_cc(tmp_path, dict(MYMENSINGH, memo_serial="7", period="৩য় ত্রৈমাসিক"), ROWS, "b.xlsx"),
                            out_root=out, state_dir=state)
    taken = second.issues[-1]
    assert taken.code == "memo-serial-taken" and "(ময়মনসিংহ.xlsx, " in taken.bn and "(ময়মনসিংহ.xlsx, " in taken.en
    assert "0badc0de" not in taken.en + taken.bn and "memo_serial" not in taken.en  # no tag, no machine key


def test_old_template_version(tmp_path, out, state):
    path = fill_cc(tmp_path, dict(MYMENSINGH, template_version=0), ROWS)
    result = pipeline.build(path, out_root=out, state_dir=state)
    assert not result.ok and result.issues[0].code == "old-template"


def test_a_required_field_of_only_invisible_characters_is_empty(tmp_path):
    """Found by a hostile caller: an office name of zero-width characters was built, the letter printing an
    invisible office, its folder named 'office~e3b0c442'. The cell looks empty in Excel: it is empty."""
    findings, raw, _ = _findings(tmp_path, office_name="\u200b\u200c \u2060")
    f = findings["missing-field"]
    assert (f.sheet, f.cell) == ("পত্র", raw.letter["office_name"].ref) and "office_name" in f.en


def test_a_key_written_twice_down_the_letter_sheet_is_refused_at_the_second(tmp_path):
    """Found by a hostile caller: `office_name` typed over another row's key was built silently, the first value
    taken and the overwritten row's field (office_unit) gone from the letter."""
    from openpyxl import load_workbook

    path = fill_cc(tmp_path, MYMENSINGH, ROWS)
    wb = load_workbook(path)
    ws = wb["পত্র"]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}
    ws.cell(rows["office_unit"], 1, "office_name")
    wb.save(path)
    raw = reading.read(path)
    assert raw.letter["office_name"].ref == f"C{rows['office_name']}"  # the first is the one read
    _, findings = validate.check(raw, today=dt.date(2023, 6, 1))
    (f,) = [f for f in findings if f.code == "repeated-key"]
    assert (f.severity, f.sheet, f.cell) == ("error", "পত্র", f"A{rows['office_unit']}")
    assert f"A{rows['office_name']}" in f.en and "office_name" in f.bn


def test_a_cell_longer_than_excel_allows_is_refused_at_its_cell(tmp_path):
    """Found by a hostile caller: a 2-MB word as the office name passed the checks and broke the build ('could
    not be processed ... tell the system administrator'). Excel holds at most 32,767 characters in a cell."""
    import zipfile

    filled = fill_cc(tmp_path, dict(MYMENSINGH, office_name="OFFICE-NAME-HERE"), ROWS)  # openpyxl cuts at 32,767
    path = tmp_path / "long.xlsx"
    with zipfile.ZipFile(filled) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            z.writestr(info, source.read(info).replace(b"OFFICE-NAME-HERE", ("ক" * 40_000).encode()))
    raw = reading.read(path)
    _, found = validate.check(raw, today=dt.date(2023, 6, 1))
    findings = {f.code: f for f in found}
    f = findings["cell-too-long"]
    assert (f.severity, f.sheet, f.cell) == ("error", "পত্র", raw.letter["office_name"].ref)
    assert "40000" in f.en and "32767" in f.en
