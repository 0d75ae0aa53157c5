"""What a workbook says, as plain data: the cells as read, and the report they make."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from generator.spec.carried import Carried
from generator.spec.fields import GOVERNMENT_LINES
from generator.spec.columns import COLUMNS, LEVELS, UNIT_DATE, UNIT_PERCENT
from generator.spec.kinds import Kind
from generator.spec.sheets import LETTER_SHEET, PLAN_SHEET
from generator.text import bangla, identity, values
from generator.text.bangla import FiscalYear, Period
from generator.text.values import Value

# Plan columns that hold a target or an achievement: a date in a date row, a percentage in a percent row
VALUE_COLUMNS = tuple(k for k, c in COLUMNS.items()
                      if c.numeric and k not in ("area_weight", "weight", "self_score", "no", "score", "earned", "serial"))


@dataclass(frozen=True)
class Cell:
    """A value read from the workbook, with where it was."""

    value: object
    ref: str
    percent_format: bool = False


@dataclass
class RawWorkbook:
    """Cells by machine key, exactly as read: the reader's output and the model's input."""

    source: str
    letter: dict[str, Cell]
    letter_rows: dict[str, int]
    plan_columns: dict[str, str]  # key → column letter
    plan_rows: list[tuple[int, dict[str, Cell]]]  # (Excel row, cells by key)
    sheets: list[str]
    letter_sheet: str = LETTER_SHEET
    table_sheet: str = PLAN_SHEET
    uncomputed: list[tuple[str, str]] = field(default_factory=list)  # (sheet, cell) of formulas with no value
    error_values: list[tuple[str, str, str, bool]] = field(default_factory=list)  # (sheet, cell, '#REF!', formula?)
    carried: list[Carried] = field(default_factory=list)  # what `gen next` carried in, from its hidden sheet
    repeated: list[tuple[str, str, str]] = field(default_factory=list)  # (key, its first key cell, this one)


# exactly: an office whose folder was named with the line typed otherwise ('…সরকার।') keeps its folder, and the
# memo its letter was issued under (a folder named anew would refuse the same letter sent again, memo-exists)
_GOVERNMENT = {identity.name(line) for line in GOVERNMENT_LINES}


@dataclass
class PlanRow:
    row: int  # Excel row number, for messages
    cells: dict[str, Value]
    refs: dict[str, str]
    area_first: bool = True
    activity_first: bool = True

    def text(self, key: str) -> str:
        v = self.cells.get(key)
        return v.text.strip() if v else ""

    def value(self, key: str) -> Value:
        return self.cells.get(key) or Value(None, "")


@dataclass(eq=False)
class Report:
    """One progress report: the letter's fields and the plan table."""

    source: str
    kind: Kind
    fields: dict[str, str]
    refs: dict[str, str]
    fiscal_year: FiscalYear | None
    period: Period | None
    issue_date: dt.date | None
    memo_serial: int | None
    rows: list[PlanRow] = field(default_factory=list)
    cells_raw: dict[str, object] = field(default_factory=dict)  # the key/value sheet's values as read

    def get(self, key: str) -> str:
        return self.fields.get(key, "").strip()

    def lines(self, key: str) -> list[str]:
        return [line.strip() for line in self.get(key).splitlines() if line.strip()]

    @property
    def office_line(self) -> str:
        """The office as documents name it in running text and on the annex: the last line of its name."""
        lines = self.lines("office_name")
        return lines[-1] if lines else ""

    @property
    def office(self) -> str:
        """The office by its whole name: every line of it but the government's, joined by ', ', as its
        identity key (text/identity.py: invisible characters and other spellings of the same letters do not
        count). 'জেলা প্রশাসকের কার্যালয় / রংপুর' and 'পুলিশ সুপারের কার্যালয় / রংপুর' are two offices."""
        lines = [identity.name(line) for line in self.lines("office_name")]
        return ", ".join(line for line in lines if line and line not in _GOVERNMENT)

    def date(self, key: str) -> dt.date | None:
        return self.dates.get(key)

    @cached_property
    def dates(self) -> dict[str, dt.date | None]:
        """The key/value sheet's date fields, each read once."""
        return {key: values.parse(self.cells_raw[key], date_expected=True).date
                for key, field in self.kind.field_map.items() if field.kind == "date" and self.cells_raw.get(key) is not None}

    @cached_property
    def fiscal_year_slug(self) -> str | None:
        """'2023-24': the fiscal year, or for minutes the one the meeting fell in."""
        if self.fiscal_year:
            return self.fiscal_year.slug
        meeting = self.date("meeting_date")
        if meeting:
            start = meeting.year if meeting.month >= 7 else meeting.year - 1
            return f"{start}-{(start + 1) % 100:02d}"
        return None

    @cached_property
    def period_slug(self) -> str | None:
        """'q1': the period, or for minutes the meeting's date."""
        if self.period:
            return self.period.id
        meeting = self.date("meeting_date")
        return meeting.isoformat() if meeting else None

    @cached_property
    def stem(self) -> str:
        """The documents' file stem: cc-2023-24-q1, minutes-2023-06-22."""
        if self.period is None:
            return f"{self.kind.id}-{self.period_slug}"
        return f"{self.kind.id}-{self.fiscal_year_slug}-{self.period_slug}"

    @property
    def filed(self) -> bool:
        """Whether it can be filed under its office, year and period (else its rejection goes to the root)."""
        return bool(self.fiscal_year_slug and self.period_slug and self.office)


