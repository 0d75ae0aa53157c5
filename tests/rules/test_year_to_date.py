"""The period (year to date) and each indicator's counting method (গণনা পদ্ধতি): docs/scoring.md."""

import datetime as dt
import re
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from generator.text import bangla
from generator.spec import kinds
from generator.service import pipeline
from generator.xlsx import filling
from generator.model import PlanRow
from generator.spec.paths import XLSX_DIR
from generator.rules.scoring import counting_word, quarter_totals, score_quarterly, score_row, year_to_date
from generator.text.values import parse
from tests.support.workbooks import MYMENSINGH, ROWS

PERIOD = {p.id: p for p in bangla.PERIODS}
FY = bangla.parse_fiscal_year("2022-23")
SHARES = {"q1": Fraction(1, 4), "q2": Fraction(1, 2), "h1": Fraction(1, 2), "q3": Fraction(3, 4), "q4": Fraction(1),
          "annual": Fraction(1)}


def row(targets, achieved, unit="সংখ্যা", weight="8", counting=None, **more):
    keys = ["target_100", "target_90", "target_80", "target_70", "target_60"]
    cells = {k: parse(v) for k, v in zip(keys, targets)}
    cells.update(unit=parse(unit), weight=parse(weight), indicator_no=parse("[১.১.১]"), **{k: parse(v) for k, v in more.items()})
    if achieved is not None:
        cells["achieved"] = parse(achieved)
    if counting is not None:
        cells["counting"] = parse(counting)
    return PlanRow(4, cells, {})


def score(r, period):
    p = PERIOD[period]
    return score_row(r, share=year_to_date(p), period_end=bangla.period_span(p, FY)[1], period_name=p.genitive)


def test_year_to_date_share_of_every_period():
    assert {p.id: year_to_date(p) for p in bangla.PERIODS} == SHARES


# সমষ্টি: the part of the annual target due by the end of the period ------------------------------

@pytest.mark.parametrize("period, achieved, expected", [
    ("q1", "১", 8.0), ("q2", "১", 4.0), ("h1", "১", 4.0), ("q3", "২", 8 * 2 / 3), ("q4", "৩", 6.0), ("annual", "৩", 6.0),
    ("q2", "২", 8.0), ("q3", "৩", 8.0), ("q4", "৪", 8.0),
])
def test_a_count_is_compared_with_its_year_to_date_share(period, achieved, expected):
    """Annual target ৪ meetings: ১ due by Q1, ২ by Q2 and the half-year, ৩ by Q3, ৪ by Q4 and the year.
    Three held scores 6 of 8 in the 4th quarter (it scored full marks when every quarter was ¼)."""
    scored = score(row(["৪", "-", "-", "-", "-"], achieved), period)
    assert scored.score == round(expected, 2)
    due = int(4 * SHARES[period])
    assert f"লক্ষ্যমাত্রা {bangla.to_bangla_digits(due)}" in scored.explanation
    assert scored.explanation.startswith("সমষ্টি: ")


@pytest.mark.parametrize("period", ["q1", "q2", "h1", "q3"])
def test_once_a_year_is_not_due_before_the_4th_quarter(period):
    """One workshop a year: its share is no whole event before Q4, so the row is not counted unless already held."""
    for nothing in ("-", "০", None):
        scored = score(row(["১", "-", "-", "-", "-"], nothing), period)
        assert scored.score is None, (nothing, scored)
        assert "এখনো সময় হয়নি" in scored.explanation and "not yet due" in scored.explanation_en
    held = score(row(["১", "-", "-", "-", "-"], "১"), period)
    assert held.score == 8.0 and "তবু অর্জিত" in held.explanation
    assert not re.search(r"[০-৯]\.[০-৯]", held.explanation.rsplit(" → ", 1)[0])  # no ০.২৫ of a workshop


@pytest.mark.parametrize("period", ["q4", "annual"])
def test_once_a_year_is_due_by_the_end_of_the_year(period):
    assert score(row(["১", "-", "-", "-", "-"], "-"), period).score == 0.0
    assert score(row(["১", "-", "-", "-", "-"], "১"), period).score == 8.0


