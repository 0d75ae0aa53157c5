"""What a workbook says, as plain data: the letter's fields, the plan rows, and findings about them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from generator.text import bangla, values
from generator.text.bangla import FiscalYear, Period
from generator.spec.columns import COLUMNS, LEVELS
from generator.text.values import Value

if TYPE_CHECKING:
    from generator.spec.kinds import Kind

DATE_FIELDS = ("issue_date", "meeting_date", "annex_signed_on")  # the letter fields of kind "date" (workbook.Field.kind)
# Plan columns that hold a target or an achievement: a date in a date row, a percentage in a percent row
VALUE_COLUMNS = tuple(k for k, c in COLUMNS.items()
                      if c.numeric and k not in ("area_weight", "weight", "self_score", "no", "score", "earned", "serial"))
_DATE_UNIT, _PERCENT_UNIT = "তারিখ", "%"

LETTER_SHEET = "পত্র"
PLAN_SHEET = "কর্মপরিকল্পনা"
GUIDE_SHEET = "নির্দেশনা"


@dataclass(frozen=True)
class Finding:
    """Something wrong (error) or worth a look (warning), at a sheet and cell."""

    severity: str  # "error" or "warning"
    code: str
    bn: str
    en: str
    sheet: str | None = None
    cell: str | None = None

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    @property
    def message(self) -> str:
        return f"{self.bn}\n{self.en}"

    def as_dict(self) -> dict:
        return {
            "severity": self.severity,
            "code": self.code,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message,
            "message_bn": self.bn,
            "message_en": self.en,
        }


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
    carried: list = field(default_factory=list)  # carried.Carried: what `gen next` carried in, from its hidden sheet


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


@dataclass
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
    memo_serial_text: str
    rows: list[PlanRow] = field(default_factory=list)
    cells_raw: dict[str, object] = field(default_factory=dict)  # the key/value sheet's values as read

    def get(self, key: str) -> str:
        return self.fields.get(key, "").strip()

    def lines(self, key: str) -> list[str]:
        return [line.strip() for line in self.get(key).splitlines() if line.strip()]

    @property
    def office(self) -> str:
        """The office itself: the last line of a name written over several lines."""
        lines = self.lines("office_name")
        return lines[-1] if lines else ""

    def date(self, key: str) -> dt.date | None:
        cell = self.cells_raw.get(key)
        return values.parse(cell, date_expected=True).date if cell is not None else None


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
        memo_serial_text=bangla.to_bangla_digits(serial_text),
        cells_raw={k: c.value for k, c in raw.letter.items()},
    )
    previous: dict[str, Value] = {}  # the area and activity cells in force
    for number, cells in raw.plan_rows:
        parsed = _read_row(cells)
        row_refs = {k: c.ref for k, c in cells.items()}
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
    dated = unit == _DATE_UNIT or (not unit and any(parsed[k].date for k, *_ in LEVELS + (("annual_target",),)
                                                     if k in parsed))
    for k in VALUE_COLUMNS:
        if k not in parsed:
            continue
        if dated:
            parsed[k] = values.parse(cells[k].value, percent_format=cells[k].percent_format, date_expected=True)
        elif unit == _PERCENT_UNIT:
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
