"""Bangla digits, the Bangla calendar as revised in 2019, dates, number words, ordinals, fiscal years and periods."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import importlib.util
import os
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

_TO_BN = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
_TO_ASCII = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


def to_bangla_digits(value: str | int | float | Decimal | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, Decimal):
        text = format(value.normalize(), "f")
    else:
        text = str(value)
    return text.translate(_TO_BN)


def to_ascii_digits(text: str) -> str:
    return str(text).translate(_TO_ASCII)


_ASCII_DIGIT = re.compile(r"[0-9]")
_WORD = re.compile(r"\S+")
_BANGLA_LETTER = re.compile(r"[\u0980-\u09E5\u09F0-\u09FF]")  # the Bangla block without its digits
_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")
_ADDRESS = re.compile(r"@|://|www\.", re.IGNORECASE)  # e-mail and web addresses are kept exactly


def _script(word: str) -> str | None:
    if _ADDRESS.search(word):
        return "latin"
    if _BANGLA_LETTER.search(word):
        return "bangla"
    if _LATIN_LETTER.search(word):
        return "latin"
    return None


@functools.lru_cache(maxsize=8192)  # pure, and a plan repeats its texts: a third of a build's text time
def bangla_digits_in_text(text: str) -> str:
    """ASCII digits become Bangla digits in Bangla text; Latin-script text keeps its digits.

    Decided word by word (a word: a run without spaces). A word with a Bangla letter gets Bangla digits
    (১০টি) but in its Latin part (a2i-এর, Covid-19-এর: `_in_bangla_word`); a word with a Latin letter keeps its digits (PSC-2, A4, Q1, ceo2018@gmail.com; an e-mail or
    web address is kept whole even beside Bangla). A word of digits and signs only (041-721304, 2023-24)
    follows the nearest word with letters on its line: the one before it, else the one after it
    (`Tel- 041-721304` stays, `ফোন: 041-721304` becomes `ফোন: ০৪১-৭২১৩০৪`); a line of numbers alone gets
    Bangla digits, as every number in a Bangla document does."""
    text = str(text)
    if not _ASCII_DIGIT.search(text):
        return text
    out = []
    for line in re.split(r"(\n)", text):
        words = list(_WORD.finditer(line))
        scripts = [_script(m.group(0)) for m in words]
        pieces, last = [], 0
        for i, m in enumerate(words):
            word = m.group(0)
            script = scripts[i]
            if script is None and _ASCII_DIGIT.search(word):
                before = next((s for s in reversed(scripts[:i]) if s), None)
                script = before or next((s for s in scripts[i + 1:] if s), None) or "bangla"
            pieces.append(line[last:m.start()])
            if script == "latin":
                pieces.append(word)
            elif scripts[i] == "bangla":
                pieces.append(_in_bangla_word(word, next((s for s in reversed(scripts[:i]) if s), None)))
            else:
                pieces.append(word.translate(_TO_BN))
            last = m.end()
        pieces.append(line[last:])
        out.append("".join(pieces))
    return "".join(out)


_LATIN_RUN = re.compile(r"[A-Za-z\u00C0-\u024F0-9]+")
_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F\u0980-\u09E5\u09F0-\u09FF]")


def _in_bangla_word(word: str, before: str | None) -> str:
    """A word with a Bangla letter, its digits Bangla except in a run of Latin letters and digits (a2i-এর,
    G2P-তে, 4IR-এর) and in a number set off by a sign that follows Latin (Covid-19-এর; after a Latin word,
    Windows 10-এ). A number touching a Bangla letter is Bangla (১০টি, ২য়), as is one after Bangla."""
    runs = [m for m in _LATIN_RUN.finditer(word) if _ASCII_DIGIT.search(m.group(0))]
    if not runs or (before != "latin" and not _LATIN_LETTER.search(word)):
        return word.translate(_TO_BN)
    pieces, last = [], 0
    for m in runs:
        run, start, end = m.group(0), m.start(), m.end()
        if _LATIN_LETTER.search(run):
            keep = True
        elif _BANGLA_LETTER.match(word[start - 1:start] or " ") or _BANGLA_LETTER.match(word[end:end + 1] or " "):
            keep = False
        else:
            letters_before = _LETTER.findall(word, 0, start)
            if letters_before:
                keep = not _BANGLA_LETTER.match(letters_before[-1])
            elif before is not None:
                keep = before == "latin"
            else:
                after = _LETTER.search(word, end)
                keep = after is not None and not _BANGLA_LETTER.match(after.group(0))
        pieces += [word[last:start].translate(_TO_BN), run if keep else run.translate(_TO_BN)]
        last = end
    return "".join(pieces) + word[last:].translate(_TO_BN)


_WHOLE = re.compile(r"[0-9]+")


def whole_number(text: object) -> int | None:
    """'১৯২' or '192' → 192; None for anything else (str.isdigit() also passes '²', which int() refuses)."""
    ascii_text = to_ascii_digits(str(text)).strip()
    return int(ascii_text) if _WHOLE.fullmatch(ascii_text) else None


def _as_date(d: dt.date) -> dt.date:
    return d.date() if isinstance(d, dt.datetime) else d


# Text is kept in NFC. NFC never composes য়, ড়, ঢ় (U+09DF, U+09DC, U+09DD are composition exclusions):
# it turns them into য/ড/ঢ + nukta U+09BC, the form the seed letters use.
MONTHS_BN = ("বৈশাখ", "জ্যৈষ্ঠ", "আষাঢ়", "শ্রাবণ", "ভাদ্র", "আশ্বিন",
             "কার্তিক", "অগ্রহায়ণ", "পৌষ", "মাঘ", "ফাল্গুন", "চৈত্র")
GREGORIAN_MONTHS_BN = ("জানুয়ারি", "ফেব্রুয়ারি", "মার্চ", "এপ্রিল", "মে", "জুন",
                       "জুলাই", "আগস্ট", "সেপ্টেম্বর", "অক্টোবর", "নভেম্বর", "ডিসেম্বর")


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


def _month_lengths(bangla_year: int) -> tuple[int, ...]:
    falgun = 30 if calendar.isleap(bangla_year + 594) else 29
    return (31,) * 6 + (30,) * 4 + (falgun, 30)


def to_bangla_date(d: dt.date) -> BanglaDate:
    d = _as_date(d)
    year = d.year - (593 if (d.month, d.day) >= (4, 14) else 594)
    day = (d - dt.date(year + 593, 4, 14)).days
    for month, length in enumerate(_month_lengths(year), start=1):
        if day < length:
            return BanglaDate(year, month, day + 1)
        day -= length
    raise AssertionError(f"{d} is beyond the Bangla year {year}")


def format_bangla_date(d: dt.date) -> str:
    return str(to_bangla_date(d))


def format_gregorian_date(d: dt.date) -> str:
    """'০৫ জানুয়ারি ২০২৩': the day in two digits, as seed 001 and the project's letters write it."""
    return f"{to_bangla_digits(f'{d.day:02d}')} {GREGORIAN_MONTHS_BN[d.month - 1]} {to_bangla_digits(d.year)}"