def test_shares_are_rounded_down_to_whole_events():
    """Annual ৩ at the half-year: ½ of ৩ is no whole number, so ১ is due (not ১.৫)."""
    scored = score(row(["৩", "-", "-", "-", "-"], "১"), "h1")
    assert scored.score == 8.0
    assert scored.explanation == ("সমষ্টি: অর্জন ১ ÷ লক্ষ্যমাত্রা ১ (বার্ষিক ৩-এর ½, পূর্ণ সংখ্যায়: অর্ধবার্ষিকের শেষ পর্যন্ত দেয়) "
                                  "→ ১০০% × ৮ = ৮.০০")


def test_levels_not_yet_a_whole_event_are_left_out():
    """Annual levels ৪, ৩, ২, ১ by Q1: only the 100% level reaches a whole event (১); the others are not yet due."""
    assert score(row(["৪", "৩", "২", "১", "-"], "০"), "q1").score == 0.0
    assert score(row(["৪", "৩", "২", "১", "-"], "১"), "q1").score == 8.0
    # by Q3: ৩, ২ (২.২৫), ১ (১.৫), ০ (dropped)
    scored = score(row(["৪", "৩", "২", "১", "-"], "২"), "q3")
    assert scored.score == 7.2 and "৯০% স্তরের লক্ষ্যমাত্রা" in scored.explanation


def test_a_fraction_that_is_not_a_count_keeps_its_share():
    """A summed percentage (money spent, in shares of the year) is due pro rata, not rounded."""
    scored = score(row(["৮০%", "-", "-", "-", "-"], "৪০%", unit="%", counting="সমষ্টি"), "h1")
    assert scored.score == 8.0 and "লক্ষ্যমাত্রা ৪০%" in scored.explanation


# The other counting methods ----------------------------------------------------------------------

@pytest.mark.parametrize("period", list(SHARES))
def test_average_is_compared_as_written(period):
    scored = score(row(["৮০%", "-", "-", "-", "-"], "৬০%", unit="%"), period)
    assert scored.score == 6.0 and scored.explanation.startswith("গড়: অর্জন ৬০% ÷ লক্ষ্যমাত্রা ৮০%")
    typed = score(row(["৪", "-", "-", "-", "-"], "৩", counting="গড়"), period)  # e.g. an average of days
    assert typed.score == 6.0


@pytest.mark.parametrize("period", list(SHARES))
def test_cumulative_is_compared_with_the_full_target(period):
    """A running level (services digitised so far: ৬০ of ১০০) is measured against all ১০০ in any period."""
    scored = score(row(["১০০", "-", "-", "-", "-"], "৬০", counting="ক্রমপুঞ্জিভূত"), period)
    assert scored.score == 4.8
    assert scored.explanation.startswith("ক্রমপুঞ্জিভূত: অর্জন ৬০ ÷ লক্ষ্যমাত্রা ১০০")
    assert scored.explanation_en.startswith("cumulative: ")


def test_date_is_by_the_date():
    on_time = score(row(["১৫/১২/২০২২", "-", "-", "-", "-"], "১০/১২/২০২২", unit="তারিখ"), "h1")
    late = score(row(["১৫/১২/২০২২", "-", "-", "-", "-"], "২০/১২/২০২২", unit="তারিখ"), "h1")
    ahead = score(row(["১৫/০৫/২০২৩", "-", "-", "-", "-"], "-", unit="তারিখ", counting="তারিখ"), "h1")
    assert (on_time.score, late.score, ahead.score) == (8.0, 0.0, None)
    assert on_time.explanation.startswith("তারিখ: ")


@pytest.mark.parametrize("typed, meant", [
    ("", ""), ("  ", ""), ("সমষ্টি", "সমষ্টি"), ("গড়", "গড়"), ("গড\u09bc", "গড়"), (" ক্রমপুঞ্জিভূত ", "ক্রমপুঞ্জিভূত"),
    ("ক্রমপুঞ্জীভূত", "ক্রমপুঞ্জিভূত"), ("তারিখ", "তারিখ"), ("Average", "গড়"), ("sum", "সমষ্টি"), ("মোট", None), ("%", None),
])
def test_counting_words(typed, meant):
    assert counting_word(typed) == meant


