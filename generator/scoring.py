"""Scores: each indicator's, each area's, the total, with a one-line reason per row. See docs/scoring.md."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import bangla
from .kinds import LEVELS
from .model import PlanRow, Report
from .values import NONE_WORDS, Value, format_number

DATE, PERCENT, COUNT = "তারিখ", "%", "সংখ্যা"
NOT_APPLICABLE = {"প্রযোজ্য নয়", "প্রযোজ্য নয়", "n/a", "na"}


@dataclass(frozen=True)
class RowScore:
    row: int
    indicator_no: str
    weight: float | None
    score: float | None  # None: not scored (not yet due, not applicable, nothing to score)
    explanation: str
    explanation_en: str
    office_score: Value | None = None

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

def unit_of(row: PlanRow) -> str:
    unit = row.text("unit")
    if unit in (DATE, PERCENT, COUNT):
        return unit
    targets = [row.value(k) for k, *_ in LEVELS]
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


def _ordered(values: list[float], earlier_is_better: bool) -> bool:
    pairs = list(zip(values, values[1:]))
    return all(b >= a for a, b in pairs) if earlier_is_better else all(b <= a for a, b in pairs)


def _row_result(row: PlanRow, no: str):
    """The row's weight, and a maker of its RowScore from (score, Bangla reason, English reason)."""
    weight = row.value("weight").number

    def result(score, bn, en):
        return RowScore(row.row, no or f"row {row.row}", weight, score, bn, en, row.cells.get("self_score"))

    return weight, result


def score_row(row: PlanRow, *, share: float, period_end: dt.date | None, period_name: str = "") -> RowScore:
    """Score one indicator. `share` is the part of an annual count target due by the end of the period,
    `period_name` the period in the genitive (অর্ধবার্ষিকের) for the explanation."""
    weight, result = _row_result(row, row.text("indicator_no"))
    if weight is None:
        return result(None, "মান নেই → স্কোর হয় না", "no weight → not scored")
    unit = unit_of(row)
    given = levels(row, unit)
    achieved = row.value("achieved")
    if not given:
        return result(None, "লক্ষ্যমাত্রা নেই → স্কোর হয় না", "no target → not scored")
    top = given[0][1]
    if unit == DATE and period_end and top.date > period_end and not achieved.date:
        return result(None, f"লক্ষ্যমাত্রা {bangla.format_short_date(top.date)} এই সময়ের পরে → এখনো সময় হয়নি, গণনায় নেই",
                      f"target {top.date.isoformat()} falls after the period → not yet due, left out")
    if achieved.text.strip().lower() in NOT_APPLICABLE:
        return result(None, "অর্জন: প্রযোজ্য নয় → গণনায় নেই", "achievement: not applicable → left out")
    if not achieved.text.strip():
        return result(None, "অর্জন লেখা নেই → স্কোর হয় না", "no achievement given → not scored")
    if achieved.empty:
        return result(0.0, "অর্জন নেই (-) → ০", "nothing achieved (-) → 0")

    if unit == DATE:
        if achieved.date is None:
            return result(None, f"অর্জন '{achieved.display}' তারিখ নয় → স্কোর হয় না", "achievement is not a date → not scored")
        dates = [v.date.toordinal() for _, v in given]
        if not _ordered(dates, earlier_is_better=True):
            return result(None, "লক্ষ্যমাত্রার তারিখ ক্রমানুসারে নেই → স্কোর হয় না", "target dates out of order → not scored")
        a_text = bangla.format_short_date(achieved.date)
        if len(given) == 1:
            pct = 1.0 if achieved.date <= top.date else 0.0
            rel = "≤" if pct else ">"
            bn_s, en_s = _score_text(pct, weight)
            return result(round(pct * weight, 2),
                          f"অর্জন {a_text} {rel} লক্ষ্যমাত্রা {bangla.format_short_date(top.date)} → {bn_s}",
                          f"achieved {achieved.date} {'on time' if pct else 'after the date'} → {en_s}")
        pct, how, at = _interpolate(achieved.date.toordinal(), [(p, d) for (p, _), d in zip(given, dates)], True)
        shown = [bangla.format_short_date(v.date) for _, v in given]
        return _level_result(result, pct, how, at, a_text, [p for p, _ in given], shown, weight, dates=True)

    a = number(achieved, unit)
    if a is None:
        return result(None, f"অর্জন '{achieved.display}' সংখ্যা নয় → স্কোর হয় না", "achievement is not a number → not scored")
    scale = share if unit == COUNT else 1.0
    targets = [number(v, unit) * scale for _, v in given]
    if not _ordered(targets, earlier_is_better=False):
        return result(None, "লক্ষ্যমাত্রা ক্রমানুসারে নেই → স্কোর হয় না", "targets out of order → not scored")
    part = f" ({period_name} অংশ)" if scale != 1.0 else ""
    a_text = _n(a * 100) + "%" if unit == PERCENT else _n(a)
    if len(given) == 1:
        t = targets[0]
        pct = 1.0 if t <= 0 else max(0.0, min(1.0, a / t))
        t_text = _n(t * 100) + "%" if unit == PERCENT else _n(t)
        bn_s, en_s = _score_text(pct, weight)
        a_en, t_en = (f"{a * 100:g}%", f"{t * 100:g}%") if unit == PERCENT else (f"{a:g}", f"{t:g}")
        return result(round(pct * weight, 2), f"অর্জন {a_text} ÷ লক্ষ্যমাত্রা {t_text}{part} → {bn_s}",
                      f"achieved {a_en} / target {t_en}{' (share due by the period)' if part else ''} → {en_s}")
    pct, how, at = _interpolate(a, [(p, t) for (p, _), t in zip(given, targets)], False)
    shown = [_n(t * 100) + "%" if unit == PERCENT else _n(t) for t in targets]
    return _level_result(result, pct, how, at, a_text, [p for p, _ in given], shown, weight, part=part)


