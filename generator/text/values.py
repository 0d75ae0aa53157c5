"""Cell values as offices type them: Bangla or ASCII digits, %, counts with suffixes, dates, dashes."""

from __future__ import annotations

import calendar
import datetime as dt
import unicodedata
import re
from dataclasses import dataclass

from generator.text.bangla import bangla_digits_in_text, format_table_date, to_ascii_digits, to_bangla_digits

# নয় as offices type it: য + nukta (what NFC gives), or য় as one character, U+09DF
# "none": a dash, নেই / নাই ("there is none": a target level left out, or nothing achieved, as a dash), or not applicable
NONE_WORDS = {"", "-", "--", "---", "----", "-----", "—", "–", "নেই", "নাই", "প্রযোজ্য নয়", "প্রযোজ্য ন\u09df", "n/a", "na",
              "nil"}
COUNT_SUFFIXES = ("টি", "টা", "জন", "খানা", "বার", "দিন")
_DATE = re.compile(r"^(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")  # year first: unambiguous, and how a date cell reads as text
# A date that reaches us as Excel's serial number (a date typed into a General or text cell, or pasted
# from LibreOffice): days since 30 Dec 1899. Only the years an office report can name are read so.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
FIRST_SERIAL_DATE, LAST_SERIAL_DATE = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
LARGEST = 1e15  # no count, percentage or score of a plan comes near it; a number beyond is read as text (refused)


def _sane(x: float | int) -> bool:
    return -LARGEST < x < LARGEST  # False for inf and nan too

_ANY_DIGIT = re.compile(r"\d")  # any script's digits, as the date patterns' \d


@dataclass(frozen=True)
class Value:
    """One typed cell: what the office wrote, and what it means when it can be read."""

    raw: object
    text: str
    number: float | None = None
    percent: bool = False
    date: dt.date | None = None
    reading: str = ""  # how an ambiguous entry was read: "fraction" (0.85 in a percent row, read as 85%)

    @property
    def empty(self) -> bool:
        return self.text.strip().lower() in NONE_WORDS

    @property
    def display(self) -> str:
        """The value as it goes into a Bangla document: typed text keeps its form, in Bangla digits."""
        if isinstance(self.raw, str) and not (self.percent and not self.text.strip().endswith("%")):
            return bangla_digits_in_text(self.text.strip())
        if self.date is not None:
            return format_table_date(self.date)
        if self.number is not None:
            return format_number(self.number * 100 if self.percent else self.number) + ("%" if self.percent else "")
        return to_bangla_digits(self.text)


def format_number(x: float) -> str:
    """Bangla digits, at most two decimals, no trailing zeros: 4.5 → ৪.৫, 4.0 → ৪."""
    text = f"{round(x, 2):.2f}".rstrip("0").rstrip(".")
    return to_bangla_digits("0" if text == "-0" else text)


def whole_text(x: float | int) -> str:
    """A number as text, a whole one without '.0': 1.0 → '1' (calamine reads every number as a float)."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


def serial_date(x: object) -> dt.date | None:
    """Excel's serial number of a date (45200 → 2023-10-01), within FIRST_SERIAL_DATE…LAST_SERIAL_DATE;
    a time of day (the fraction) is dropped. Text of digits (ASCII or Bangla) is read too."""
    if isinstance(x, str):
        text = to_ascii_digits(x.strip())
        if not re.fullmatch(r"\d{5}(\.\d+)?", text):
            return None
        x = float(text)
    if isinstance(x, bool) or not isinstance(x, (int, float)) or x != x:
        return None
    lo, hi = ((d - _EXCEL_EPOCH).days for d in (FIRST_SERIAL_DATE, LAST_SERIAL_DATE))
    if not lo <= x < hi + 1:
        return None
    return _EXCEL_EPOCH + dt.timedelta(days=int(x))


def as_percent(v: Value) -> Value:
    """A plain number in a percent row, read as the percentage it is scored as: 80 → 80%, and a fraction
    (0 < x ≤ 1.5, as Excel stores 85% when the cell lost its % format) → x × 100%, marked reading="fraction".
    It is then printed as that percentage, so the annex never shows ০.৮৫ beside ৮০%."""
    if v.number is None or v.percent:
        return v
    fraction = v.number / 100 if v.number > 1.5 else v.number
    return Value(v.raw, v.text, number=fraction, percent=True, date=v.date,
                 reading="fraction" if 0 < v.number <= 1.5 else "")


_MONTHS = {  # English (any prefix of three letters or more) and Bangla month names, as offices write them
    **{name: i for i, name in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                         "september", "october", "november", "december"), start=1)},
    "sept": 9,
    **{name: i for i, names in enumerate((
        ("জানুয়ারি", "জানুয়ারী", "জানুআরি"), ("ফেব্রুয়ারি", "ফেব্রুয়ারী", "ফেব্রুআরি"), ("মার্চ",), ("এপ্রিল",),
        ("মে",), ("জুন",), ("জুলাই",), ("আগস্ট", "আগষ্ট"), ("সেপ্টেম্বর",), ("অক্টোবর",), ("নভেম্বর",),
        ("ডিসেম্বর",)), start=1) for name in names},
}
_WORDS = r"([A-Za-z]+|[\u0980-\u09FF]+)"
_DAY_MONTH_YEAR = re.compile(rf"^(\d{{1,2}})(?:st|nd|rd|th)?\s*[-/ ]?\s*{_WORDS}\.?\s*[-/, ]\s*(\d{{4}})$", re.IGNORECASE)
_MONTH_DAY_YEAR = re.compile(rf"^{_WORDS}\.?\s*(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*(\d{{4}})$", re.IGNORECASE)


def _month(word: str) -> int | None:
    word = unicodedata.normalize("NFC", word).lower()
    if word in _MONTHS:
        return _MONTHS[word]
    if len(word) >= 3 and word.isascii():
        found = {n for name, n in _MONTHS.items() if name.isascii() and name.startswith(word)}
        return found.pop() if len(found) == 1 else None
    return None


def _date_parts(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) as written, whether or not such a day exists: day first ('০৪/০৫/২৩'), year first
    ('2023-05-04'), or with the month's name in English or Bangla ('10 Jan 2024', '১০ জানুয়ারি ২০২৪',
    'January 10, 2024')."""
    if not _ANY_DIGIT.search(text):  # every form has a day and a year in digits: most texts end here
        return None
    clean = to_ascii_digits(unicodedata.normalize("NFC", text).strip())
    clean = re.sub(r"\s*(খ্রিঃ|খ্রি\.|খ্রিস্টাব্দ)\s*$", "", clean).rstrip(".").strip()
    if iso := _ISO_DATE.match(clean):
        year, month, day = (int(g) for g in iso.groups())
        return year, month, day
    if m := _DATE.match(clean):
        day, month, year = (int(g) for g in m.groups())
        return (year + 2000 if year < 100 else year), month, day
    for pattern, order in ((_DAY_MONTH_YEAR, (0, 1, 2)), (_MONTH_DAY_YEAR, (1, 0, 2))):
        if found := pattern.match(clean):
            groups = found.groups()
            day_text, word, year_text = (groups[i] for i in order)
            named = _month(word)
            if named is not None:
                return int(year_text), named, int(day_text)
    return None


