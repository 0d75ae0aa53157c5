"""A corpus of broken workbooks, each made from a good one by one mistake: the exact code and cell reported."""

import datetime as dt
import os
import string
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from generator.spec import kinds
from generator.service import pipeline
from generator.xlsx import filling
from generator.spec.fields import LETTER_FIELDS
from generator.spec.paths import XLSX_DIR
from tests.support.workbooks import MYMENSINGH, ROWS
from tests.support.workbooks import C

LETTER, PLAN = "পত্র", "কর্মপরিকল্পনা"
TODAY = dt.date(2023, 1, 10)


def _letter_rows(kind="cc"):
    ws = load_workbook(XLSX_DIR / f"{kind}.xlsx")[LETTER]
    return {r[0].value: r[0].row for r in ws.iter_rows(max_col=1) if r[0].value}


ROW_OF = _letter_rows()


def L(key):
    return f"C{ROW_OF[key]}"


# (name, letter changes, plan cell changes, expected code, sheet, cell)
LETTER_CASES = [
    ("no office", {"office_name": None}, {}, "missing-field", LETTER, L("office_name")),
    ("no address", {"office_address": None}, {}, "missing-field", LETTER, L("office_address")),
    ("no fiscal year", {"fiscal_year": None}, {}, "missing-field", LETTER, L("fiscal_year")),
    ("no period", {"period": None}, {}, "missing-field", LETTER, L("period")),
    ("no memo prefix", {"memo_prefix": None}, {}, "missing-field", LETTER, L("memo_prefix")),
    ("no recipient", {"recipient": None}, {}, "missing-field", LETTER, L("recipient")),
    ("no signatory", {"signatory_name": None}, {}, "missing-field", LETTER, L("signatory_name")),
    ("no designation", {"signatory_designation": None}, {}, "missing-field", LETTER, L("signatory_designation")),
    ("fiscal year one year", {"fiscal_year": "২০২৩"}, {}, "bad-fiscal-year", LETTER, L("fiscal_year")),
    ("fiscal year gap", {"fiscal_year": "2022-2024"}, {}, "bad-fiscal-year", LETTER, L("fiscal_year")),
    ("fifth quarter", {"period": "৫ম ত্রৈমাসিক"}, {}, "bad-period", LETTER, L("period")),
    ("short memo code", {"memo_prefix": "৪৬.১১.১৬০০"}, {}, "memo-prefix-malformed", LETTER, L("memo_prefix")),
    ("empty memo segment", {"memo_prefix": "০৫.৪৭.০০০০..০০৫.১২.০০২.১৭"}, {}, "memo-prefix-malformed", LETTER, L("memo_prefix")),
    ("local memo code", {"memo_prefix": "কেসিসি/সেঃবিঃ/২২"}, {}, "memo-prefix-free-form", LETTER, L("memo_prefix")),
    ("memo prefix with its serial", {"memo_prefix": "৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২"}, {}, "memo-prefix-has-serial", LETTER,
     L("memo_prefix")),
    ("2024 file number with its serial", {"memo_prefix": "৩৮.০১.০০০০.০০০.৮০০.৯৯.০০০২.২৫.৮"}, {}, "memo-prefix-has-serial",
     LETTER, L("memo_prefix")),
    ("memo prefix a dash", {"memo_prefix": "-"}, {}, "memo-prefix-malformed", LETTER, L("memo_prefix")),
    ("memo label typed", {"memo_prefix": "স্মারক নং-৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭"}, {}, "memo-prefix-label", LETTER,
     L("memo_prefix")),
    ("serial with letters", {"memo_serial": "১৯২ক"}, {}, "bad-memo-serial", LETTER, L("memo_serial")),
    ("31 February", {"issue_date": "৩১/০২/২০২৩"}, {}, "bad-date", LETTER, L("issue_date")),
    ("future date", {"issue_date": dt.datetime(2023, 3, 1)}, {}, "future-date", LETTER, L("issue_date")),
    ("date years away", {"issue_date": dt.datetime(2020, 3, 1)}, {}, "date-outside-year", LETTER, L("issue_date")),
    ("attachments in words", {"attachment_count": "এক"}, {}, "bad-number", LETTER, L("attachment_count")),
    ("attachments superscript", {"attachment_count": "²"}, {}, "bad-number", LETTER, L("attachment_count")),
    ("attachments by the million", {"attachment_count": 10**7}, {}, "bad-number", LETTER, L("attachment_count")),
    ("serial superscript", {"memo_serial": "²"}, {}, "bad-memo-serial", LETTER, L("memo_serial")),
    ("serial too big", {"memo_serial": 9.223372036854776e+18}, {}, "bad-memo-serial", LETTER, L("memo_serial")),
    ("serial zero", {"memo_serial": "০"}, {}, "bad-memo-serial", LETTER, L("memo_serial")),
    ("unknown kind", {"kind": "xyz"}, {}, "unknown-kind", LETTER, L("kind")),
    ("old template", {"template_version": 0}, {}, "old-template", LETTER, L("template_version")),
    ("future template", {"template_version": 9}, {}, "unknown-template-version", LETTER, L("template_version")),
    ("plan total", {"plan_total": "৩০"}, {}, "plan-total-mismatch", LETTER, L("plan_total")),
]
PLAN_CASES = [
    ("no indicator", {}, {C("indicator", 4): None}, "missing-value", PLAN, C("indicator", 4)),
    ("weight in words", {}, {C("weight", 4): "দশ"}, "bad-number", PLAN, C("weight", 4)),
    ("negative weight", {}, {C("weight", 5): -5}, "bad-number", PLAN, C("weight", 5)),
    ("unknown unit", {}, {C("unit", 4): "টাকা"}, "unknown-unit", PLAN, C("unit", 4)),
    ("no unit", {}, {C("unit", 4): None}, "missing-unit", PLAN, C("unit", 4)),
    ("targets rising", {}, {C("target_100", 4): "৩", C("target_90", 4): "৪"}, "targets-not-ordered", PLAN, C("target_90", 4)),
    ("dates falling", {}, {C("target_100", 6): "২০/১২/২০২২", C("target_90", 6): "১৫/১২/২০২২"}, "targets-not-ordered", PLAN, C("target_90", 6)),
    ("target over 100%", {}, {C("target_100", 5): "১১০%"}, "percent-over-100", PLAN, C("target_100", 5)),
    ("achievement over 100%", {}, {C("achieved", 5): "১২০%"}, "percent-over-100", PLAN, C("achieved", 5)),
    ("achievement in words", {}, {C("achieved", 4): "অনেক"}, "bad-achievement", PLAN, C("achieved", 4)),
    ("number for a date", {}, {C("achieved", 6): "১০"}, "bad-achievement", PLAN, C("achieved", 6)),
    ("target in words", {}, {C("target_100", 4): "চার"}, "bad-target", PLAN, C("target_100", 4)),
    ("date target in words", {}, {C("target_100", 6): "আগামীকাল"}, "bad-target", PLAN, C("target_100", 6)),
    ("duplicate indicator", {}, {C("indicator_no", 5): "১.১.১"}, "duplicate-code", PLAN, C("indicator_no", 5)),
    ("indicator under the wrong activity", {}, {C("indicator_no", 6): "১.৩.১"}, "code-nesting", PLAN, C("indicator_no", 6)),
    ("area number none of its activities fit", {}, {C("area_no", 4): "২"}, "code-nesting", PLAN, C("area_no", 4)),
    ("area number of two segments", {}, {C("area_no", 4): "১.০"}, "code-nesting", PLAN, C("area_no", 4)),
    ("one activity under the wrong area", {}, {C("area_no", 4): "১", C("activity_no", 6): "২.২"}, "code-nesting", PLAN,
     C("activity_no", 6)),
    ("area weight", {}, {C("area_weight", 4): 15}, "area-weight-mismatch", PLAN, C("area_weight", 4)),
    ("formula never computed", {}, {C("weight", 5): "=2+3"}, "formula-without-value", PLAN, C("weight", 5)),
    ("letter formula never computed", {"attachment_count": "=1+1"}, {}, "formula-without-value", LETTER,
     L("attachment_count")),
    ("unknown counting method", {}, {C("counting", 4): "মোট"}, "unknown-counting", PLAN, C("counting", 4)),
    ("date method on a count", {}, {C("counting", 4): "তারিখ"}, "counting-unit-mismatch", PLAN, C("counting", 4)),
    ("sum method on a date", {}, {C("counting", 6): "সমষ্টি"}, "counting-unit-mismatch", PLAN, C("counting", 6)),
    ("done after the period", {}, {C("achieved", 6): "০৫/০১/২০২৩"}, "achieved-after-period", PLAN, C("achieved", 6)),
    ("done after the letter", {"issue_date": "০৪/০১/২০২৩"}, {C("achieved", 6): "০৫/০১/২০২৩"},
     "achieved-after-issue-date", PLAN, C("achieved", 6)),
    ("done after a blank letter date, today", {}, {C("achieved", 6): dt.datetime(2023, 1, 11)},
     "achieved-after-issue-date", PLAN, C("achieved", 6)),
]


