"""Checks on the plan table: codes, units, weights, targets, achievements, and the office's own scores."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace

import datetime as dt

from generator.spec import kinds
from generator.text.bangla import format_short_date, period_span, to_ascii_digits, to_bangla_digits
from generator.model import PlanRow, RawWorkbook, Report
from generator.spec.sheets import PLAN_SHEET
from generator.findings import Finding
from generator.rules.scoring import COUNTING_EN, DATE, PERCENT, ScoreCard, counting_fits, counting_word, number, office_number, unit_of
from generator.text import values
from generator.text.values import format_number
from generator.spec.codes import BAD_ACHIEVEMENT, BAD_NUMBER, CODE_NESTING, DUPLICATE_CODE, PERCENT_OVER_100

LEVEL_KEYS = [key for key, *_ in kinds.LEVELS]


def _error(code, bn, en, cell) -> Finding:
    return Finding("error", code, bn, en, PLAN_SHEET, cell)


def _warning(code, bn, en, cell) -> Finding:
    return Finding("warning", code, bn, en, PLAN_SHEET, cell)


def code_parts(code: str) -> tuple[str, ...]:
    """'[১.২.১]' → ('1', '2', '1'); '' → ()."""
    text = to_ascii_digits(code).strip().strip("[]() ").rstrip(".")
    return tuple(p.strip() for p in text.split(".")) if text else ()


class PlanChecks:
    def __init__(self, raw: RawWorkbook, report: Report, *, today: dt.date | None = None,
                 default_issue_date: dt.date | None = None):
        self.raw, self.report = raw, report
        self.out: list[Finding] = []
        # a blank issue date is `gen build --date`, else the day the letter is built
        self.issued = report.issue_date or default_issue_date or today
        self.period_end = period_span(report.period, report.fiscal_year)[1] \
            if report.period and report.fiscal_year else None

    def cell(self, row: PlanRow, key: str) -> str:
        return row.refs.get(key) or f"{self.raw.plan_columns.get(key, 'A')}{row.row}"

    def run(self) -> list[Finding]:
        sheet = self.raw.table_sheet
        return [replace(f, sheet=sheet) if f.sheet == PLAN_SHEET else f for f in self._run()]

    def _run(self) -> list[Finding]:
        rows, first = self.report.rows, self.report.kind.first_row
        if not rows:
            return [_error(
                "empty-plan",
                f"'{self.raw.table_sheet}' শিটে কোনো সারি নেই। {to_bangla_digits(first)} নম্বর সারি থেকে প্রতি সারিতে একটি করে লিখুন।",
                f"Sheet '{self.raw.table_sheet}' has no rows. Write one per row from row {first}.",
                f"A{first}",
            )]
        for row in rows:
            self.required(row)
            self.weights(row)
            self.unit(row)
            self.counting(row)
            self.targets(row)
            self.achievement(row)
            self.quarters(row)
            self.achieved_when(row)
        self.codes(rows)
        self.area_weights(rows)
        return self.out

    def required(self, row: PlanRow) -> None:
        for key in self.report.kind.required_columns:
            if not row.text(key):
                self.out.append(_error(
                    "missing-value",
                    f"সারি {to_bangla_digits(row.row)}: '{kinds.COLUMNS[key].header}' ফাঁকা। এখানে লিখুন।",
                    f"Row {row.row}: '{key}' is empty. Fill it in.",
                    self.cell(row, key),
                ))

    def weights(self, row: PlanRow) -> None:
        if self.report.kind.scored and "weight" in row.refs and row.value("weight").empty and row.text("indicator"):
            self.out.append(_warning(  # an indicator without a weight is not scored: its annex row shows no মান
                "weight-blank",
                "এই সূচকের মান (weight) ফাঁকা: সূচকটির স্কোর হবে না, আর এর ক্ষেত্রের মান সূচকগুলোর মানের যোগফলের "
                "সঙ্গে মেলানো যাবে না। সূচকের মান লিখুন।",
                "This indicator's weight is blank: it is not scored, and its area's weight cannot be checked "
                "against its indicators' weights. Type the indicator's weight.",
                self.cell(row, "weight"),
            ))
        for key in ("weight", "area_weight", "self_score"):
            v = row.value(key)
            if key not in row.refs or v.empty:
                continue
            if v.number is None or v.number < 0:
                self.out.append(_error(
                    BAD_NUMBER,
                    f"'{v.text}' একটি সংখ্যা হতে হবে, যেমন: ১০ বা ২.৫।",
                    f"'{v.text}' must be a number, e.g. 10 or 2.5 ({key}).",
                    self.cell(row, key),
                ))
        weight, own = row.value("weight").number, office_number(row.cells.get("self_score"))
        if weight is not None and own is not None and own > weight + 1e-9:
            self.out.append(_error(
                "self-score-over-weight",
                f"অফিসের দেওয়া স্কোর {format_number(own)} সূচকের মান {format_number(weight)}-এর বেশি হতে পারে না।",
                f"The office's score {own:g} is above the indicator's weight {weight:g}.",
                self.cell(row, "self_score"),
            ))

    def unit(self, row: PlanRow) -> None:
        unit = row.text("unit")
        if "unit" not in self.report.kind.columns:
            return
        if not unit:
            self.out.append(_warning(
                "missing-unit",
                "একক ফাঁকা; তালিকা থেকে বাছুন (সংখ্যা, %, তারিখ)। লক্ষ্যমাত্রা দেখে একক অনুমান করা হলো।",
                "Unit is empty; pick one (সংখ্যা, %, তারিখ). It was guessed from the targets.",
                self.cell(row, "unit"),
            ))
        elif unit not in kinds.UNITS:
            self.out.append(_error(
                "unknown-unit",
                f"একক '{unit}' চেনা নয়; তালিকা থেকে বাছুন: {', '.join(kinds.UNITS)}।",
                f"Unit '{unit}' is not known; pick one of: {', '.join(kinds.UNITS)}.",
                self.cell(row, "unit"),
            ))

    def counting(self, row: PlanRow) -> None:
        text = row.text("counting")
        if "counting" not in row.refs or not text:
            return
        word = counting_word(text)
        names = ", ".join(kinds.COUNTING)
        if word is None:
            self.out.append(_error(
                "unknown-counting",
                f"গণনা পদ্ধতি '{text}' চেনা নয়; তালিকা থেকে বাছুন: {names}; অথবা ফাঁকা রাখুন "
                "(সংখ্যায় সমষ্টি, %-এ গড়, তারিখে তারিখ ধরা হবে)।",
                f"Counting method '{text}' is not known; pick one of: {names} (sum, average, cumulative, date), "
                "or leave it blank for the unit's default (সংখ্যা: sum, %: average, তারিখ: date).",
                self.cell(row, "counting"),
            ))
            return
        unit = row.text("unit")
        if unit in kinds.UNITS and not counting_fits(word, unit):
            self.out.append(_error(
                "counting-unit-mismatch",
                f"গণনা পদ্ধতি '{word}' একক '{unit}'-এর সাথে মেলে না: তারিখ পদ্ধতি শুধু তারিখ এককের জন্য, "
                "আর তারিখ এককের পদ্ধতি তারিখ।",
                f"Counting method {COUNTING_EN[word]} ('{word}') does not fit the unit '{unit}': the date method goes "
                "with the date unit, and only with it.",
                self.cell(row, "counting"),
            ))

    def achieved_when(self, row: PlanRow) -> None:
        """An achievement dated after the letter, or after the period it reports on."""
        for key in ("achieved", *(f"q{q}_achieved" for q in range(1, 5))):
            done = row.value(key).date if key in row.refs else None
            if done is None:
                continue
            shown = format_short_date(done)
            if self.issued and done > self.issued:
                self.out.append(_warning(
                    "achieved-after-issue-date",
                    f"অর্জনের তারিখ {shown} পত্রের তারিখ {format_short_date(self.issued)}-এর পরে: যা এখনো হয়নি তা অর্জন "
                    "হিসেবে লেখা যায় না। তারিখটি ঠিক করুন, অথবা কাজ শেষ না হলে ঘরটি ফাঁকা রাখুন। স্কোরে তারিখটি যেমন লেখা তেমন ধরা হয়েছে।",
                    f"The achievement date {done.isoformat()} is after the letter's date {self.issued.isoformat()}: "
                    "what has not happened yet cannot be reported as done. Correct the date, or leave the cell blank "
                    "until it is done. The score takes the date as written.",
                    self.cell(row, key),
                ))
            elif self.period_end and done > self.period_end:
                self.out.append(_warning(
                    "achieved-after-period",
                    f"অর্জনের তারিখ {shown} প্রতিবেদনের সময়কাল শেষ হওয়ার ({format_short_date(self.period_end)}) পরে; "
                    "এই প্রতিবেদনে অর্থবছরের শুরু থেকে সময়কালের শেষ পর্যন্ত অর্জন লেখা হয়। তারিখটি দেখুন। "
                    "স্কোরে তারিখটি যেমন লেখা তেমন ধরা হয়েছে।",
                    f"The achievement date {done.isoformat()} is after the end of the period reported on "
                    f"({self.period_end.isoformat()}); this report gives the achievement from the start of the fiscal "
                    "year to the end of the period. Check the date. The score takes the date as written.",
                    self.cell(row, key),
                ))

    def _readable(self, row: PlanRow, key: str, unit: str) -> bool:
        v = row.value(key)
        return v.empty or (v.date is not None if unit == DATE else v.number is not None)

    def quarters(self, row: PlanRow) -> None:
        """The fiscal year's target and each quarter's target and achievement (the plans kept by quarter, nis):
        each a number, a percentage or a date as the unit says, or blank or '-'. Found unchecked: text there scored
        silently as nothing, a percentage in a count row as a fraction of one."""
        unit = unit_of(row)
        if row.text("unit") and row.text("unit") not in kinds.UNITS:
            return
        for key in QUARTER_KEYS:
            if key not in row.refs:
                continue
            v = row.value(key)
            if v.empty or v.text.strip().lower() in ("প্রযোজ্য নয়", "n/a"):
                continue
            achieved = key.endswith("_achieved")
            if self._percent_in_count(row, key, BAD_ACHIEVEMENT if achieved else "bad-target", unit):
                continue
            what_bn, what_en = ("অর্জন", "Achievement") if achieved else ("লক্ষ্যমাত্রা", "Target")
            if not self._readable(row, key, unit):
                self.out.append(_error(
                    BAD_ACHIEVEMENT if achieved else "bad-target",
                    f"{what_bn} '{v.text}' এককের ({unit}) সাথে মেলে না; "
                    f"{'তারিখ লিখুন, যেমন: ১০/০১/২০২৩' if unit == DATE else 'সংখ্যা লিখুন, যেমন: ২ বা ৪০%'}; না থাকলে -। "
                    "মন্তব্য 'মন্তব্য' কলামে লিখুন।",
                    f"{what_en} '{v.text}' does not fit the unit ({unit}): "
                    f"{'write a date, e.g. 10/01/2023' if unit == DATE else 'write a number, e.g. 2 or 40%'}; a dash "
                    "for none. Put comments in remarks.",
                    self.cell(row, key)))
            elif unit == PERCENT:
                self._at_most_100(row, key, number(v, unit), what_bn, what_en)

    def _at_most_100(self, row: PlanRow, key: str, fraction: float | None, what_bn: str, what_en: str) -> None:
        """percent-over-100 at the cell of a percentage (`fraction` of one) above 100%."""
        if (fraction or 0.0) > 1 + 1e-9:
            text = row.value(key).text
            self.out.append(_error(PERCENT_OVER_100, f"{what_bn} '{text}' ১০০%-এর বেশি হতে পারে না।",
                                   f"{what_en} '{text}' cannot exceed 100%.", self.cell(row, key)))

    def _percent_in_count(self, row: PlanRow, key: str, code: str, unit: str) -> bool:
        """A percentage (typed with %, or a cell Excel shows as one) in a row counted in another unit: an error at
        its cell. Read as a number it scored silently (১৫০% of meetings: 1.5 meetings)."""
        v = row.value(key)
        if unit in (PERCENT, DATE) or not v.percent or v.number is None:
            return False
        self.out.append(_error(
            code,
            f"'{v.text}' শতাংশ, কিন্তু এই সূচকের একক '{row.text('unit') or unit}'; সংখ্যাটি লিখুন (যেমন: ৩), অথবা একক % "
            "করুন। এক্সেলে ঘরটি শতাংশ হিসেবে সাজানো থাকলে সাধারণ সংখ্যা করুন।",
            f"'{v.text}' is a percentage, but this indicator's unit is '{row.text('unit') or unit}': write the count (e.g. 3), "
            "or make the unit %. If Excel shows the cell as a percentage, format it as a plain number.",
            self.cell(row, key)))
        return True

    def targets(self, row: PlanRow) -> None:
        unit = unit_of(row)
        if row.text("unit") and row.text("unit") not in kinds.UNITS:
            return
        values: list[tuple[str, float]] = []
        for key in LEVEL_KEYS:
            if key not in row.refs:
                continue
            v = row.value(key)
            if not self._readable(row, key, unit):
                self.out.append(_error(
                    "bad-target",
                    f"লক্ষ্যমাত্রা '{v.text}' {'তারিখ' if unit == DATE else 'সংখ্যা'} হিসেবে পড়া যাচ্ছে না। "
                    f"{'যেমন: ০৪/০৫/২০২৩' if unit == DATE else 'যেমন: ৪ বা ৮০%'}; না থাকলে -।",
                    f"Target '{v.text}' cannot be read as a {'date' if unit == DATE else 'number'} "
                    f"({'e.g. 04/05/2023' if unit == DATE else 'e.g. 4 or 80%'}); a dash for none.",
                    self.cell(row, key),
                ))
                continue
            if v.empty or self._percent_in_count(row, key, "bad-target", unit):
                continue
            at = v.date.toordinal() if unit == DATE and v.date else number(v, unit)
            assert at is not None  # _readable: a date or a number, as the unit asks
            if unit == PERCENT:
                self._at_most_100(row, key, at, "শতাংশ", "Percentage")
            values.append((key, at))
        for (_, a), (k2, b) in zip(values, values[1:]):
            wrong = b < a if unit == DATE else b > a
            if wrong:
                self.out.append(_error(
                    "targets-not-ordered",
                    "লক্ষ্যমাত্রা স্তর অনুযায়ী সাজানো নেই: " + (
                        "তারিখের ক্ষেত্রে ১০০% স্তরে সবচেয়ে আগের তারিখ, নিচের স্তরে পরের তারিখ হবে।" if unit == DATE
                        else "১০০% স্তরে সবচেয়ে বড় সংখ্যা, নিচের স্তরে ছোট বা সমান সংখ্যা হবে।"),
                    "Targets are not ordered by level: " + (
                        "for dates the 100% level has the earliest date and lower levels later ones." if unit == DATE
                        else "the 100% level has the largest number and lower levels smaller or equal ones."),
                    self.cell(row, k2),
                ))
                break

    def achievement(self, row: PlanRow) -> None:
        if "achieved" not in row.refs:
            return
        unit, v = unit_of(row), row.value("achieved")
        if v.empty or v.text.strip().lower() in ("প্রযোজ্য নয়", "n/a"):
            return
        if self._percent_in_count(row, "achieved", BAD_ACHIEVEMENT, unit):
            return
        if not self._readable(row, "achieved", unit) and unit == DATE and (trouble := values.date_trouble(v.text)):
            self.out.append(_error(
                BAD_ACHIEVEMENT,
                f"অর্জনের তারিখ '{v.text}' ক্যালেন্ডারে নেই: {trouble[0]}। তারিখটি ঠিক করে লিখুন।",
                f"The achievement date '{v.text}' does not exist: {trouble[1]}. Write the right date.",
                self.cell(row, "achieved"),
            ))
        elif not self._readable(row, "achieved", unit):
            self.out.append(_error(
                BAD_ACHIEVEMENT,
                f"অর্জন '{v.text}' এককের ({unit}) সাথে মেলে না; "
                f"{'তারিখ লিখুন, যেমন: ১০/০১/২০২৩' if unit == DATE else 'সংখ্যা লিখুন, যেমন: ২ বা ৪০%'}। মন্তব্য 'মন্তব্য' কলামে লিখুন।",
                f"Achievement '{v.text}' does not fit the unit ({unit}): "
                f"{'write a date, e.g. 10/01/2023' if unit == DATE else 'write a number, e.g. 2 or 40%'}. Put comments in remarks.",
                self.cell(row, "achieved"),
            ))
        elif unit == PERCENT:
            self._at_most_100(row, "achieved", number(v, unit), "অর্জন", "Achievement")

    def codes(self, rows: list[PlanRow]) -> None:
        seen: dict[tuple, PlanRow] = {}
        activities: dict[tuple, str] = {}
        area_blamed = _areas_at_fault(rows)
        for row in rows:
            area, activity, indicator = (code_parts(row.text(k)) for k in ("area_no", "activity_no", "indicator_no"))
            if indicator:
                if indicator in seen:
                    first = seen[indicator]
                    self.out.append(_error(
                        DUPLICATE_CODE,
                        f"সূচক নম্বর {row.text('indicator_no')} সারি {to_bangla_digits(first.row)}-এও আছে; প্রতিটি সূচকের নম্বর আলাদা হবে।",
                        f"Indicator number {to_ascii_digits(row.text('indicator_no'))} is also on row {first.row}; each must be unique.",
                        self.cell(row, "indicator_no"),
                    ))
                seen.setdefault(indicator, row)
                if activity and indicator[:-1] != activity:
                    self.out.append(_error(
                        CODE_NESTING,
                        f"সূচক {row.text('indicator_no')} কার্যক্রম {row.text('activity_no')}-এর অধীনে নয়; "
                        f"নম্বরটি {row.text('activity_no').rstrip(']')}.… দিয়ে শুরু হবে।",
                        f"Indicator {to_ascii_digits(row.text('indicator_no'))} is not under activity "
                        f"{to_ascii_digits(row.text('activity_no'))}; it should start with {'.'.join(activity)}.",
                        self.cell(row, "indicator_no"),
                    ))
            if activity and row.activity_first:
                if activity in activities and activities[activity] != row.text("activity"):
                    self.out.append(_error(
                        DUPLICATE_CODE,
                        f"কার্যক্রম নম্বর {row.text('activity_no')} দুটি ভিন্ন কার্যক্রমে ব্যবহৃত হয়েছে।",
                        f"Activity number {to_ascii_digits(row.text('activity_no'))} is used for two different activities.",
                        self.cell(row, "activity_no"),
                    ))
                activities.setdefault(activity, row.text("activity"))
                blame = area_blamed.get(row.row, (row, "activity_no"))
                if area and activity[:-1] != area and blame is not None:
                    self.out.append(_error(
                        CODE_NESTING,
                        f"কার্যক্রম {row.text('activity_no')} ক্ষেত্র {row.text('area_no')}-এর অধীনে নয়।",
                        f"Activity {to_ascii_digits(row.text('activity_no'))} is not under area "
                        f"{to_ascii_digits(row.text('area_no'))}.",
                        self.cell(*blame),
                    ))

    def area_weights(self, rows: list[PlanRow]) -> None:
        groups: dict[int, list[PlanRow]] = defaultdict(list)
        start = 0
        for i, row in enumerate(rows):
            if row.area_first:
                start = i
            groups[start].append(row)
        total, plan_total = 0.0, self.report.get("plan_total")
        if not any(r.value("area_weight").number is not None for r in rows):
            total = sum(r.value("weight").number or 0 for r in rows)
        for members in groups.values():
            head = members[0]
            area_weight = head.value("area_weight").number
            weights = [w for w in (r.value("weight").number for r in members) if w is not None]
            if area_weight is None or len(weights) != len(members):
                continue
            total += area_weight
            if abs(sum(weights) - area_weight) > 1e-6:
                self.out.append(_error(
                    "area-weight-mismatch",
                    f"ক্ষেত্র '{head.text('area')}'-এর মান {format_number(area_weight)}, কিন্তু এর সূচকগুলোর মানের যোগফল "
                    f"{format_number(sum(weights))}। দুটি সমান হতে হবে।",
                    f"Area '{head.text('area')}' has weight {area_weight:g} but its indicators' weights add up to "
                    f"{sum(weights):g}. They must be equal.",
                    self.cell(head, "area_weight"),
                ))
        target = number_of(plan_total)
        if target is not None and abs(total - target) > 1e-6:
            self.out.append(Finding(
                "warning", "plan-total-mismatch",
                f"ক্ষেত্রগুলোর মানের যোগফল {format_number(total)}, কিন্তু কর্মপরিকল্পনার মোট মান {format_number(target)}।",
                f"The areas' weights add up to {total:g}, but the plan's total is {target:g}.",
                "পত্র", self.report.refs.get("plan_total"),
            ))


def _areas_at_fault(rows: list[PlanRow]) -> dict[int, tuple[PlanRow, str] | None]:
    """Where an activity's number does not start with its area's, the mistake is the area's number when
    the area's number is not one segment (1.0, ১.১) or when two or more of its activities all disagree
    with it: then the finding names the area's cell, once (row → (the area's first row, "area_no"), or None
    for the area's later activities). Otherwise the activity that disagrees is named, as before."""
    groups: list[list[PlanRow]] = []
    for row in rows:
        if row.area_first or not groups:
            groups.append([])
        groups[-1].append(row)
    out: dict[int, tuple[PlanRow, str] | None] = {}
    for members in groups:
        head = members[0]
        area = code_parts(head.text("area_no"))
        firsts = [r for r in members if r.activity_first and code_parts(r.text("activity_no"))]
        wrong = [r for r in firsts if code_parts(r.text("activity_no"))[:-1] != area]
        if area and wrong and (len(area) != 1 or (len(firsts) >= 2 and len(wrong) == len(firsts))):
            out.update({r.row: None for r in wrong})
            out[wrong[0].row] = (head, "area_no")
    return out


