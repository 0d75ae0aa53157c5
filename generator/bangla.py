"""Bangla digits, the Bangla calendar as revised in 2019, dates, number words, ordinals, fiscal years and periods."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from num2words import num2words

_TO_BN = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
_TO_ASCII = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


def to_bangla_digits(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        value = int(value) if value.is_integer() else repr(value)
    elif isinstance(value, Decimal):
        value = format(value.normalize(), "f")
    return str(value).translate(_TO_BN)


def to_ascii_digits(text: str) -> str:
    return str(text).translate(_TO_ASCII)


MONTHS_BN = ("বৈশাখ", "জ্যৈষ্ঠ", "আষাঢ়", "শ্রাবণ", "ভাদ্র", "আশ্বিন", "কার্তিক", "অগ্রহায়ণ", "পৌষ", "মাঘ", "ফাল্গুন", "চৈত্র")
GREGORIAN_MONTHS_BN = ("জানুয়ারি", "ফেব্রুয়ারি", "মার্চ", "এপ্রিল", "মে", "জুন", "জুলাই", "আগস্ট",
                       "সেপ্টেম্বর", "অক্টোবর", "নভেম্বর", "ডিসেম্বর")


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@dataclass(frozen=True)
class BanglaDate:
    year: int
    month: int
    day: int

    @property
    def month_name(self) -> str:
        return MONTHS_BN[self.month - 1]

    def __str__(self) -> str:
        return f"{to_bangla_digits(self.day)} {self.month_name} {to_bangla_digits(self.year)}"


def _month_lengths(falgun_ends_in: int) -> list[int]:
    return [31] * 6 + [30] * 4 + [30 if _is_leap(falgun_ends_in) else 29, 30]


def to_bangla_date(d: dt.date) -> BanglaDate:
    start_year = d.year if (d.month, d.day) >= (4, 14) else d.year - 1
    days = (d - dt.date(start_year, 4, 14)).days
    for month, length in enumerate(_month_lengths(start_year + 1), start=1):
        if days < length:
            return BanglaDate(start_year - 593, month, days + 1)
        days -= length
    raise AssertionError("a Bangla year has 365 or 366 days")


def format_bangla_date(d: dt.date) -> str:
    return str(to_bangla_date(d))


def format_gregorian_date(d: dt.date) -> str:
    """'০৫ জানুয়ারি ২০২৩': the day in two digits, as the seed letters write it."""
    return f"{to_bangla_digits(f'{d.day:02d}')} {GREGORIAN_MONTHS_BN[d.month - 1]} {to_bangla_digits(d.year)}"


def format_short_date(d: dt.date) -> str:
    return to_bangla_digits(f"{d.day:02d}/{d.month:02d}/{d.year}")


def month_year(year: int, month: int) -> str:
    return f"{GREGORIAN_MONTHS_BN[month - 1]} {to_bangla_digits(year)}"


# num2words' Bangla differs from the Bangla Academy spelling for these (checked 0–100, num2words 0.5.14).
WORD_FIXES = {15: "পনেরো", 16: "ষোলো", 17: "সতেরো", 35: "পঁয়ত্রিশ", 37: "সাঁইত্রিশ", 44: "চুয়াল্লিশ", 66: "ছেষট্টি"}


def number_in_words(n: int) -> str:
    return WORD_FIXES.get(n) or num2words(n, lang="bn")


def count_phrase(n: int | str, unit: str) -> str:
    """'১ (এক) পাতা'; a count typed as text keeps its digits: '০১' → '০১ (এক) পাতা'."""
    digits = to_bangla_digits(str(n).strip())
    return f"{digits} ({number_in_words(int(to_ascii_digits(digits)))}) {unit}".strip()


_ORDINAL = {1: "ম", 2: "য়", 3: "য়", 4: "র্থ", 5: "ম", 6: "ষ্ঠ", 7: "ম", 8: "ম", 9: "ম", 10: "ম"}


def ordinal(n: int) -> str:
    return to_bangla_digits(n) + _ORDINAL.get(n, "তম")


@dataclass(frozen=True)
class FiscalYear:
    start: int
    short: bool = False

    @property
    def end(self) -> int:
        return self.start + 1

    @property
    def long_label(self) -> str:
        return to_bangla_digits(f"{self.start}-{self.end}")

    @property
    def short_label(self) -> str:
        return to_bangla_digits(f"{self.start}-{self.end % 100:02d}")

    @property
    def label(self) -> str:
        return self.short_label if self.short else self.long_label

    @property
    def slug(self) -> str:
        return f"{self.start}-{self.end % 100:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.start, 7, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.end, 6, 30)

    def contains(self, d: dt.date) -> bool:
        return self.first_day <= d <= self.last_day


_FY = re.compile(r"^\s*(\d{4})\s*[-–—/]\s*(\d{2}|\d{4})\b")


def parse_fiscal_year(text: str) -> FiscalYear | None:
    m = _FY.match(to_ascii_digits(str(text or "")))
    if not m:
        return None
    start, end = int(m.group(1)), m.group(2)
    short = len(end) == 2
    if (int(end) != (start + 1) % 100) if short else int(end) != start + 1:
        return None
    return FiscalYear(start, short)


@dataclass(frozen=True)
class Period:
    id: str
    name: str
    genitive: str
    months: tuple[int, int]
    quarters: tuple[int, ...]
    short: str


PERIODS = (
    Period("q1", "১ম ত্রৈমাসিক", "১ম ত্রৈমাসিকের", (7, 9), (1,), "১ম কোয়ার্টার"),
    Period("q2", "২য় ত্রৈমাসিক", "২য় ত্রৈমাসিকের", (10, 12), (2,), "২য় কোয়ার্টার"),
    Period("h1", "অর্ধবার্ষিক", "অর্ধবার্ষিকের", (7, 12), (1, 2), "অর্ধবার্ষিক"),
    Period("q3", "৩য় ত্রৈমাসিক", "৩য় ত্রৈমাসিকের", (1, 3), (3,), "৩য় কোয়ার্টার"),
    Period("q4", "৪র্থ ত্রৈমাসিক", "৪র্থ ত্রৈমাসিকের", (4, 6), (4,), "৪র্থ কোয়ার্টার"),
    Period("annual", "বার্ষিক", "বার্ষিকের", (7, 6), (1, 2, 3, 4), "বার্ষিক"),
)
_BY_ID = {p.id: p for p in PERIODS}
_WORDS = {
    "১ম": "q1", "প্রথম": "q1", "1st": "q1", "first": "q1",
    "২য়": "q2", "দ্বিতীয়": "q2", "2nd": "q2", "second": "q2",
    "৩য়": "q3", "তৃতীয়": "q3", "3rd": "q3", "third": "q3",
    "৪র্থ": "q4", "চতুর্থ": "q4", "4th": "q4", "fourth": "q4",
}


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", str(text or "")).strip().lower()


def parse_period(text: str) -> Period | None:
    t = _norm(text)
    if not t:
        return None
    if t in _BY_ID:
        return _BY_ID[t]
    if re.fullmatch(r"q[1-4]", t):
        return _BY_ID[t]
    compact = re.sub(r"[\s\-‐]+", "", t)
    if compact in {_norm(w) for w in ("অর্ধবার্ষিক", "ষান্মাসিক", "halfyearly", "halfyear", "h1")}:
        return _BY_ID["h1"]
    if compact in {_norm(w) for w in ("বার্ষিক", "annual", "yearly")}:
        return _BY_ID["annual"]
    if any(_norm(w) in t for w in ("ত্রৈমাসিক", "কোয়ার্টার", "প্রান্তিক", "quarter")):
        for word, pid in _WORDS.items():
            if t.startswith(_norm(word)):
                return _BY_ID[pid]
    return None


def period_span(period: Period, fy: FiscalYear) -> tuple[dt.date, dt.date]:
    first, last = period.months
    first_year = fy.start if first >= 7 else fy.end
    last_year = fy.start if last >= 7 else fy.end
    next_month = dt.date(last_year + (last == 12), last % 12 + 1, 1)
    return dt.date(first_year, first, 1), next_month - dt.timedelta(days=1)


def month_range(period: Period, fy: FiscalYear, joiner: str = "-") -> str:
    start, end = period_span(period, fy)
    return f"{month_year(start.year, start.month)}{joiner}{month_year(end.year, end.month)}"
