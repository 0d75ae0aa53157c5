"""Scores: each indicator's, each area's, the total, with a one-line reason per row. See docs/scoring.md."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import cast

from generator.text import bangla
from generator.spec.columns import COUNTING, DEFAULT_COUNTING, LEVELS, UNIT_COUNT, UNIT_DATE, UNIT_PERCENT
from generator.spec.kinds import BY_LEVELS, BY_QUARTERS
from generator.model import PlanRow, Report
from generator.text.values import NONE_WORDS, Value, format_number

DATE, PERCENT, COUNT = UNIT_DATE, UNIT_PERCENT, UNIT_COUNT
NOT_APPLICABLE = {"প্রযোজ্য নয়", "প্রযোজ্য ন\u09df", "n/a", "na"}


@dataclass(frozen=True)
class RowScore:
    row: int
    indicator_no: str
    weight: float | None
    score: float | None  # None: not scored (not yet due, not applicable, nothing to score)
    explanation: str
    explanation_en: str
    office_score: Value | None = None
    due_but_blank: bool = False  # due by the period's end, its achievement cell left empty: left out, and told

    def as_dict(self) -> dict:
        return {"indicator_no": self.indicator_no, "weight": self.weight, "score": self.score,
                "explanation": self.explanation, "explanation_en": self.explanation_en, "row": self.row}


@dataclass
class AreaScore:
    number: str
    name: str
    weight: float | None
    score: float = 0.0
    possible: float = 0.0

    def as_dict(self) -> dict:
        return {"number": self.number, "name": self.name, "weight": self.weight,
                "score": round(self.score, 2), "possible": round(self.possible, 2)}


@dataclass
class ScoreCard:
    rows: list[RowScore] = field(default_factory=list)
    areas: list[AreaScore] = field(default_factory=list)

    @property
    def total(self) -> float:
        return round(sum(r.score for r in self.rows if r.score is not None), 2)

    @property
    def possible(self) -> float:
        return round(sum(r.weight or 0 for r in self.rows if r.score is not None), 2)

    @property
    def percent(self) -> float | None:
        return round(100 * self.total / self.possible, 2) if self.possible else None

    def as_dict(self) -> dict:
        return {"total": self.total, "possible": self.possible, "percent": self.percent,
                "areas": [a.as_dict() for a in self.areas], "rows": [r.as_dict() for r in self.rows]}


# Method -----------------------------------------------------------------------------------

SUM, AVERAGE, CUMULATIVE, BY_DATE = COUNTING
COUNTING_EN = {SUM: "sum", AVERAGE: "average", CUMULATIVE: "cumulative", BY_DATE: "date"}
_SHARE_TEXT = {Fraction(1, 4): "¼", Fraction(1, 2): "½", Fraction(3, 4): "¾"}


def _word_key(text: str) -> str:
    """NFC (ড় typed as ড + nukta is the same word), no joiners or spaces, lower case."""
    text = unicodedata.normalize("NFC", text).lower()
    return "".join(ch for ch in text if ch not in " \t\n\u200c\u200d")


_COUNTING_WORDS = {
    **{_word_key(w): w for w in COUNTING},
    **{_word_key(w): m for m, words in ((SUM, ("sum", "যোগফল")), (AVERAGE, ("average", "avg", "mean")),
                                         (CUMULATIVE, ("cumulative", "ক্রমপুঞ্জীভূত")), (BY_DATE, ("date",)))
       for w in words},
}


def counting_word(text: str) -> str | None:
    """The counting method a cell names: '' for a blank cell, None for a word that is not one of them."""
    if not (text or "").strip():
        return ""
    return _COUNTING_WORDS.get(_word_key(text))


def counting_of(row: PlanRow, unit: str) -> str | None:
    """The row's counting method, the unit's default when the cell is blank; None for an unknown word."""
    word = counting_word(row.text("counting"))
    if word is None:
        return None
    return word or DEFAULT_COUNTING[unit]


def counting_fits(counting: str, unit: str) -> bool:
    """তারিখ goes with a date unit, and only with it."""
    return (counting == BY_DATE) == (unit == DATE)


def year_to_date(period) -> Fraction:
    """The part of the year from its start to the end of `period`: ¼ by Q1, ½ by Q2 and the half-year, ¾ by Q3,
    all of it by Q4 and in the annual report."""
    return Fraction(max(period.quarters), 4) if period else Fraction(1)


def share_text(share: Fraction) -> str:
    return _SHARE_TEXT.get(share) or bangla.to_bangla_digits(f"{share.numerator}/{share.denominator}")


def due_by(target: float, share: Fraction, *, whole: bool) -> float:
    """The part of an annual target due by the end of the period. A whole count of events (`whole`) is due
    one whole event at a time: the share rounded down, so no target is ever a fraction of an event."""
    due = Fraction(target).limit_denominator(10**6) * share
    if whole and float(target).is_integer():
        return float(math.floor(due))
    return float(due)


def unit_of(row: PlanRow) -> str:
    unit = row.text("unit")
    if unit in (DATE, PERCENT, COUNT):
        return unit
    # guessed from the targets: the levels', or the year's and the quarters' of a plan kept by quarter (nis)
    targets = [row.value(k) for k in (*(k for k, *_ in LEVELS), "annual_target", *(f"q{q}_target" for q in range(1, 5)))]
    if any(v.date for v in targets):
        return DATE
    if any(v.percent for v in targets):
        return PERCENT
    return COUNT


def levels(row: PlanRow, unit: str) -> list[tuple[float, Value]]:
    """(level percentage, target) for the levels the plan fills in, from 100% down."""
    out = []
    for key, _, _, pct in LEVELS:
        v = row.value(key)
        if v.empty:
            continue
        if (unit == DATE and v.date) or (unit != DATE and v.number is not None):
            out.append((pct, v))
    return out


def number(v: Value, unit: str) -> float | None:
    """A target or achievement as a number; for percentages a fraction, whether typed 80% or 80."""
    if v.number is None:
        return None
    if unit == PERCENT and not v.percent and v.number > 1.5:
        return v.number / 100
    return v.number


def _pct(p: float) -> str:
    return bangla.to_bangla_digits(format(round(p * 100, 2), "g")) + "%"


def _n(x: float) -> str:
    return format_number(x)


def _score_text(pct: float, weight: float) -> tuple[str, str]:
    score = round(pct * weight, 2)
    bn = f"{_pct(pct)} × {_n(weight)} = {bangla.to_bangla_digits(f'{score:.2f}')}"
    return bn, f"{round(pct * 100, 2):g}% × {weight:g} = {score:.2f}"


def _interpolate(a: float, points: list[tuple[float, float]], earlier_is_better: bool) -> tuple[float, str, int]:
    """Percentage for achievement `a` given (level %, target) points from 100% down.

    Returns the percentage, how it was found ('top', 'level', 'between', 'below'), and the index
    of the level reached (for 'between', the higher of the two)."""
    sign = -1 if earlier_is_better else 1
    a = sign * a
    pts = [(p, sign * t) for p, t in points]
    if a >= pts[0][1]:
        return pts[0][0], "top", 0
    for i, ((p_hi, t_hi), (p_lo, t_lo)) in enumerate(zip(pts, pts[1:])):
        if a == t_lo:
            return p_lo, "level", i + 1
        if t_lo < a < t_hi:
            return p_lo + (p_hi - p_lo) * (a - t_lo) / (t_hi - t_lo), "between", i
    return 0.0, "below", len(pts) - 1


def _ordered(values: Sequence[float], earlier_is_better: bool) -> bool:
    pairs = list(zip(values, values[1:]))
    return all(b >= a for a, b in pairs) if earlier_is_better else all(b <= a for a, b in pairs)


def _row_result(row: PlanRow, no: str):
    """The row's weight, and a maker of its RowScore from (score, Bangla reason, English reason)."""
    weight = row.value("weight").number

    def result(score, bn, en):
        return RowScore(row.row, no or f"row {row.row}", weight, score, bn, en, row.cells.get("self_score"))

    return weight, result