def format_short_date(d: dt.date) -> str:
    return to_bangla_digits(f"{d.day:02d}/{d.month:02d}/{d.year}")


def format_table_date(d: dt.date) -> str:
    """'৩১/১২/২৩': a date in a narrow annex column, as the tables of seeds 001 and 002 write it."""
    return to_bangla_digits(f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}")


def month_year(year: int, month: int) -> str:
    return f"{GREGORIAN_MONTHS_BN[month - 1]} {to_bangla_digits(year)}"


# num2words 0.5.14 (lang="bn") word → standard spelling (NCTB class 1 textbook, Bangla Academy).
# Its output is words for 0–99 plus শত/হাজার/লাখ/কোটি, so fixing word by word covers every number.
WORD_FIXES = {
    "পনের": "পনেরো", "ষোল": "ষোলো", "সতের": "সতেরো",
    "পঁইত্রিশ": "পঁয়ত্রিশ", "সাতত্রিশ": "সাঁইত্রিশ", "চৌচল্লিশ": "চুয়াল্লিশ", "ছিষট্টি": "ছেষট্টি",
    "উনত্রিশ": "ঊনত্রিশ", "উনচল্লিশ": "ঊনচল্লিশ", "উনপঞ্চাশ": "ঊনপঞ্চাশ", "উনষাট": "ঊনষাট",
    "উনসত্তর": "ঊনসত্তর", "উনআশি": "ঊনআশি", "উননব্বই": "ঊননব্বই",
}


@functools.cache
def _num2words_bn():
    """num2words' Bangla converter, loaded alone: the package imports its fifty languages first (a fifth of a
    cold `gen build`'s imports); lang_BN.py needs nothing of the package. The same converter `num2words(n,
    lang="bn")` calls (tests/text/test_bangla.py compares the two)."""
    package = importlib.util.find_spec("num2words")  # finds, does not run, the package's __init__
    folders = package.submodule_search_locations if package is not None else None
    source = f"{folders[0]}/lang_BN.py" if folders else ""
    spec = importlib.util.spec_from_file_location("_num2words_lang_bn", source) if os.path.isfile(source) else None
    if spec is None or spec.loader is None:
        raise ImportError("num2words 0.5.14 or later (its lang_BN) is needed for number words")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Num2Word_BN()


def number_in_words(n: int) -> str:
    if n < 0:
        raise ValueError(f"no words for a negative number: {n}")  # num2words silently drops the sign
    return " ".join(WORD_FIXES.get(word, word) for word in _num2words_bn().to_cardinal(int(n)).split())