def _level_result(result, pct, how, at, a_text, pcts, shown, weight, *, dates=False, part=""):
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
    return result(round(pct * weight, 2), bn, f"achieved {en} → {en_s}")


def quarter_totals(row: PlanRow, unit: str, quarters) -> tuple[float | None, float | None]:
    """Targets and achievements over `quarters`: summed for counts, averaged for percentages."""
    def collect(part):
        vals = [number(row.value(f"q{q}_{part}"), unit) for q in quarters]
        return [v for v in vals if v is not None]

    t, a = collect("target"), collect("achieved")
    if unit == PERCENT and not _shares_of_annual(row, unit):
        return (sum(t) / len(t) if t else None), (sum(a) / len(a) if a else None)
    return (sum(t) if t else None), (sum(a) if a else None)


def _shares_of_annual(row: PlanRow, unit: str) -> bool:
    """Quarterly percentages that add up to the annual target (২২.৫% + ২৫% + ২০% + ৩২.৫% = ১০০%) are
    shares to be summed; otherwise (১০০% every quarter) they are rates to be averaged."""
    annual = number(row.value("annual_target"), unit)
    quarters = [number(row.value(f"q{q}_target"), unit) for q in range(1, 5)]
    return annual is not None and None not in quarters and abs(sum(quarters) - annual) < 1e-6 and len(set(quarters)) > 1


def score_quarterly(row: PlanRow, *, last_quarter: int, period_end: dt.date | None) -> RowScore:
    """The integrity-strategy way: targets and achievements per quarter, compared up to the period's end."""
    weight, result = _row_result(row, row.text("activity_no") or row.text("indicator_no"))
    if weight is None:
        return result(None, "মান নেই → স্কোর হয় না", "no weight → not scored")
    unit = unit_of(row) if row.text("unit") else (DATE if row.value("annual_target").date else COUNT)
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
    target, got = quarter_totals(row, unit, quarters)
    if target is None:
        annual = number(row.value("annual_target"), unit)
        if annual is None:
            return result(None, "লক্ষ্যমাত্রা নেই → স্কোর হয় না", "no target → not scored")
        target = annual if unit == PERCENT else annual * last_quarter / 4
    if got is None:
        return result(None, "অর্জন লেখা নেই → স্কোর হয় না", "no achievement given → not scored")
    if target <= 0:
        return result(None, "এই সময় পর্যন্ত লক্ষ্যমাত্রা শূন্য → গণনায় নেই", "nothing due by the period → left out")
    pct = max(0.0, min(1.0, got / target))
    fmt = (lambda x: _n(x * 100) + "%") if unit == PERCENT else _n
    span = f"{bangla.ordinal(1)}–{bangla.ordinal(last_quarter)} কোয়ার্টার" if last_quarter > 1 else "১ম কোয়ার্টার"
    bn_s, en_s = _score_text(pct, weight)
    return result(round(pct * weight, 2), f"অর্জন {fmt(got)} ÷ লক্ষ্যমাত্রা {fmt(target)} ({span}) → {bn_s}",
                  f"achieved {got:g} / target {target:g} (quarters 1–{last_quarter}) → {en_s}")


def period_share(report: Report) -> float:
    return len(report.period.quarters) / 4 if report.period else 1.0


def score_report(report: Report) -> ScoreCard:
    card = ScoreCard()
    if report.kind.scoring == "none":
        return card
    period_end = None
    if report.period and report.fiscal_year:
        period_end = bangla.period_span(report.period, report.fiscal_year)[1]
    share = period_share(report)
    name = report.period.genitive if report.period else ""
    areas: dict[tuple[str, str], AreaScore] = {}
    last_quarter = max(report.period.quarters) if report.period else 4
    for row in report.rows:
        if report.kind.scoring == "quarterly":
            scored = score_quarterly(row, last_quarter=last_quarter, period_end=period_end)
        else:
            scored = score_row(row, share=share, period_end=period_end, period_name=name)
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