def _counting_problem(row: PlanRow, counting: str | None, unit: str, result):
    """A RowScore saying why the row is not scored when its counting method is unknown or does not fit its unit."""
    if counting is None:
        return result(None, f"গণনা পদ্ধতি '{row.text('counting')}' চেনা নয় → স্কোর হয় না",
                      "unknown counting method → not scored")
    if not counting_fits(counting, unit):
        return result(None, f"গণনা পদ্ধতি {counting} একক {unit}-এর সাথে মেলে না → স্কোর হয় না",
                      f"counting {COUNTING_EN[counting]} does not fit the unit → not scored")
    return None


def _tagged(result, counting: str):
    """Every explanation starts with the counting method: 'সমষ্টি: …' / 'sum: …'."""
    return lambda score, bn, en: result(score, f"{counting}: {bn}", f"{COUNTING_EN[counting]}: {en}")


def score_row(row: PlanRow, *, share: float | Fraction, period_end: dt.date | None, period_name: str = "") -> RowScore:
    """Score one indicator. `share` is the part of the year from its start to the end of the period
    (year_to_date), `period_name` the period in the genitive (অর্ধবার্ষিকের) for the explanation."""
    weight, result = _row_result(row, row.text("indicator_no"))
    if weight is None:
        return result(None, "মান নেই → স্কোর হয় না", "no weight → not scored")
    unit = unit_of(row)
    given = levels(row, unit)
    achieved = row.value("achieved")
    if not given:
        return result(None, "লক্ষ্যমাত্রা নেই → স্কোর হয় না", "no target → not scored")
    counting = counting_of(row, unit)
    problem = _counting_problem(row, counting, unit, result)
    if problem:
        return problem
    assert counting is not None  # an unknown method is a problem, answered above
    result = _tagged(result, counting)
    share = Fraction(share).limit_denominator(100)
    top = given[0][1]
    if unit == DATE and period_end and top.date and top.date > period_end and not achieved.date:
        return result(None, f"লক্ষ্যমাত্রা {bangla.format_short_date(top.date)} এই সময়ের পরে → এখনো সময় হয়নি, গণনায় নেই",
                      f"target {top.date.isoformat()} falls after the period → not yet due, left out")

    if unit != DATE:
        annual = cast("list[float]", [number(v, unit) for _, v in given])  # levels() keeps only numbers
        if not _ordered(annual, earlier_is_better=False):
            return result(None, "লক্ষ্যমাত্রা ক্রমানুসারে নেই → স্কোর হয় না", "targets out of order → not scored")
        scale = share if counting == SUM else Fraction(1)
        whole = unit == COUNT
        due = [due_by(t, scale, whole=whole) for t in annual]
        floored = whole and any(t * scale != d for t, d in zip(annual, due))
        points = [(p, d) for (p, _), t, d in zip(given, annual, due) if not (d <= 0 < t)]  # levels not yet due drop
        whose = f"বার্ষিক {_n(annual[0])}-এর" if len(given) == 1 else "বার্ষিক লক্ষ্যমাত্রার"
        part = (f" ({whose} {share_text(scale)}{', পূর্ণ সংখ্যায়' if floored else ''}: "
                f"{period_name or 'এই সময়ের'} শেষ পর্যন্ত দেয়)") if scale != 1 else ""
        part_en = (f" ({share_text(scale)} of the annual target{', rounded down to whole events' if floored else ''},"
                   " due by the end of the period)") if scale != 1 else ""
        if counting == CUMULATIVE and share != 1:
            part, part_en = " (চলমান অবস্থা, পূর্ণ লক্ষ্যমাত্রার সাথে)", " (running level, against the full target)"
        if not points:  # the share has not yet reached one whole event
            a = number(achieved, unit)
            not_yet = f"বার্ষিক {_n(annual[0])}-এর {share_text(scale)} এখনো একটি পূর্ণ সংখ্যায় পৌঁছায়নি"
            if achieved.text.strip().lower() not in NOT_APPLICABLE and a is not None and a > 0:
                bn_s, en_s = _score_text(1.0, weight)
                return result(float(weight), f"অর্জন {_n(a)}; {not_yet}, তবু অর্জিত → {bn_s}",
                              f"achieved {a:g} though the {share_text(scale)} share of the annual {annual[0]:g} "
                              f"is not yet a whole event → {en_s}")
            return result(None, f"{not_yet} → এখনো সময় হয়নি, গণনায় নেই",
                          f"the {share_text(scale)} share of the annual {annual[0]:g} is not yet a whole event "
                          "→ not yet due, left out")
    if achieved.text.strip().lower() in NOT_APPLICABLE:
        return result(None, "অর্জন: প্রযোজ্য নয় → গণনায় নেই", "achievement: not applicable → left out")
    if not achieved.text.strip():
        return replace(result(None, "অর্জন লেখা নেই → স্কোর হয় না", "no achievement given → not scored"),
                       due_but_blank=True)
    if achieved.empty:
        return result(0.0, "অর্জন নেই (-) → ০", "nothing achieved (-) → 0")

    if unit == DATE:
        if achieved.date is None:
            return result(None, f"অর্জন '{achieved.display}' তারিখ নয় → স্কোর হয় না", "achievement is not a date → not scored")
        dates = [v.date.toordinal() for _, v in given if v.date]  # levels() keeps only dates: none dropped
        if not _ordered(dates, earlier_is_better=True):
            return result(None, "লক্ষ্যমাত্রার তারিখ ক্রমানুসারে নেই → স্কোর হয় না", "target dates out of order → not scored")
        a_text = bangla.format_short_date(achieved.date)
        assert top.date is not None  # levels() keeps only dates
        if len(given) == 1:
            pct = 1.0 if achieved.date <= top.date else 0.0
            rel = "≤" if pct else ">"
            bn_s, en_s = _score_text(pct, weight)
            return result(round(pct * weight, 2),
                          f"অর্জন {a_text} {rel} লক্ষ্যমাত্রা {bangla.format_short_date(top.date)} → {bn_s}",
                          f"achieved {achieved.date} {'on time' if pct else 'after the date'} → {en_s}")
        pct, how, at = _interpolate(achieved.date.toordinal(), [(p, d) for (p, _), d in zip(given, dates)], True)
        shown = [bangla.format_short_date(v.date) for _, v in given if v.date]
        return _level_result(result, pct, how, at, a_text, [p for p, _ in given], shown, weight, dates=True)

    a = number(achieved, unit)
    if a is None:
        return result(None, f"অর্জন '{achieved.display}' সংখ্যা নয় → স্কোর হয় না", "achievement is not a number → not scored")
    fmt = (lambda x: _n(x * 100) + "%") if unit == PERCENT else _n
    fmt_en = (lambda x: f"{x * 100:g}%") if unit == PERCENT else (lambda x: f"{x:g}")
    if len(points) == 1:
        t = points[0][1]
        pct = 1.0 if t <= 0 else max(0.0, min(1.0, a / t))
        bn_s, en_s = _score_text(pct, weight)
        return result(round(pct * weight, 2), f"অর্জন {fmt(a)} ÷ লক্ষ্যমাত্রা {fmt(t)}{part} → {bn_s}",
                      f"achieved {fmt_en(a)} / target {fmt_en(t)}{part_en} → {en_s}")
    pct, how, at = _interpolate(a, points, False)
    shown = [fmt(t) for _, t in points]
    return _level_result(result, pct, how, at, fmt(a), [p for p, _ in points], shown, weight, part=part, part_en=part_en)