def test_blank_counting_is_the_units_default():
    assert kinds.DEFAULT_COUNTING == {"সংখ্যা": "সমষ্টি", "%": "গড়", "তারিখ": "তারিখ"}
    count, rate = row(["৪", "-", "-", "-", "-"], "১"), row(["৮০%", "-", "-", "-", "-"], "৪০%", unit="%")
    assert score(count, "h1").score == 4.0 and score(rate, "h1").score == 4.0  # ½ of ৪ due; ৪০% of ৮০% as written


def test_unknown_or_unfitting_counting_is_not_scored():
    assert score(row(["৪", "-", "-", "-", "-"], "১", counting="মোট"), "h1").score is None
    assert score(row(["৪", "-", "-", "-", "-"], "১", counting="তারিখ"), "h1").score is None
    assert score(row(["১৫/১২/২০২২", "-", "-", "-", "-"], "১০/১২/২০২২", unit="তারিখ", counting="গড়"), "h1").score is None


# The integrity strategy (nis): a column per quarter, year to date by its own sums -----------------

def nis(unit="সংখ্যা", annual="৪", counting=None, **quarters):
    cells = {"activity_no": parse("১.১"), "weight": parse("৪"), "unit": parse(unit), "annual_target": parse(annual)}
    cells.update({k: parse(v) for k, v in quarters.items()})
    if counting is not None:
        cells["counting"] = parse(counting)
    return PlanRow(4, cells, {})


def test_nis_sums_the_quarters_up_to_the_report():
    r = nis(q1_target="১", q1_achieved="১", q2_target="১", q2_achieved="-", q3_target="১", q4_target="১")
    assert score_quarterly(r, last_quarter=1, period_end=None).score == 4.0
    scored = score_quarterly(r, last_quarter=2, period_end=None)
    assert scored.score == 2.0 and scored.explanation.startswith("সমষ্টি: অর্জন ১ ÷ লক্ষ্যমাত্রা ২ (১ম–২য় কোয়ার্টার)")


def test_nis_without_quarterly_targets_takes_the_whole_events_due():
    once = nis(annual="১", q1_achieved="-")
    assert score_quarterly(once, last_quarter=1, period_end=None).score is None
    assert score_quarterly(nis(annual="১", q4_achieved="-"), last_quarter=4, period_end=None).score == 0.0
    assert score_quarterly(nis(annual="৪", q1_achieved="১", q2_achieved="১"), last_quarter=3, period_end=None).score == \
        round(4 * 2 / 3, 2)


def test_nis_quarters_planned_later_are_not_yet_due():
    r = nis(annual="১", q1_target="-", q2_target="-", q3_target="১", q1_achieved="-")
    assert score_quarterly(r, last_quarter=1, period_end=None).score is None
    early = nis(annual="১", q1_target="-", q3_target="১", q1_achieved="১")
    assert score_quarterly(early, last_quarter=1, period_end=None).score == 4.0


def test_nis_percentages_average_or_add_up_as_shares():
    rate = nis("%", "১০০%", q1_target="১০০%", q1_achieved="৮০%", q2_target="১০০%", q2_achieved="১০০%")
    assert score_quarterly(rate, last_quarter=2, period_end=None).score == 3.6  # average ৯০%
    shares = nis("%", "১০০%", q1_target="২০%", q1_achieved="২০%", q2_target="৩০%", q2_achieved="১০%",
                 q3_target="২৫%", q4_target="২৫%")
    assert score_quarterly(shares, last_quarter=2, period_end=None).score == 2.4  # ৩০% of ৫০%
    assert "লক্ষ্যমাত্রা ৫০%" in score_quarterly(shares, last_quarter=2, period_end=None).explanation
    averaged = nis("%", "১০০%", counting="গড়", q1_target="২০%", q1_achieved="২০%", q2_target="৩০%", q2_achieved="১০%",
                   q3_target="২৫%", q4_target="২৫%")
    scored = score_quarterly(averaged, last_quarter=2, period_end=None)
    assert scored.explanation.startswith("গড়: অর্জন ১৫% ÷ লক্ষ্যমাত্রা ২৫%")