def parse_date_text(text: str) -> dt.date | None:
    """Day first, always: '০৪/০৫/২৩' is 4 May 2023 (never 5 April); '2023-05-04' (year first) too; and
    month names, English or Bangla. None for what is not a date, or a day that does not exist."""
    parts = _date_parts(text)
    if parts is None:
        return None
    try:
        return dt.date(*parts)
    except ValueError:
        return None


def date_trouble(text: str) -> tuple[str, str] | None:
    """(Bangla, English) saying why a text written as a date is not one, when it names a day that does not
    exist ('31/02/2024'); None when it is a date, or not written as one at all."""
    parts = _date_parts(str(text))
    if parts is None:
        return None
    year, month, day = parts
    try:
        dt.date(year, month, day)
        return None
    except ValueError:
        pass
    if not 1 <= month <= 12:
        return (f"মাস {to_bangla_digits(month)} হয় না (১ থেকে ১২)", f"there is no month {month} (1 to 12)")
    last = calendar.monthrange(year, month)[1]
    return (f"এই মাসে {to_bangla_digits(last)} দিন, তাই {to_bangla_digits(day)} তারিখ নেই",
            f"that month has {last} days, so there is no day {day}")


def parse(raw: object, *, percent_format: bool = False, date_expected: bool = False) -> Value:
    """Read a cell value; `percent_format` says Excel showed the number as a percentage, `date_expected`
    that the cell holds a date (a date row, a date field), so a serial number in range is that date."""
    key = _key(raw)
    if key is None:
        return _parse(raw, percent_format, date_expected)
    key = (*key, percent_format, date_expected)
    found = _KEPT.get(key)
    if found is None:
        if len(_KEPT) >= KEPT_MOST:
            _KEPT.clear()
        found = _KEPT[key] = _parse(raw, percent_format, date_expected)
    return found


CACHED_TEXT = 64  # characters: shorter cells (numbers, dashes, dates, '১০০%') are read once per worker process
KEPT_MOST = 4096
_KEPT: dict[tuple, Value] = {}  # the same cell read again gives the same (immutable) Value


def _key(raw: object) -> tuple | None:
    """What tells one cell value from every other exactly: its type and its value, a float by its bits (-0.0 is not
    0.0); None for what is not kept (a long text, a date, any other type)."""
    kind = type(raw)
    if isinstance(raw, str) and kind is str:
        return ("s", raw) if len(raw) <= CACHED_TEXT else None
    if isinstance(raw, float) and kind is float:
        return ("f", raw.hex())
    if kind is int or kind is bool or raw is None:
        return (kind.__name__, raw)
    return None


def _parse(raw: object, percent_format: bool, date_expected: bool) -> Value:
    if date_expected:
        serial = serial_date(raw)
        if serial is not None:
            return Value(raw, whole_text(raw) if isinstance(raw, (int, float)) else str(raw), date=serial)
    if raw is None:
        return Value(raw, "")
    if isinstance(raw, dt.datetime):
        return Value(raw, raw.date().isoformat(), date=raw.date())
    if isinstance(raw, dt.date):
        return Value(raw, raw.isoformat(), date=raw)
    if isinstance(raw, bool):
        return Value(raw, str(raw))
    if isinstance(raw, (int, float)):
        if not _sane(raw):
            return Value(raw, whole_text(raw))
        return Value(raw, whole_text(raw), number=float(raw), percent=percent_format)
    text = str(raw)
    ascii_text = to_ascii_digits(text.strip()).replace(",", "")
    for suffix in COUNT_SUFFIXES:
        if ascii_text.endswith(suffix):
            ascii_text = ascii_text[: -len(suffix)].strip()
            break
    if ascii_text.endswith("%") and _NUMBER.match(ascii_text[:-1].strip()):
        number = float(ascii_text[:-1]) / 100
        return Value(raw, text, number=number, percent=True) if _sane(number) else Value(raw, text)
    if _NUMBER.match(ascii_text):
        number = float(ascii_text)
        return Value(raw, text, number=number) if _sane(number) else Value(raw, text)
    date = parse_date_text(text)
    if date is not None:
        return Value(raw, text, date=date)
    return Value(raw, text)