def _level_result(result, pct, how, at, a_text, pcts, shown, weight, *, dates=False, part="", part_en=""):
    """One line saying which level the achievement reached, e.g. 'অর্জন ৩ = ৯০% স্তরের লক্ষ্যমাত্রা → ৯০% × ৫ = ৪.৫০'."""
    bn_s, en_s = _score_text(pct, weight)
    ge, lt = ("≤", ">") if dates else ("≥", "<")
    level = f"{_pct(pcts[at])} স্তরের লক্ষ্যমাত্রা"
    if how == "top":
        bn = f"অর্জন {a_text} {ge} {level} {shown[0]}{part} → {bn_s}"
    elif how == "level":
        bn = f"অর্জন {a_text} = {level}{part} → {bn_s}"
    elif how == "between":
        bn = (f"অর্জন {a_text} {_pct(pcts[at])} ({shown[at]}) ও {_pct(pcts[at + 1])} ({shown[at + 1]}) "
              f"স্তরের মাঝে{part} → {bn_s}")
    else:
        bn = f"অর্জন {a_text} {lt} সর্বনিম্ন {level} {shown[at]}{part} → ০"
    en = {"top": "at or beyond the 100% target", "level": "exactly at a level's target",
          "between": "between two levels, linear", "below": "below the lowest level"}[how]
    return result(round(pct * weight, 2), bn, f"achieved {en}{part_en} → {en_s}")