QUARTER_KEYS = ("annual_target", *(f"q{q}_{what}" for q in range(1, 5) for what in ("target", "achieved")))


def number_of(text: str) -> float | None:
    text = to_ascii_digits(text or "").strip()
    return float(text) if re.fullmatch(r"\d+(\.\d+)?", text) else None


def score_findings(report: Report, card: ScoreCard) -> list[Finding]:
    """The office's own scores and total beside the computed ones, and each indicator due by the period's end
    whose achievement was left blank (left out of the score, which a `-` would make zero)."""
    out = []
    for row, scored in zip(report.rows, card.rows):
        if scored.due_but_blank:
            out.append(_warning(
                "achievement-blank",
                f"সূচক {scored.indicator_no}: এই সময়ের শেষ পর্যন্ত এর লক্ষ্যমাত্রা আছে, কিন্তু অর্জনের ঘর ফাঁকা, তাই স্কোরে "
                "গণনা হয়নি (মোট ও সম্ভাব্য নম্বরে নেই)। কিছু না হয়ে থাকলে '-' লিখুন (স্কোর ০), হয়ে থাকলে অর্জন লিখুন।",
                f"Indicator {to_ascii_digits(scored.indicator_no)}: it is due by the end of the period but its "
                "achievement is blank, so it is left out of the score (of the total and of what was possible). "
                "Write '-' if nothing was done (it then scores 0), or the achievement.",
                row.refs.get("achieved")))
        if "self_score" not in row.cells:
            continue
        own = office_number(row.cells["self_score"])
        computed = scored.score
        if own is None and computed is None:
            continue
        if own is not None and computed is not None and abs(own - computed) < 0.005:
            continue
        shown = "-" if computed is None else format_number(computed)
        out.append(_warning(
            "self-score-differs",
            f"সূচক {scored.indicator_no}: অফিসের স্কোর {row.value('self_score').display or '-'}, "
            f"হিসাব অনুযায়ী {shown} ({scored.explanation})।",
            f"Indicator {to_ascii_digits(scored.indicator_no)}: the office wrote "
            f"{to_ascii_digits(row.value('self_score').text) or '-'}, "
            f"the computed score is {'-' if computed is None else f'{computed:g}'} ({scored.explanation_en}).",
            row.refs.get("self_score"),
        ))
    reported = number_of(report.get("self_total"))
    if reported is not None:
        own_sum = sum(office_number(r.cells.get("self_score")) or 0 for r in report.rows)
        if abs(reported - own_sum) > 0.005:
            out.append(Finding(
                "warning", "self-total-differs",
                f"অফিসের লেখা মোট স্কোর {format_number(reported)}, কিন্তু স্কোর কলামের যোগফল {format_number(own_sum)}; "
                f"হিসাব অনুযায়ী মোট {format_number(card.total)}।",
                f"The reported total {reported:g} is not the sum of the office's score column ({own_sum:g}); "
                f"the computed total is {card.total:g}.",
                "পত্র", report.refs.get("self_total"),
            ))
    return out