def _make(tmp_path, letter_changes, plan_changes, name="broken.xlsx", kind="cc", rows=ROWS):
    path = filling.fill(XLSX_DIR / f"{kind}.xlsx", tmp_path / name, {**MYMENSINGH, **letter_changes}, rows)
    if plan_changes:
        wb = load_workbook(path)
        for ref, value in plan_changes.items():
            wb[PLAN][ref] = value
        wb.save(path)
    return path


@pytest.mark.parametrize("name, letter, plan, code, sheet, cell", LETTER_CASES + PLAN_CASES,
                         ids=[c[0] for c in LETTER_CASES + PLAN_CASES])
def test_one_mistake_one_finding(tmp_path, name, letter, plan, code, sheet, cell):
    result = pipeline.examine(_make(tmp_path, letter, plan), today=TODAY).result
    found = [(i.code, i.sheet, i.cell) for i in result.issues]
    assert (code, sheet, cell) in found, found
    issue = next(i for i in result.issues if i.code == code)
    assert issue.bn.strip() and issue.en.strip() and any("\u0980" <= ch <= "\u09ff" for ch in issue.bn)


def test_the_good_workbook_is_clean(tmp_path):
    result = pipeline.examine(_make(tmp_path, {}, {}), today=TODAY).result
    assert result.status == "valid" and not result.issues


