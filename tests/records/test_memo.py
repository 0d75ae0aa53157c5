"""Memo numbers: the 2024 file number takes its serial after a dot, the older code after a dash; prefixes
are normalized into one serial sequence; a serial typed into the prefix, a prefix of punctuation, a label
typed in front and a serial far ahead of the register are named (issue 11)."""

import datetime as dt

import pytest

from generator.spec import memo
from generator.service import pipeline
from generator.rules import validate
from generator.xlsx import reading
from generator.records.register import Register
from tests.support.docx import docx_text
from tests.support.workbooks import fill_cc
from tests.support.workbooks import MYMENSINGH, ROWS

TODAY = dt.date(2023, 1, 10)


def _build(tmp_path, name, **letter):
    path = fill_cc(tmp_path, dict(MYMENSINGH, **letter), ROWS, name)
    return pipeline.build(path, out_root=tmp_path / "out", state_dir=tmp_path / "state", today=TODAY)


@pytest.mark.parametrize("prefix, serial, number", [
    ("৩৮.০১.০০০০.০০০.৮০০.৯৯.০০০২.২৫", 8, "৩৮.০১.০০০০.০০০.৮০০.৯৯.০০০২.২৫.৮"),  # the real letter of November 2025
    ("38.01.0000.000.800.99.0002.25", "৮", "৩৮.০১.০০০০.০০০.৮০০.৯৯.০০০২.২৫.৮"),
    ("৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭", 192, "৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২"),
    ("৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-", 192, "৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২"),
    ("কেসিসি/সেঃবিঃ/সাঃপ্রঃশাঃ/III-২২৩(অঃকঃসঃ/২)/২২", 1406, "কেসিসি/সেঃবিঃ/সাঃপ্রঃশাঃ/III-২২৩(অঃকঃসঃ/২)/২২-১৪০৬"),
])
def test_memo_number_forms(prefix, serial, number):
    assert memo.number(prefix, serial) == number


@pytest.mark.parametrize("typed", [
    "৪৬. ১১. ১৬০০.০০১.১৮.০৪১.০৭", "৪৬,১১,১৬০০,০০১,১৮,০৪১,০৭", "৪৬ . ১১ .১৬০০. ০০১.১৮.০৪১.০৭ .",
    "46.11.1600.001.18.041.07-", "স্মারক নং-৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭", "স্মারক নং: 46.11.1600.001.18.041.07",
    "Memo No. 46.11.1600.001.18.041.07",
])
def test_one_file_code_however_typed(typed):
    assert memo.register_prefix(typed) == "৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭"
    assert validate.memo_prefix_shape(typed) == "standard"


def test_label_words_inside_a_code_are_kept():
    assert memo.register_prefix("স্মারকের কোড/২২") == "স্মারকের কোড/২২" and not memo.strip_label("স্মারকের কোড")[1]
    assert memo.trailing_serial("কেসিসি/সেঃবিঃ/সাঃপ্রঃশাঃ/III-২২৩(অঃকঃসঃ/২)/২২") is None
    assert memo.trailing_serial("৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭ - ১৯২") == ("৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭", "১৯২")


def test_the_2024_form_in_a_built_letter(tmp_path):
    result = _build(tmp_path, "a.xlsx", memo_prefix="৩৮.০১.০০০০.০০০.৮০০.৯৯.০০০২.২৫")
    assert result.ok and result.memo == "৩৮.০১.০০০০.০০০.৮০০.৯৯.০০০২.২৫.১"
    assert "৩৮.০১.০০০০.০০০.৮০০.৯৯.০০০২.২৫.১" in docx_text(result.outputs[0])


def test_prefixes_differing_in_spaces_and_commas_share_one_sequence(tmp_path):
    first = _build(tmp_path, "a.xlsx", memo_prefix="46.21.6100.049.18.001.22")
    second = _build(tmp_path, "b.xlsx", memo_prefix="৪৬. ২১. ৬১০০, ০৪৯.১৮.০০১.২২", period="৩য় ত্রৈমাসিক")
    third = _build(tmp_path, "c.xlsx", memo_prefix="স্মারক নং- ৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২", period="৪র্থ ত্রৈমাসিক")
    assert [r.memo for r in (first, second, third)] == [
        "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২-১", "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২-২", "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২-৩"]
    assert [i.code for i in third.issues] == ["memo-prefix-label"] and third.issues[0].severity == "warning"
    assert "স্মারক নং" not in docx_text(third.outputs[0]).split("স্মারক:")[1].split("\n")[0]


