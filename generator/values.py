"""Cell values as offices type them: Bangla or ASCII digits, %, counts with suffixes, dates, dashes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .bangla import format_table_date, to_ascii_digits, to_bangla_digits

NONE_WORDS = {"", "-", "--", "---", "----", "-----", "—", "–", "প্রযোজ্য নয়", "প্রযোজ্য নয়", "n/a", "na", "nil"}
COUNT_SUFFIXES = ("টি", "টা", "জন", "খানা", "বার", "দিন")
_DATE = re.compile(r"^(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{2}|\d{4})$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


@dataclass(frozen=True)
class Value:
    """One typed cell: what the office wrote, and what it means when it can be read."""

    raw: object
    text: str
    number: float | None = None
    percent: bool = False
    date: dt.date | None = None

    @property
    def empty(self) -> bool:
        return self.text.strip().lower() in NONE_WORDS

    @property
    def display(self) -> str:
        """The value as it goes into a Bangla document: typed text keeps its form, in Bangla digits."""
        if isinstance(self.raw, str):
            return to_bangla_digits(self.text.strip())
        if self.date is not None:
            return format_table_date(self.date)
        if self.number is not None:
            return format_number(self.number * 100 if self.percent else self.number) + ("%" if self.percent else "")
        return to_bangla_digits(self.text)


def format_number(x: float) -> str:
    """Bangla digits, at most two decimals, no trailing zeros: 4.5 → ৪.৫, 4.0 → ৪."""
    text = f"{round(x, 2):.2f}".rstrip("0").rstrip(".")
    return to_bangla_digits("0" if text == "-0" else text)


def parse_date_text(text: str) -> dt.date | None:
    m = _DATE.match(to_ascii_digits(text.strip()).rstrip("খ্রিঃ.").strip())
    if not m:
        return None
    day, month, year = (int(g) for g in m.groups())
    if year < 100:
        year += 2000
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse(raw: object, *, percent_format: bool = False) -> Value:
    """Read a cell value; `percent_format` says Excel showed the number as a percentage."""
    if raw is None:
        return Value(raw, "")
    if isinstance(raw, dt.datetime):
        return Value(raw, raw.date().isoformat(), date=raw.date())
    if isinstance(raw, dt.date):
        return Value(raw, raw.isoformat(), date=raw)
    if isinstance(raw, bool):
        return Value(raw, str(raw))
    if isinstance(raw, (int, float)):
        return Value(raw, repr(raw), number=float(raw), percent=percent_format)
    text = str(raw)
    ascii_text = to_ascii_digits(text.strip()).replace(",", "")
    for suffix in COUNT_SUFFIXES:
        if ascii_text.endswith(suffix):
            ascii_text = ascii_text[: -len(suffix)].strip()
            break
    if ascii_text.endswith("%") and _NUMBER.match(ascii_text[:-1].strip()):
        return Value(raw, text, number=float(ascii_text[:-1]) / 100, percent=True)
    if _NUMBER.match(ascii_text):
        return Value(raw, text, number=float(ascii_text))
    date = parse_date_text(text)
    if date is not None:
        return Value(raw, text, date=date)
    return Value(raw, text)