def test_nei_in_a_target_or_an_achievement_is_read_as_a_dash(tmp_path):
    """Found by a hostile run: a clerk's `নেই` ("none") in a target cell was refused as unreadable."""
    dashed = pipeline.examine(_make(tmp_path, {}, {C("target_90", 4): "-", C("achieved", 5): "-"}), today=TODAY)
    (tmp_path / "nei").mkdir()
    written = pipeline.examine(_make(tmp_path / "nei", {}, {C("target_90", 4): "নেই", C("achieved", 5): "নাই"}),
                               today=TODAY)
    assert written.result.status == "valid" and not written.result.issues, written.result.issues
    assert written.result.score == dashed.result.score is not None


def test_empty_plan(tmp_path):
    result = pipeline.examine(_make(tmp_path, {}, {}, rows=[]), today=TODAY).result
    assert [(i.code, i.sheet, i.cell) for i in result.issues] == [("empty-plan", PLAN, "A4")]


def test_period_not_for_the_kind(tmp_path):
    path = _make(tmp_path, {"period": "১ম ত্রৈমাসিক"}, {}, kind="egov")
    result = pipeline.examine(path, today=TODAY).result
    rows = _letter_rows("egov")
    assert ("period-not-for-kind", LETTER, f"C{rows['period']}") in [(i.code, i.sheet, i.cell) for i in result.issues]


def test_a_reported_total_the_scores_contradict(tmp_path):
    """The office's own total (self_total) is a field of the kinds that carry their own scores (egov, nis)."""
    path = _make(tmp_path, {"period": "অর্ধবার্ষিক", "self_total": "৯৯"}, {}, kind="egov")
    result = pipeline.examine(path, today=TODAY).result
    cell = f"C{_letter_rows('egov')['self_total']}"
    assert ("self-total-differs", LETTER, cell) in [(i.code, i.sheet, i.cell) for i in result.issues]