def count_phrase(n: int | str, unit: str) -> str:
    """'১ (এক) পাতা'; a count typed as text keeps its digits: '০১' → '০১ (এক) পাতা'."""
    digits = to_bangla_digits(str(n).strip())
    return f"{digits} ({number_in_words(int(to_ascii_digits(digits)))}) {unit}".strip()


_ORDINAL_SUFFIX = {1: "ম", 2: "য়", 3: "য়", 4: "র্থ", 5: "ম", 6: "ষ্ঠ", 7: "ম", 8: "ম", 9: "ম", 10: "ম"}


def ordinal(n: int) -> str:
    return to_bangla_digits(n) + _ORDINAL_SUFFIX.get(n, "তম")


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
        return to_bangla_digits(self.slug)

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
        return self.first_day <= _as_date(d) <= self.last_day


_FY = re.compile(r"(?<![0-9])([0-9]{4})\s*[-‐‑‒–—―−/]\s*([0-9]{4}|[0-9]{2})(?![0-9])")


def parse_fiscal_year(text: str | None) -> FiscalYear | None:
    m = _FY.search(to_ascii_digits(unicodedata.normalize("NFC", str(text or ""))))
    if not m:
        return None
    start, end = int(m.group(1)), m.group(2)
    short = len(end) == 2
    if int(end) != ((start + 1) % 100 if short else start + 1):
        return None
    return FiscalYear(start, short)


@dataclass(frozen=True)
class Period:
    id: str
    name: str
    genitive: str
    months: tuple[int, int]

    @property
    def quarters(self) -> tuple[int, ...]:
        first, last = ((m - 7) % 12 // 3 + 1 for m in self.months)
        return tuple(range(first, last + 1))

    @property
    def short(self) -> str:
        return f"{ordinal(self.quarters[0])} কোয়ার্টার" if len(self.quarters) == 1 else self.name


PERIODS = (
    Period("q1", "১ম ত্রৈমাসিক", "১ম ত্রৈমাসিকের", (7, 9)),
    Period("q2", "২য় ত্রৈমাসিক", "২য় ত্রৈমাসিকের", (10, 12)),
    Period("h1", "অর্ধবার্ষিক", "অর্ধবার্ষিকের", (7, 12)),
    Period("q3", "৩য় ত্রৈমাসিক", "৩য় ত্রৈমাসিকের", (1, 3)),
    Period("q4", "৪র্থ ত্রৈমাসিক", "৪র্থ ত্রৈমাসিকের", (4, 6)),
    Period("annual", "বার্ষিক", "বার্ষিকের", (7, 6)),
)
_BY_ID = {p.id: p for p in PERIODS}


def _compact(text: str) -> str:
    text = to_ascii_digits(unicodedata.normalize("NFC", text)).lower()
    text = re.sub(r"\(.*?\)", "", text)
    return re.sub(r"[\s\-‐‑–—._:\u200c\u200d]+", "", text)


_ORDINALS = {
    1: ("1ম", "প্রথম", "1st", "first", "1"),
    2: ("2য়", "দ্বিতীয়", "2nd", "second", "2"),
    3: ("3য়", "তৃতীয়", "3rd", "third", "3"),
    4: ("4র্থ", "চতুর্থ", "4th", "fourth", "4"),
}
_QUARTER_WORDS = ("ত্রৈমাসিক", "কোয়ার্টার", "কোয়াটার", "প্রান্তিক", "quarter", "qtr", "q")
_ALIASES = {
    **{_compact(f"{o}{w}"): f"q{q}" for q, ords in _ORDINALS.items() for o in ords for w in _QUARTER_WORDS},
    **{_compact(f"{w}{q}"): f"q{q}" for q in _ORDINALS for w in _QUARTER_WORDS},
    **{_compact(w): "h1" for w in ("অর্ধবার্ষিক", "ষান্মাসিক", "ষাণ্মাসিক", "half-yearly", "half year",
                                    "half-annual", "semi-annual", "semiannual", "h1", "1st half", "first half")},
    **{_compact(w): "annual" for w in ("বার্ষিক", "বাৎসরিক", "annual", "yearly", "full year")},
}


def parse_period(text: str | None) -> Period | None:
    key = _compact(str(text or ""))
    for suffix in ("", "এর", "ের"):
        if key.endswith(suffix) and (pid := _ALIASES.get(key[:len(key) - len(suffix)])):
            return _BY_ID[pid]
    return None


def period_span(period: Period, fy: FiscalYear) -> tuple[dt.date, dt.date]:
    first, last = period.months
    first_year = fy.start if first >= 7 else fy.end
    last_year = fy.start if last >= 7 else fy.end
    return dt.date(first_year, first, 1), dt.date(last_year, last, calendar.monthrange(last_year, last)[1])


def month_range(period: Period, fy: FiscalYear, joiner: str = "-") -> str:
    start, end = period_span(period, fy)
    return f"{month_year(start.year, start.month)}{joiner}{month_year(end.year, end.month)}"