# The integrity strategy (nis): a target and an achievement per quarter --------------------------

def quarterly_counting(row: PlanRow, unit: str) -> str | None:
    """As counting_of, except that a blank cell on a percentage row whose quarterly targets add up to the
    annual target (shares of it) means সমষ্টি."""
    word = counting_word(row.text("counting"))
    if word == "" and unit == PERCENT and _shares_of_annual(row, unit):
        return SUM
    return counting_of(row, unit)


def _latest(row: PlanRow, part: str, unit: str, quarters) -> float | None:
    vals = [number(row.value(f"q{q}_{part}"), unit) for q in quarters]
    return next((v for v in reversed(vals) if v is not None), None)


def quarter_totals(row: PlanRow, unit: str, quarters, counting: str | None = None) -> tuple[float | None, float | None]:
    """Targets and achievements over `quarters` by the counting method: summed (সমষ্টি), averaged (গড়), or for
    ক্রমপুঞ্জিভূত the annual target and the latest achievement written."""
    counting = counting or quarterly_counting(row, unit) or DEFAULT_COUNTING[unit]

    def collect(part):
        vals = [number(row.value(f"q{q}_{part}"), unit) for q in quarters]
        return [v for v in vals if v is not None]

    if counting == CUMULATIVE:
        annual = number(row.value("annual_target"), unit)
        return (annual if annual is not None else _latest(row, "target", unit, range(1, 5))), \
            _latest(row, "achieved", unit, quarters)
    t, a = collect("target"), collect("achieved")
    if counting == AVERAGE:
        return (sum(t) / len(t) if t else None), (sum(a) / len(a) if a else None)
    return (sum(t) if t else None), (sum(a) if a else None)


