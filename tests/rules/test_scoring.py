"""Scoring: seed 004 row by row, and the properties of the method (hypothesis)."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openpyxl.utils import get_column_letter

from generator.xlsx import examples
from generator.spec import kinds
from generator.service import pipeline
from generator.model import PlanRow
from generator.spec.paths import EXAMPLES_DIR
from generator.rules.scoring import score_row
from generator.text.values import parse


def column(kind, key):
    return get_column_letter(kinds.KINDS[kind].columns.index(key) + 1)

# indicator: (computed score, office's score flagged?)
SEED_004 = {
    "[১.১.১]": (None, False),   # target 04/05/2023 after the half-year: not yet due; office wrote -
    "[১.২.১]": (0.0, True),     # done 24/11/2022, after the 13/10/2022 target; office wrote 2
    "[১.৫.১]": (7.0, False),    # done 31/12/2022, before the target date
    "[১.৬.১]": (4.0, True),     # 60% achieved of a 60% target; office wrote 2
    "[১.৬.২]": (None, True),    # not applicable: left out; office wrote 4
    "[১.৬.৩]": (3.0, True),     # 1 of the half-year's share (1 of 2); office wrote 1
    "[২.১.১]": (3.0, False),    # 1 of the half-year's share (2 of 4)
    "[২.২.১]": (1.5, True),     # 1 of 2; office wrote 1
    "[২.২.২]": (1.31, True),    # 35% of 80% × 3 = 1.3125; office wrote 1.50
    "[২.২.৩]": (3.0, False),    # sent 10/01/2023, before 15/01/2023 (but after the letter: warned)
    "[২.২.৪]": (None, True),    # target 31/01/2023 after the half-year: not yet due; office wrote 2
    "[২.২.৫]": (None, False),   # not yet due; office wrote -
}


@pytest.fixture(scope="module")
def seed004(tmp_path_factory):
    path = examples.write(EXAMPLES_DIR / "rejected" / "egov-khulna-2022-23-h1.json", tmp_path_factory.mktemp("s4") / "egov.xlsx")
    return pipeline.examine(path, today=dt.date(2023, 1, 9)).result


def test_seed_004_rows(seed004):
    rows = {r["indicator_no"]: r for r in seed004.score["rows"]}
    assert list(rows) == list(SEED_004)
    flagged = {i.cell for i in seed004.issues if i.code == "self-score-differs"}
    for no, (score, is_flagged) in SEED_004.items():
        assert rows[no]["score"] == score, (no, rows[no])
        assert rows[no]["explanation"]
        assert (f"{column('egov', 'self_score')}{rows[no]['row']}" in flagged) == is_flagged, no


def test_seed_004_totals_and_the_office_mistakes(seed004):
    assert seed004.score["total"] == 22.81 and seed004.score["possible"] == 31.0
    assert seed004.score["percent"] == 73.58
    codes = [(i.code, i.sheet, i.cell) for i in seed004.issues]
    assert ("area-weight-mismatch", "কর্মপরিকল্পনা", "C4") in codes
    assert ("area-weight-mismatch", "কর্মপরিকল্পনা", "C10") in codes
    total = next(i for i in seed004.issues if i.code == "self-total-differs")
    assert "31.5" in total.en and "26.5" in total.en and "22.81" in total.en
    assert seed004.status == "rejected"


def test_seed_004_achievement_after_the_letter_is_warned(seed004):
    """[২.২.৩] reports 10/01/2023 as done in a letter dated 09/01/2023: a warning at that cell, the score as written."""
    row = next(r for r in seed004.score["rows"] if r["indicator_no"] == "[২.২.৩]")
    found = [i for i in seed004.issues if i.code == "achieved-after-issue-date"]
    assert [(i.severity, i.sheet, i.cell) for i in found] == [("warning", "কর্মপরিকল্পনা", f"{column('egov', 'achieved')}{row['row']}")]
    assert "১০/০১/২০২৩" in found[0].bn and "2023-01-09" in found[0].en


def test_seed_001_achievements_after_the_period_and_the_letter():
    result = pipeline.examine(EXAMPLES_DIR / "egov-mymensingh-2022-23-h1.xlsx", today=dt.date(2023, 1, 5)).result
    rows = {r["indicator_no"]: r["row"] for r in result.score["rows"]}
    late = {(i.code, i.cell) for i in result.issues if i.code.startswith("achieved-after")}
    col = column("egov", "achieved")
    assert late == {("achieved-after-period", f"{col}{rows['[২.২.৩]']}"),       # 04/01/23, the half-year ended 31/12/22
                    ("achieved-after-issue-date", f"{col}{rows['[২.২.৪]']}")}  # 31/01/23 in a letter of 05/01/23


def test_explanation_names_the_level():
    row = _row(["5", "3", "2", "1", "-"], "3", unit="সংখ্যা", weight="5")
    scored = score_row(row, share=1.0, period_end=None)
    assert scored.score == 4.5
    assert scored.explanation == "সমষ্টি: অর্জন ৩ = ৯০% স্তরের লক্ষ্যমাত্রা → ৯০% × ৫ = ৪.৫০"


@pytest.mark.parametrize("na", ["প্রযোজ্য নয়", "প্রযোজ্য ন\u09df", " প্রযোজ্য ন\u09df "])
def test_not_applicable_in_either_form_of_ya(na):
    """নয় typed with য় as one character (U+09DF) is not applicable too, as it is with য + nukta (NFC)."""
    assert parse(na).empty
    scored = score_row(_row(["5", "3", "2", "1", "-"], na, unit="সংখ্যা", weight="5"), share=1.0, period_end=None)
    assert scored.score is None
    assert scored.explanation == "সমষ্টি: অর্জন: প্রযোজ্য নয় → গণনায় নেই"

@pytest.mark.parametrize("none", ["নেই", " নাই ", "-"])
def test_nei_is_none_as_a_dash_is(none):
    """Found by a hostile run: `নেই` ("there is none") in a target cell was refused as unreadable. It is a dash:
    a target level left out, and as an achievement nothing achieved (0), never left out of the score."""
    assert parse(none).empty
    scored = score_row(_row(["5", none, "2", "1", "-"], "2", unit="সংখ্যা", weight="5"), share=1.0, period_end=None)
    assert scored.score == 4.0  # 2 meets the 80% level; the 90% level is none
    nothing = score_row(_row(["5", "3", "2", "1", "-"], none, unit="সংখ্যা", weight="5"), share=1.0, period_end=None)
    assert nothing.score == 0.0


def _row(targets, achieved, unit, weight="10", counting=None):
    keys = ["target_100", "target_90", "target_80", "target_70", "target_60"]
    cells = {k: parse(v) for k, v in zip(keys, targets)}
    cells.update(unit=parse(unit), weight=parse(weight), achieved=parse(achieved), indicator_no=parse("1.1.1"))
    if counting is not None:
        cells["counting"] = parse(counting)
    return PlanRow(4, cells, {})


# Properties -----------------------------------------------------------------------------

LEVEL_PCTS = [1.0, 0.9, 0.8, 0.7, 0.6]


@st.composite
def number_plans(draw):
    """Five strictly falling targets (some levels blank), a weight, and two achievements."""
    top = draw(st.integers(5, 400))
    steps = sorted(draw(st.lists(st.integers(1, top), min_size=4, max_size=4, unique=True)), reverse=True)
    values = [top] + steps
    values = sorted(set(values), reverse=True)[:5]
    while len(values) < 5:
        values.append(max(0, values[-1] - 1))
    blank = draw(st.lists(st.booleans(), min_size=5, max_size=5))
    blank[0] = False
    targets = ["-" if b else str(v) for v, b in zip(values, blank)]
    if targets.count("-") == 4:
        targets[1] = str(values[1])
    weight = draw(st.integers(1, 20))
    a, b = sorted(draw(st.lists(st.integers(0, top * 2), min_size=2, max_size=2)))
    return targets, weight, a, b


def _score(targets, achieved, unit, weight):
    return score_row(_row(targets, achieved, unit, str(weight)), share=1.0, period_end=None).score


@settings(max_examples=300, deadline=None)
@given(number_plans())
def test_numbers_monotonic_and_bounded(plan):
    targets, weight, a, b = plan
    sa, sb = _score(targets, str(a), "সংখ্যা", weight), _score(targets, str(b), "সংখ্যা", weight)
    assert 0 <= sa <= sb <= weight


@settings(max_examples=300, deadline=None)
@given(number_plans())
def test_numbers_hit_the_level_percentages(plan):
    targets, weight, _, _ = plan
    for t, pct in zip(targets, LEVEL_PCTS):
        if t != "-" and targets.count("-") < 4:
            assert _score(targets, t, "সংখ্যা", weight) == round(pct * weight, 2)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 100), min_size=5, max_size=5, unique=True), st.integers(1, 20),
       st.integers(0, 100), st.integers(0, 100))
def test_percentages(values, weight, a, b):
    targets = [f"{v}%" for v in sorted(values, reverse=True)]
    a, b = sorted((a, b))
    sa, sb = _score(targets, f"{a}%", "%", weight), _score(targets, f"{b}%", "%", weight)
    assert 0 <= sa <= sb <= weight
    for t, pct in zip(targets, LEVEL_PCTS):
        assert _score(targets, t, "%", weight) == round(pct * weight, 2)


@settings(max_examples=200, deadline=None)
@given(st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)),
       st.lists(st.integers(1, 30), min_size=4, max_size=4), st.integers(1, 20),
       st.integers(-40, 200), st.integers(-40, 200))
def test_dates_earlier_is_better(first, gaps, weight, x, y):
    dates = [first]
    for g in gaps:
        dates.append(dates[-1] + dt.timedelta(days=g))
    targets = [d.strftime("%d/%m/%Y") for d in dates]
    early, late = sorted((x, y))
    s_early = _score(targets, (first + dt.timedelta(days=early)).strftime("%d/%m/%Y"), "তারিখ", weight)
    s_late = _score(targets, (first + dt.timedelta(days=late)).strftime("%d/%m/%Y"), "তারিখ", weight)
    assert 0 <= s_late <= s_early <= weight
    for t, pct in zip(targets, LEVEL_PCTS):
        assert _score(targets, t, "তারিখ", weight) == round(pct * weight, 2)


def test_single_target_is_proportional():
    assert _score(["4", "-", "-", "-", "-"], "3", "সংখ্যা", 8) == 6.0
    assert _score(["4", "-", "-", "-", "-"], "9", "সংখ্যা", 8) == 8.0
    assert _score(["10/10/2023", "-", "-", "-", "-"], "11/10/2023", "তারিখ", 5) == 0.0
    assert _score(["10/10/2023", "-", "-", "-", "-"], "10/10/2023", "তারিখ", 5) == 5.0


def test_below_the_lowest_level_is_zero():
    assert _score(["4", "3", "2", "1", "-"], "0", "সংখ্যা", 10) == 0.0
    assert _score(["৮০%", "৭০%", "৬০%", "৫৫%", "৫০%"], "৪০%", "%", 3) == 0.0


def test_docs_between_two_levels_example():
    """docs/scoring.md: annual targets 10, 8, 6, 4, 2 and 9 held by the annual report: halfway from 90% to 100%."""
    row = _row(["১০", "৮", "৬", "৪", "২"], "৯", unit="সংখ্যা", weight="৬")
    scored = score_row(row, share=1.0, period_end=dt.date(2023, 6, 30), period_name="বার্ষিকের")
    assert scored.score == 5.7
    assert scored.explanation == "সমষ্টি: অর্জন ৯ ১০০% (১০) ও ৯০% (৮) স্তরের মাঝে → ৯৫% × ৬ = ৫.৭০"


def test_seed_001_total():
    path = EXAMPLES_DIR / "egov-mymensingh-2022-23-h1.xlsx"
    result = pipeline.examine(path, today=dt.date(2023, 1, 5)).result
    assert result.status == "valid"
    assert (result.score["total"], result.score["possible"], result.score["percent"]) == (26.0, 33.0, 78.79)
    assert [a["score"] for a in result.score["areas"]] == [9.0, 17.0]


def test_an_indicator_due_with_its_achievement_left_blank_is_told_not_silently_left_out(tmp_path):
    """Found by a review against domain.md: a blank achievement on a due indicator left it out of the total and of
    what was possible with no word, so a blank cell scored better than an honest '-' (zero)."""
    import json

    data = json.loads((EXAMPLES_DIR / "egov-mymensingh-2022-23-h1.json").read_text(encoding="utf-8"))
    blank, dash = 3, 1  # [১.৩.১] 40 % and [১.২.১] done 20/09/22: both due by the half-year, both scored
    data["rows"][blank]["achieved"], data["rows"][dash]["achieved"] = "", "-"
    source = tmp_path / "w.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = pipeline.examine(examples.write(source, tmp_path / "w.xlsx")).result
    told = [f for f in result.issues if f.code == "achievement-blank"]
    assert len(told) == 1 and told[0].severity == "warning" and told[0].cell is not None
    assert data["rows"][blank]["indicator_no"] in told[0].bn and "'-'" in told[0].en
    by_no = {r["indicator_no"]: r["score"] for r in result.score["rows"]}
    assert by_no[data["rows"][blank]["indicator_no"]] is None and by_no[data["rows"][dash]["indicator_no"]] == 0


def test_a_blank_indicator_weight_is_warned_at_its_cell(tmp_path):
    """helper-45: a blank মান was taken silently: the indicator went unscored, its annex cell empty, and its area's
    weight was no longer checked against its indicators'. Now a warning at the cell says so."""
    import json

    data = json.loads((EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json").read_text(encoding="utf-8"))
    data["rows"][2]["weight"] = ""
    source = tmp_path / "blank.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = pipeline.examine(examples.write(source, tmp_path / "blank.xlsx"), today=dt.date(2023, 10, 10)).result
    found = [(i.severity, i.sheet, i.cell) for i in result.issues if i.code == "weight-blank"]
    assert found == [("warning", "কর্মপরিকল্পনা", f"{column('cc', 'weight')}{kinds.KINDS['cc'].first_row + 2}")]
    assert [r["score"] for r in result.score["rows"]][2] is None