def test_self_score_over_weight(tmp_path):
    rows = [dict(r) for r in ROWS]
    rows[0]["self_score"] = 12
    path = _make(tmp_path, {"period": "অর্ধবার্ষিক"}, {}, kind="egov", rows=rows)
    result = pipeline.examine(path, today=TODAY).result
    assert ("self-score-over-weight", PLAN, C("self_score", 4, "egov")) in [(i.code, i.sheet, i.cell) for i in result.issues]


def test_renamed_plan_column(tmp_path):
    path = _make(tmp_path, {}, {C("target_90", 1): "target_ninety"})
    result = pipeline.examine(path, today=TODAY).result
    assert [(i.code, i.sheet, i.cell) for i in result.issues][0] == ("missing-columns", PLAN, "1:1")


def test_plan_workbook_that_says_it_is_minutes(tmp_path):
    issue = pipeline.examine(_make(tmp_path, {"kind": "minutes"}, {}), today=TODAY).result.issues[0]
    assert (issue.code, issue.sheet) == ("missing-sheet", "সিদ্ধান্ত")


@pytest.mark.parametrize("sheet", [LETTER, PLAN])
def test_missing_sheet(tmp_path, sheet):
    path = _make(tmp_path, {}, {})
    wb = load_workbook(path)
    del wb[sheet]
    wb.save(path)
    issue = pipeline.examine(path, today=TODAY).result.issues[0]
    assert (issue.code, issue.sheet) == ("missing-sheet", sheet)


@pytest.mark.parametrize("name, content, code", [
    ("text.xlsx", b"just some text", "not-a-workbook"),
    ("truncated.xlsx", b"PK\x03\x04\x14\x00\x00\x00broken", "not-a-workbook"),
    ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password-protected"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "unsupported-format"),
    ("sheet.ods", b"PK\x03\x04", "unsupported-format"),
    ("plan.csv", "ক্ষেত্র,মান\n".encode(), "unsupported-format"),
])
def test_unusable_files(tmp_path, name, content, code):
    path = tmp_path / name
    path.write_bytes(content)
    result = pipeline.examine(path, today=TODAY).result
    assert result.status == "rejected" and result.issues[0].code == code
    assert path.read_bytes() == content


def test_thousands_of_rows(tmp_path):
    rows = [dict(ROWS[1], indicator_no=f"১.১.{i}") for i in range(1, 1102)]
    path = _make(tmp_path, {}, {}, rows=rows)
    issue = pipeline.examine(path, today=TODAY).result.issues[0]
    assert (issue.code, issue.sheet) == ("too-many-rows", PLAN)


def test_corpus_is_big_enough():
    assert len(LETTER_CASES) + len(PLAN_CASES) + 15 >= 30


CELL_VALUES = st.one_of(
    st.none(), st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30),  # what a cell can hold st.text(alphabet="০১২৩৪৫৬৭৮৯%/.-টি ", max_size=12),
    st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 1, 1)), st.booleans(),
    st.sampled_from(["-", "প্রযোজ্য নয়", "৮০%", "১২০%", "৪টি", "৩১/০২/২০২৩", "=1+1", "[১.১.১]", "সংখ্যা", "তারিখ"]),
)
PLAN_COLUMNS = string.ascii_uppercase[:len(kinds.CC.columns)]