def _shares_of_annual(row: PlanRow, unit: str) -> bool:
    """Quarterly percentages that add up to the annual target (২২.৫% + ২৫% + ২০% + ৩২.৫% = ১০০%) are
    shares to be summed; otherwise (১০০% every quarter) they are rates to be averaged."""
    annual = number(row.value("annual_target"), unit)
    quarters = [n for n in (number(row.value(f"q{q}_target"), unit) for q in range(1, 5)) if n is not None]
    return annual is not None and len(quarters) == 4 and abs(sum(quarters) - annual) < 1e-6 and len(set(quarters)) > 1


def score_quarterly(row: PlanRow, *, last_quarter: int, period_end: dt.date | None) -> RowScore:
    """The integrity-strategy way: targets and achievements per quarter, compared up to the period's end."""
    weight, result = _row_result(row, row.text("activity_no") or row.text("indicator_no"))
    if weight is None:
        return result(None, "মান নেই → স্কোর হয় না", "no weight → not scored")
    unit = unit_of(row) if row.text("unit") else (DATE if row.value("annual_target").date else COUNT)
    counting = quarterly_counting(row, unit)
    problem = _counting_problem(row, counting, unit, result)
    if problem:
        return problem
    assert counting is not None  # an unknown method is a problem, answered above
    result = _tagged(result, counting)
    quarters = range(1, last_quarter + 1)
    achieved = [row.value(f"q{q}_achieved") for q in quarters]
    if any(v.text.strip().lower() in NOT_APPLICABLE for v in achieved):
        return result(None, "অর্জন: প্রযোজ্য নয় → গণনায় নেই", "achievement: not applicable → left out")
    if unit == DATE:
        due = row.value("annual_target").date
        dates = [v.date for v in achieved if v.date]
        done = sum(v.number or 0 for v in achieved if v.date is None)
        if dates:
            first = min(dates)
            ok = due is None or first <= due
            bn_s, en_s = _score_text(1.0 if ok else 0.0, weight)
            return result(round(weight if ok else 0.0, 2),
                          f"সম্পন্ন {bangla.format_short_date(first)} {'≤' if ok else '>'} লক্ষ্যমাত্রা "
                          f"{bangla.format_short_date(due) if due else ''} → {bn_s}", f"done {first} → {en_s}")
        if done > 0:
            bn_s, en_s = _score_text(1.0, weight)
            return result(float(weight), f"সম্পন্ন (অর্জন {_n(done)}) → {bn_s}", f"done → {en_s}")
        if due and period_end and due > period_end:
            return result(None, f"লক্ষ্যমাত্রা {bangla.format_short_date(due)} এই সময়ের পরে → এখনো সময় হয়নি, গণনায় নেই",
                          "target date after the period → not yet due, left out")
        if all(not v.text.strip() for v in achieved):
            return result(None, "অর্জন লেখা নেই → স্কোর হয় না", "no achievement given → not scored")
        return result(0.0, "নির্ধারিত তারিখে সম্পন্ন হয়নি → ০", "not done by the date → 0")
    span = f"{bangla.ordinal(1)}–{bangla.ordinal(last_quarter)} কোয়ার্টার" if last_quarter > 1 else "১ম কোয়ার্টার"
    span_en = f"quarters 1–{last_quarter}"
    target, got = quarter_totals(row, unit, quarters, counting)
    planned = any(row.value(f"q{q}_target").text.strip() for q in range(1, 5))
    if counting == SUM and not planned:  # no quarterly targets at all: the year-to-date share of the annual one
        annual = number(row.value("annual_target"), unit)
        target = None if annual is None else due_by(annual, Fraction(last_quarter, 4), whole=unit == COUNT)
    elif counting == SUM and target is None and planned:
        target = 0.0  # quarterly targets are given, and those up to now are all '-': nothing due yet
    elif target is None and counting == AVERAGE:
        target = number(row.value("annual_target"), unit)
    if counting == CUMULATIVE:
        span, span_en = "সর্বশেষ অবস্থা, পূর্ণ লক্ষ্যমাত্রার সাথে", "latest level, against the full target"
    if target is None:
        return result(None, "লক্ষ্যমাত্রা নেই → স্কোর হয় না", "no target → not scored")
    fmt = (lambda x: _n(x * 100) + "%") if unit == PERCENT else _n
    if target <= 0:
        if got is not None and got > 0:
            bn_s, en_s = _score_text(1.0, weight)
            return result(float(weight), f"অর্জন {fmt(got)}; এই সময় পর্যন্ত লক্ষ্যমাত্রা নেই, তবু অর্জিত → {bn_s}",
                          f"achieved {got:g} with nothing yet due → {en_s}")
        return result(None, "এই সময় পর্যন্ত লক্ষ্যমাত্রা শূন্য → এখনো সময় হয়নি, গণনায় নেই",
                      "nothing due by the period → not yet due, left out")
    if got is None and any(v.text.strip() for v in achieved):
        got = 0.0  # written, and every cell a dash: nothing achieved
    if got is None:
        return result(None, "অর্জন লেখা নেই → স্কোর হয় না", "no achievement given → not scored")
    pct = max(0.0, min(1.0, got / target))
    bn_s, en_s = _score_text(pct, weight)
    return result(round(pct * weight, 2), f"অর্জন {fmt(got)} ÷ লক্ষ্যমাত্রা {fmt(target)} ({span}) → {bn_s}",
                  f"achieved {got:g} / target {target:g} ({span_en}) → {en_s}")