@pytest.mark.parametrize("typed, code", [
    ("৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২", "memo-prefix-has-serial"),
    ("৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭\u2212১৯২", "memo-prefix-has-serial"),  # a minus sign: the register reads a hyphen
    ("৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭\u2013১৯২", "memo-prefix-has-serial"),
    ("৩৮.০১.০০০০.০০০.৮০০.৯৯.০০০২.২৫.৮", "memo-prefix-has-serial"),
    ("-", "memo-prefix-malformed"),
    ("...", "memo-prefix-malformed"),
])
def test_prefix_errors_refuse_the_letter(tmp_path, typed, code):
    result = _build(tmp_path, "a.xlsx", memo_prefix=typed)
    assert result.status == "rejected"
    cell = reading.read(tmp_path / "a.xlsx").letter["memo_prefix"].ref
    assert [(i.code, i.sheet, i.cell) for i in result.issues if i.severity == "error"] == [(code, "পত্র", cell)]
    assert not any(i.code == "memo-prefix-free-form" for i in result.issues)


def test_serial_gap_is_pure_and_names_the_gap():
    assert validate.memo_serial_gap(13, 12, "৪৬", "C16") is None
    assert validate.memo_serial_gap(112, 12, "৪৬", "C16") is None
    assert validate.memo_serial_gap(2023, None, "৪৬", "C16") is None
    f = validate.memo_serial_gap(2023, 12, "৪৬.২১", "C16")
    assert (f.severity, f.code, f.sheet, f.cell) == ("warning", "memo-serial-gap", "পত্র", "C16")
    assert "13 to 2022" in f.en and "2010 numbers" in f.en and "2024" in f.en
    assert "১৩ থেকে ২০২২" in f.bn and "২০১০টি" in f.bn


def test_last_serial_reads_the_register(tmp_path):
    with Register(tmp_path) as register:
        assert register.last_serial("৪৬") is None
        register.record("৪৬", 12, "h1", source="a", kind="cc", office="o", fiscal_year="2022-23", period="q2")
        register.allocate("৪৭", "h2", source="b", kind="cc", office="o", fiscal_year="2022-23", period="q2")
        assert register.last_serial("৪৬") == 12 and register.last_serial("৪৭") == 1
        assert len(register.entries()) == 2  # nothing written by reading


def test_a_serial_far_ahead_of_the_register_is_named_at_its_cell(tmp_path):
    first = _build(tmp_path, "a.xlsx", memo_serial="১২")
    slip = _build(tmp_path, "b.xlsx", memo_serial="২০২৩", period="৩য় ত্রৈমাসিক")
    assert first.ok and not first.issues
    assert slip.ok and [i.code for i in slip.issues] == ["memo-serial-gap"]
    gap = slip.issues[0]
    assert (gap.sheet, gap.cell) == ("পত্র", reading.read(tmp_path / "b.xlsx").letter["memo_serial"].ref)
    assert "13 to 2022" in gap.en
    again = _build(tmp_path, "b.xlsx", memo_serial="২০২৩", period="৩য় ত্রৈমাসিক")  # the same letter again
    assert again.ok and again.memo_reused and not again.issues


def test_a_printed_memos_prefix_is_its_register_prefix_whatever_the_sign_before_its_serial():
    from generator.spec.memo import prefix_of, register_prefix

    code = "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২"
    assert prefix_of(f"{code}-১৬১") == prefix_of(f"{code}.১৬১") == prefix_of("46.21.6100.049.18.001.22-161")
    assert prefix_of(f"{code}-১৬১") == register_prefix(code) != prefix_of("৪৬.২১.৬১০০.০৫০.১৮.০০১.২২-১৬১")