@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date")  # openpyxl, reading the fuzzed file here
@settings(max_examples=int(os.environ.get("GEN_FUZZ_EXAMPLES", 40)), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(letter=st.dictionaries(st.sampled_from(sorted(k for k, f in LETTER_FIELDS.items() if f.belongs_to(kinds.CC.columns))),
                             CELL_VALUES, max_size=8),
       cells=st.dictionaries(st.tuples(st.sampled_from(PLAN_COLUMNS), st.integers(4, 9)), CELL_VALUES, max_size=25))
@example(letter={}, cells={(C("achieved", 6)[0], 6): -6.357961409219941e+162})  # made calamine panic (CI, 2026-11)
@example(letter={"memo_serial": "²", "attachment_count": "³"}, cells={})  # '²'.isdigit() is True (make fuzz)
@example(letter={"memo_serial": 9.223372036854776e+18}, cells={})  # beyond SQLite's integers (make fuzz)
@example(letter={}, cells={("K", 4): 1.7976931348623155e+308})  # a target made infinite by its share (a 2026-12 run)
@example(letter={}, cells={("K", 4): "1" + "0" * 400})  # typed digits beyond a float: infinite
def test_random_values_never_crash(tmp_path, letter, cells):
    path = filling.fill(XLSX_DIR / "cc.xlsx", tmp_path / "fuzz.xlsx", {**MYMENSINGH, **letter}, ROWS)
    wb = load_workbook(path)
    for (col, row), value in cells.items():
        wb[PLAN][f"{col}{row}"] = value
    wb.save(path)
    result = pipeline.build(path, out_root=tmp_path / "out", state_dir=tmp_path / "state", today=TODAY)
    assert result.status in ("built", "rejected")
    assert all(i.bn and i.en for i in result.issues)


def test_number_no_date_can_hold_is_named(tmp_path):
    """calamine panics on a huge number in a date-formatted cell; the reader falls back and names the cell."""
    path = _make(tmp_path, {}, {})
    wb = load_workbook(path)
    assert wb[PLAN][C("achieved", 6)].is_date
    wb[PLAN][C("achieved", 6)] = -6.357961409219941e+162
    wb.save(path)
    result = pipeline.build(path, out_root=tmp_path / "out", state_dir=tmp_path / "state", today=TODAY)
    assert result.status == "rejected"
    assert [(i.sheet, i.cell) for i in result.issues if i.severity == "error"] == [(PLAN, C("achieved", 6))]


def test_a_number_no_date_can_hold_leaves_the_terminal_clean(tmp_path):
    """The same file through gen build, whose workers share its terminal: calamine's panic message (Rust prints it
    before pyo3 raises) and openpyxl's warning, marking the copy up, were printed there before the finding."""
    path = _make(tmp_path, {}, {C("achieved", 6): -6.357961409219941e+162})
    run = subprocess.run([sys.executable, "-m", "generator.cli", "build", str(path), "--out", str(tmp_path / "out"),
                          "--state", str(tmp_path / "state")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and f"{PLAN}!{C('achieved', 6)} (bad-achievement)" in run.stdout, run.stdout
    assert run.stderr == ""


def test_what_rust_prints_while_calamine_reads_is_kept_off_stderr_in_a_worker_only():
    """In a process of one thread (a worker) the reader's stderr is quiet while calamine opens and reads a file
    (Rust writes a panic's or an allocation failure's message there itself), and back at once after; where other
    threads run (a server), it is left alone."""
    code = ("import os, threading, time\n"
            "from generator.xlsx.reading import _panic_unsaid\n"
            "with _panic_unsaid():\n    os.write(2, b'hidden ')\n"
            "os.write(2, b'after ')\n"
            "threading.Thread(target=time.sleep, args=(1,)).start()\n"
            "with _panic_unsaid():\n    os.write(2, b'threaded')\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stderr == "after threaded", run.stderr


def test_a_column_or_row_the_office_inserted_moves_the_cells_named(tmp_path):
    """The reader finds the key column and the key row by their contents, not their position."""
    path = _make(tmp_path, {"office_name": None}, {C("indicator", 4): None})
    wb = load_workbook(path)
    wb[LETTER].insert_cols(1)
    wb[PLAN].insert_rows(1)
    wb.save(path)
    issues = pipeline.examine(path, today=TODAY).result.issues
    moved = {(i.code, i.sheet, i.cell) for i in issues if i.severity == "error"}
    assert moved == {("missing-field", LETTER, f"D{ROW_OF['office_name']}"), ("missing-value", PLAN, C("indicator", 5))}


def test_nis_quarter_done_after_the_period(tmp_path):
    """The integrity strategy's quarter columns are checked too: a 1st-quarter report claiming 10 October."""
    from tests.support.workbooks import NIS_ROWS

    rows = [dict(r) for r in NIS_ROWS]
    rows[1]["q1_achieved"] = "১০/১০/২০২২"
    path = _make(tmp_path, {"period": "১ম ত্রৈমাসিক"}, {}, kind="nis", rows=rows)
    result = pipeline.examine(path, today=TODAY).result
    late = [(i.severity, i.code, i.sheet, i.cell) for i in result.issues if i.code.startswith("achieved-after")]
    assert late == [("warning", "achieved-after-period", PLAN, C("q1_achieved", 5, "nis"))]
    assert result.status == "valid"


def test_an_empty_file_is_told_as_empty(tmp_path):
    """Found by a hostile run: 0 bytes was told 'not an .xlsx workbook, or damaged'; it was sent before it was
    saved. The code stays not-a-workbook."""
    path = tmp_path / "খালি.xlsx"
    path.write_bytes(b"")
    [issue] = pipeline.examine(path, today=TODAY).result.issues
    assert issue.code == "not-a-workbook" and "empty (0 bytes)" in issue.en and "খালি" in issue.bn


def test_nis_quarter_cells_are_checked_against_the_unit(tmp_path):
    """Found by a look at extreme plans: the integrity strategy's year and quarter cells were never checked:
    ১৫০% in a count row scored as 1.5 meetings, text as nothing, a 300% target went by; each silently."""
    from tests.support.workbooks import NIS_ROWS

    rows = [dict(r) for r in NIS_ROWS]
    rows[0].update(q2_achieved="১৫০%", q3_achieved="অনেক", q4_target="৩")
    rows.append(dict(rows[0], activity_no="১.৩", activity="সভা", indicator="হার", unit="%", weight=0,
                     annual_target="১০০%", q1_target="৩০০%", q1_achieved="৫০%", q2_target="-", q2_achieved="-",
                     q3_target="-", q3_achieved="-", q4_target="-", q4_achieved="-"))
    path = _make(tmp_path, {"period": "৪র্থ ত্রৈমাসিক"}, {}, kind="nis", rows=rows)
    result = pipeline.examine(path, today=TODAY).result
    errors = {(i.code, i.cell) for i in result.issues if i.severity == "error"}
    first = 4  # the plan's first row (NIS_ROWS[1] is on row 5, as the test above says)
    assert errors == {("bad-achievement", C("q2_achieved", first, "nis")),
                      ("bad-achievement", C("q3_achieved", first, "nis")),
                      ("percent-over-100", C("q1_target", first + 2, "nis"))}, result.issues
    [told] = [i for i in result.issues if i.cell == C("q2_achieved", first, "nis")]
    assert "is a percentage, but this indicator's unit is 'সংখ্যা'" in told.en and "শতাংশ" in told.bn


def test_a_nis_row_with_its_unit_left_blank_takes_it_from_its_year_and_quarter_targets(tmp_path):
    """Found by a re-attack: with the unit blank, a row of percentages was guessed a count (the guess looked at the
    level targets, which nis has not), and its quarter cells were then refused as percentages in a count row."""
    from tests.support.workbooks import NIS_ROWS

    rows = [dict(NIS_ROWS[0], unit=None, annual_target="১০০%", q1_target="১০০%", q1_achieved="৯০%", q2_target="১০০%",
                 q2_achieved="১০০%", q3_target="১০০%", q3_achieved="-", q4_target="১০০%", q4_achieved="-"),
            NIS_ROWS[1]]
    path = _make(tmp_path, {"period": "২য় ত্রৈমাসিক"}, {}, kind="nis", rows=rows)
    result = pipeline.examine(path, today=TODAY).result
    assert result.status == "valid", result.issues
    assert [i.code for i in result.issues if i.cell == C("unit", 4, "nis")] == ["missing-unit"]
    assert result.score["rows"][0]["score"] == 3.8  # averaged as percentages: 95% of weight 4, not summed as counts