@dataclass(frozen=True)
class Span:
    """The report's period, as a row's score needs it."""

    share: float | Fraction  # of the annual target due by the period's end
    end: dt.date | None
    name: str  # the period's name in the genitive, for explanations
    last_quarter: int


def by_levels(row: PlanRow, span: Span) -> RowScore:
    """The five target levels (the APA's method): cc, grs, rti, egov."""
    return score_row(row, share=span.share, period_end=span.end, period_name=span.name)


def by_quarters(row: PlanRow, span: Span) -> RowScore:
    """A target and an achievement per quarter: the integrity strategy (nis)."""
    return score_quarterly(row, last_quarter=span.last_quarter, period_end=span.end)


SCORERS = {BY_LEVELS: by_levels, BY_QUARTERS: by_quarters}  # a kind names its method (Kind.scoring)


def score_report(report: Report) -> ScoreCard:
    card = ScoreCard()
    if report.kind.scoring is None:
        return card
    scorer = SCORERS[report.kind.scoring]
    period_end = None
    if report.period and report.fiscal_year:
        period_end = bangla.period_span(report.period, report.fiscal_year)[1]
    span = Span(year_to_date(report.period), period_end, report.period.genitive if report.period else "",
                max(report.period.quarters) if report.period else 4)
    areas: dict[tuple[str, str], AreaScore] = {}
    for row in report.rows:
        scored = scorer(row, span)
        card.rows.append(scored)
        key = (row.text("area_no"), row.text("area"))
        area = areas.get(key)
        if area is None:
            area = areas[key] = AreaScore(key[0], key[1], row.value("area_weight").number)
            card.areas.append(area)
        if scored.score is not None:
            area.score += scored.score
            area.possible += scored.weight or 0
    return card


def office_number(value: Value | None) -> float | None:
    """The office's own score as a number; None for blank or a dash."""
    if value is None or value.text.strip().lower() in NONE_WORDS:
        return None
    return value.number