def test_nis_cumulative_takes_the_latest_level_against_the_annual_target():
    r = nis(annual="১০০", counting="ক্রমপুঞ্জিভূত", q1_target="৩০", q1_achieved="৩০", q2_target="৬০", q2_achieved="৫৫")
    scored = score_quarterly(r, last_quarter=2, period_end=None)
    assert scored.score == 2.2 and "অর্জন ৫৫ ÷ লক্ষ্যমাত্রা ১০০" in scored.explanation
    assert quarter_totals(r, "সংখ্যা", range(1, 5)) == (100.0, 55.0)  # the annex's মোট column


# Properties -------------------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.integers(1, 40), st.lists(st.integers(0, 40), min_size=4, max_size=4), st.integers(0, 60),
       st.integers(1, 20), st.sampled_from(list(SHARES)))
def test_counts_never_show_a_fraction_of_an_event(top, drops, achieved, weight, period):
    targets = [top]
    for d in drops:
        targets.append(max(0, targets[-1] - d))
    cells = [str(t) if i == 0 or t > 0 else "-" for i, t in enumerate(targets)]
    scored = score(row(cells, str(achieved), weight=str(weight)), period)
    head = scored.explanation.rsplit(" → ", 1)[0]
    assert not re.search(r"[০-৯]\.[০-৯]", head), scored.explanation
    assert scored.score is None or 0 <= scored.score <= weight


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 40), st.integers(0, 60), st.integers(1, 20))
def test_a_single_count_target_asks_no_less_as_the_year_goes_on(top, achieved, weight):
    """The same achievement never scores more later in the year (the share due only grows)."""
    scores = [score(row([str(top), "-", "-", "-", "-"], str(achieved), weight=str(weight)), p).score
              for p in ("q1", "q2", "q3", "q4")]
    known = [s for s in scores if s is not None]
    assert known == sorted(known, reverse=True)
    assert scores[-1] is not None


# The workbook ------------------------------------------------------------------------------------

def _plan_header(kind):
    plan = load_workbook(XLSX_DIR / f"{kind}.xlsx")[kinds.KINDS[kind].sheets[1]]
    return {c.value: c.column_letter for c in plan[1] if c.value}, plan


@pytest.mark.parametrize("kind", ["cc", "egov", "grs", "rti", "nis"])
def test_every_plan_workbook_has_the_counting_dropdown(kind):
    keys, plan = _plan_header(kind)
    assert "counting" in keys
    col = keys["counting"]
    lists = [dv for dv in plan.data_validations.dataValidation if f"{col}4" in str(dv.sqref)]
    assert len(lists) == 1 and lists[0].formula1 == '"সমষ্টি,গড়,ক্রমপুঞ্জিভূত,তারিখ"' and lists[0].allow_blank
    assert "ফাঁকা" in plan[f"{col}2"].value  # the hint says what blank means
    guide = "\n".join(str(c.value) for c in load_workbook(XLSX_DIR / f"{kind}.xlsx")["নির্দেশনা"]["A"])
    assert "অর্থবছরের শুরু থেকে এই সময় পর্যন্ত অর্জন" in guide and "ক্রমপুঞ্জিভূত" in guide


@pytest.mark.parametrize("kind", ["cc", "egov", "grs", "rti"])
def test_the_achievement_column_says_year_to_date(kind):
    keys, plan = _plan_header(kind)
    assert "অর্থবছরের শুরু থেকে এই সময় পর্যন্ত অর্জন" in plan[f"{keys['achieved']}2"].value


def test_a_workbook_from_before_the_counting_column_still_reads(tmp_path):
    """Offices keep filling the earlier blank workbook: no `counting` column means every row takes its default."""
    path = filling.fill(XLSX_DIR / "cc.xlsx", tmp_path / "old.xlsx", MYMENSINGH, ROWS)
    wb = load_workbook(path)
    plan = wb["কর্মপরিকল্পনা"]
    keys = {c.value: c.column for c in plan[1] if c.value}
    plan.delete_cols(keys["counting"])
    wb.save(path)
    old = pipeline.examine(path, today=dt.date(2023, 1, 10)).result
    new = pipeline.examine(filling.fill(XLSX_DIR / "cc.xlsx", tmp_path / "new.xlsx", MYMENSINGH, ROWS),
                           today=dt.date(2023, 1, 10)).result
    assert old.status == "valid" and not old.issues
    assert old.score == new.score