_AREA = ("area_no", "area", "area_weight")
_ACTIVITY = ("activity_no", "activity")


def from_workbook(raw: RawWorkbook, kind: Kind) -> Report:
    """Build the report leniently: what cannot be read stays None, and validation says why."""
    fields = {k: _text(c.value) for k, c in raw.letter.items()}
    refs = {k: c.ref for k, c in raw.letter.items()}
    issue = values.parse(raw.letter["issue_date"].value, date_expected=True) if "issue_date" in raw.letter else None
    serial_text = bangla.to_ascii_digits(fields.get("memo_serial", "").strip())
    report = Report(
        source=raw.source,
        kind=kind,
        fields=fields,
        refs=refs,
        fiscal_year=bangla.parse_fiscal_year(fields.get("fiscal_year", "")),
        period=bangla.parse_period(fields.get("period", "")),
        issue_date=issue.date if issue else None,
        memo_serial=bangla.whole_number(serial_text),
        cells_raw={k: c.value for k, c in raw.letter.items()},
    )
    previous: dict[str, Value] = {}  # the area and activity cells in force
    for number, cells in raw.plan_rows:
        parsed = _read_row(cells)
        row_refs = {**{k: f"{letter}{number}" for k, letter in raw.plan_columns.items()},  # a blank cell named too
                    **{k: c.ref for k, c in cells.items()}}
        starts_area = _starts_group(parsed, previous, _AREA) or not report.rows
        starts_activity = starts_area or _starts_group(parsed, previous, _ACTIVITY)
        if not starts_area:
            _carry(parsed, previous, _AREA)
        if not starts_activity:
            _carry(parsed, previous, _ACTIVITY)
        report.rows.append(PlanRow(number, parsed, row_refs, starts_area, starts_activity))
        previous = {k: parsed[k] for k in _AREA + _ACTIVITY if k in parsed}
    return report


def _read_row(cells: dict) -> dict[str, Value]:
    """The row's values, read in the light of its unit: in a date row (unit তারিখ, or no unit and a target
    that is a date) a serial number such as 45200 is that date; in a percent row a plain number is the
    percentage it is scored as (80 → 80%, 0.85 → 85%), and is printed so."""
    parsed = {k: values.parse(c.value, percent_format=c.percent_format) for k, c in cells.items()}
    unit = parsed["unit"].text.strip() if "unit" in parsed else ""
    dated = unit == UNIT_DATE or (not unit and any(parsed[k].date for k, *_ in LEVELS + (("annual_target",),)
                                                     if k in parsed))
    for k in VALUE_COLUMNS:
        if k not in parsed:
            continue
        if dated:
            parsed[k] = values.parse(cells[k].value, percent_format=cells[k].percent_format, date_expected=True)
        elif unit == UNIT_PERCENT:
            parsed[k] = values.as_percent(parsed[k])
    return parsed


def _starts_group(row: dict[str, Value], previous: dict[str, Value], keys: tuple[str, ...]) -> bool:
    """A row starts a new area or activity when it names one that differs from the row above."""
    return any(k in row and (k not in previous or row[k].text.strip() != previous[k].text.strip()) for k in keys)


def _carry(row: dict[str, Value], previous: dict[str, Value], keys: tuple[str, ...]) -> None:
    for k in keys:
        if k not in row and k in previous:
            row[k] = previous[k]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return values.whole_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value)