def test_counting_in_the_workbook_changes_the_score(tmp_path):
    """End to end: the Q4 report of ৪ meetings a year with ৩ held, then the same row marked ক্রমপুঞ্জিভূত at Q2."""
    rows = [dict(ROWS[0], area_weight=10, target_90="-", target_80="-", target_70="-", achieved=3)]
    q4 = filling.fill(XLSX_DIR / "cc.xlsx", tmp_path / "q4.xlsx", dict(MYMENSINGH, period="৪র্থ ত্রৈমাসিক"), rows)
    result = pipeline.examine(q4, today=dt.date(2023, 7, 10)).result
    assert result.score["rows"][0]["score"] == 7.5  # ৩ of ৪ × 10
    q2 = filling.fill(XLSX_DIR / "cc.xlsx", tmp_path / "q2.xlsx", MYMENSINGH, [dict(rows[0], counting="ক্রমপুঞ্জিভূত")])
    result = pipeline.examine(q2, today=dt.date(2023, 1, 10)).result
    assert result.status == "valid" and result.score["rows"][0]["score"] == 7.5
    summed = pipeline.examine(filling.fill(XLSX_DIR / "cc.xlsx", tmp_path / "s.xlsx", MYMENSINGH, rows),
                              today=dt.date(2023, 1, 10)).result
    assert summed.score["rows"][0]["score"] == 10.0  # ২ due by Q2, ৩ held


DOC_EXAMPLES = [  # docs/scoring.md, "one per period" and "one per counting method": the lines as the service writes them
    (row(["৪", "-", "-", "-", "-"], "২"), "q1"), (row(["৪", "-", "-", "-", "-"], "২"), "q2"),
    (row(["৩", "-", "-", "-", "-"], "১", weight="৩"), "h1"), (row(["৪", "-", "-", "-", "-"], "২"), "q3"),
    (row(["১", "-", "-", "-", "-"], "-"), "q3"), (row(["১", "-", "-", "-", "-"], "১"), "q3"),
    (row(["৪", "-", "-", "-", "-"], "২"), "q4"), (row(["১০", "৮", "৬", "৪", "২"], "৯", weight="৬"), "annual"),
    (row(["৪", "৩", "২", "১", "-"], "৩", weight="৫"), "q3"),
    (row(["৮০%", "৭০%", "৬০%", "-", "-"], "৬৫%", unit="%", weight="৪"), "q1"),
    (row(["১০০", "৯০", "৮০", "-", "-"], "৮৫", weight="৪", counting="ক্রমপুঞ্জিভূত"), "q2"),
    (row(["১৫/১০/২০২২", "৩১/১০/২০২২", "-", "-", "-"], "২০/১০/২০২২", unit="তারিখ", weight="৪"), "h1"),
]


def test_the_worked_examples_in_the_docs_are_what_the_service_writes():
    from generator.spec.paths import ROOT

    doc = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    for r, period in DOC_EXAMPLES:
        assert f"`{score(r, period).explanation}`" in doc, (period, score(r, period).explanation)
    cumulative = nis(annual="১০০", counting="ক্রমপুঞ্জিভূত", q1_target="৩০", q1_achieved="৩০", q2_target="৬০", q2_achieved="৫৫")
    assert f"`{score_quarterly(cumulative, last_quarter=2, period_end=None).explanation}`" in doc


def test_a_blank_issue_date_is_the_build_date_for_late_achievements(tmp_path):
    """`gen build --date` stands for a blank issue date in the after-the-fact check too."""
    import datetime as dt

    from generator.service import pipeline
    from tests.support.workbooks import fill_cc
    from tests.support.workbooks import MYMENSINGH, ROWS

    path = fill_cc(tmp_path, MYMENSINGH, ROWS)  # achieved 10/12/2022, the letter's date left blank
    codes = lambda result: [i.code for i in result.issues]  # noqa: E731
    early = pipeline.build(path, out_root=tmp_path / "a", state_dir=tmp_path / "s", default_date=dt.date(2022, 12, 5))
    assert early.ok and "achieved-after-issue-date" in codes(early)
    later = pipeline.build(path, out_root=tmp_path / "b", state_dir=tmp_path / "t", default_date=dt.date(2023, 1, 5))
    assert later.ok and "achieved-after-issue-date" not in codes(later)
