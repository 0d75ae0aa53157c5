"""Bangla digits, the 2019 calendar, dates in Bangla, number words, ordinals, fiscal years and periods."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import bangla as bn

# Written out from the Bangla Academy spellings (আধুনিক বাংলা অভিধান); see bangla.WORD_FIXES for where num2words differs.
WORDS_0_100 = """শূন্য এক দুই তিন চার পাঁচ ছয় সাত আট নয় দশ এগারো বারো তেরো চৌদ্দ পনেরো ষোলো সতেরো আঠারো উনিশ
বিশ একুশ বাইশ তেইশ চব্বিশ পঁচিশ ছাব্বিশ সাতাশ আটাশ উনত্রিশ ত্রিশ একত্রিশ বত্রিশ তেত্রিশ চৌত্রিশ পঁয়ত্রিশ ছত্রিশ
সাঁইত্রিশ আটত্রিশ উনচল্লিশ চল্লিশ একচল্লিশ বিয়াল্লিশ তেতাল্লিশ চুয়াল্লিশ পঁয়তাল্লিশ ছেচল্লিশ সাতচল্লিশ আটচল্লিশ
উনপঞ্চাশ পঞ্চাশ একান্ন বাহান্ন তিপ্পান্ন চুয়ান্ন পঞ্চান্ন ছাপ্পান্ন সাতান্ন আটান্ন উনষাট ষাট একষট্টি বাষট্টি তেষট্টি
চৌষট্টি পঁয়ষট্টি ছেষট্টি সাতষট্টি আটষট্টি উনসত্তর সত্তর একাত্তর বাহাত্তর তিয়াত্তর চুয়াত্তর পঁচাত্তর ছিয়াত্তর সাতাত্তর
আটাত্তর উনআশি আশি একাশি বিরাশি তিরাশি চুরাশি পঁচাশি ছিয়াশি সাতাশি আটাশি উননব্বই নব্বই একানব্বই বিরানব্বই তিরানব্বই
চুরানব্বই পঁচানব্বই ছিয়ানব্বই সাতানব্বই আটানব্বই নিরানব্বই একশত""".split()


def test_digits_both_ways():
    assert bn.to_bangla_digits(2023) == "২০২৩"
    assert bn.to_bangla_digits(4.5) == "৪.৫" and bn.to_bangla_digits(4.0) == "৪"
    assert bn.to_bangla_digits("46.11-192") == "৪৬.১১-১৯২"
    assert bn.to_bangla_digits(None) == ""
    assert bn.to_ascii_digits("৪৬.১১.১৬০০-১৯২ টি") == "46.11.1600-192 টি"


@given(st.text())
def test_digit_round_trip(text):
    ascii_only = bn.to_ascii_digits(text)
    assert bn.to_ascii_digits(bn.to_bangla_digits(ascii_only)) == ascii_only


@pytest.mark.parametrize("date, expected", [
    (dt.date(2023, 10, 10), "২৫ আশ্বিন ১৪৩০"),
    (dt.date(2023, 1, 5), "২১ পৌষ ১৪২৯"),
    (dt.date(2023, 6, 25), "১১ আষাঢ় ১৪৩০"),
    (dt.date(2024, 3, 14), "৩০ ফাল্গুন ১৪৩০"),  # Falgun ends in leap-year 2024: 30 days
    (dt.date(2023, 3, 14), "২৯ ফাল্গুন ১৪২৯"),  # 2023 is not a leap year: Falgun has 29 days
    (dt.date(2023, 3, 15), "১ চৈত্র ১৪২৯"),
    (dt.date(2024, 3, 15), "১ চৈত্র ১৪৩০"),  # the leap day is absorbed by Falgun: Chaitra starts 15 March always
    (dt.date(2023, 4, 13), "৩০ চৈত্র ১৪২৯"),
    (dt.date(2023, 4, 14), "১ বৈশাখ ১৪৩০"),
])
def test_seed_dates_and_year_change(date, expected):
    assert bn.format_bangla_date(date) == expected


@pytest.mark.parametrize("year", range(2016, 2041))
def test_fixed_points_every_year(year):
    assert bn.format_bangla_date(dt.date(year, 2, 21)).startswith("৮ ফাল্গুন ")
    assert bn.format_bangla_date(dt.date(year, 3, 26)).startswith("১২ চৈত্র ")
    assert bn.format_bangla_date(dt.date(year, 12, 16)).startswith("১ পৌষ ")


@pytest.mark.parametrize("year", [2023, 2024])  # Falgun 1430 ends in leap 2024; Falgun 1429 in 2023
def test_every_month_starts_where_the_2019_rules_say(year):
    starts = [(4, 14), (5, 15), (6, 15), (7, 16), (8, 16), (9, 16), (10, 17), (11, 16), (12, 16),
              (1, 15), (2, 14), (3, 15)]
    for month, (gm, gd) in enumerate(starts, start=1):
        gy = year - 1 if gm >= 4 else year
        b = bn.to_bangla_date(dt.date(gy, gm, gd))
        assert (b.month, b.day) == (month, 1), (month, gm, gd)
        before = bn.to_bangla_date(dt.date(gy, gm, gd) - dt.timedelta(days=1))
        assert before.month == (month - 2) % 12 + 1


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2150, 12, 31)))
def test_consecutive_days_are_consecutive(day):
    a, b = bn.to_bangla_date(day), bn.to_bangla_date(day + dt.timedelta(days=1))
    if b.day == 1:
        assert b.month == a.month % 12 + 1 and a.day in (29, 30, 31)
        assert b.year == a.year + (a.month == 12)
    else:
        assert (b.year, b.month, b.day) == (a.year, a.month, a.day + 1)


def test_gregorian_in_bangla():
    assert bn.format_gregorian_date(dt.date(2023, 10, 10)) == "১০ অক্টোবর ২০২৩"
    assert bn.format_gregorian_date(dt.date(2023, 1, 5)) == "০৫ জানুয়ারি ২০২৩"
    assert bn.format_short_date(dt.date(2023, 5, 4)) == "০৪/০৫/২০২৩"
    assert [bn.month_year(2023, m).split()[0] for m in range(1, 13)] == list(bn.GREGORIAN_MONTHS_BN)


def test_number_words_0_to_100():
    assert len(WORDS_0_100) == 101
    assert [bn.number_in_words(n) for n in range(101)] == WORDS_0_100
    assert bn.count_phrase(1, "পাতা") == "১ (এক) পাতা" and bn.count_phrase(2, "ফর্দ") == "২ (দুই) ফর্দ"
    assert bn.count_phrase("০১", "পাতা") == "০১ (এক) পাতা"


def test_ordinals():
    assert [bn.ordinal(n) for n in range(1, 13)] == ["১ম", "২য়", "৩য়", "৪র্থ", "৫ম", "৬ষ্ঠ", "৭ম", "৮ম", "৯ম", "১০ম", "১১তম", "১২তম"]


@pytest.mark.parametrize("text, start, label", [
    ("২০২৩-২০২৪", 2023, "২০২৩-২০২৪"), ("২০২৩-২৪", 2023, "২০২৩-২৪"), ("2023-24", 2023, "২০২৩-২৪"),
    ("2023 – 2024", 2023, "২০২৩-২০২৪"), ("২০২২-২৩ অর্থবছর", 2022, "২০২২-২৩"), ("1999-00", 1999, "১৯৯৯-০০"),
])
def test_fiscal_years(text, start, label):
    fy = bn.parse_fiscal_year(text)
    assert fy.start == start and fy.label == label
    assert fy.first_day == dt.date(start, 7, 1) and fy.last_day == dt.date(start + 1, 6, 30)


@pytest.mark.parametrize("text", ["", "2023", "2023-25", "২০২৩-২০২৫", "abc", "23-24"])
def test_bad_fiscal_years(text):
    assert bn.parse_fiscal_year(text) is None


@pytest.mark.parametrize("text, pid", [
    ("১ম ত্রৈমাসিক", "q1"), ("২য় ত্রৈমাসিক", "q2"), ("৩য় কোয়ার্টার", "q3"), ("৪র্থ ত্রৈমাসিক", "q4"),
    ("অর্ধবার্ষিক", "h1"), ("অর্ধ-বার্ষিক", "h1"), ("বার্ষিক", "annual"), ("Q1", "q1"), ("annual", "annual"),
    ("প্রথম ত্রৈমাসিক", "q1"), ("২\u09df ত্রৈমাসিক", "q2"), ("২\u09af\u09bc কো\u09af\u09bcার্টার", "q2"),
    ("half-yearly", "h1"), ("ষান্মাসিক", "h1"), ("1st quarter", "q1"),
])
def test_periods(text, pid):
    assert bn.parse_period(text).id == pid


def test_period_month_ranges():
    fy = bn.parse_fiscal_year("২০২৩-২০২৪")
    q1 = bn.parse_period("q1")
    assert bn.month_range(q1, fy) == "জুলাই ২০২৩-সেপ্টেম্বর ২০২৩"
    assert bn.month_range(q1, fy, joiner=" হতে ") == "জুলাই ২০২৩ হতে সেপ্টেম্বর ২০২৩"
    spans = {p.id: bn.period_span(p, fy) for p in bn.PERIODS}
    assert spans["q2"] == (dt.date(2023, 10, 1), dt.date(2023, 12, 31))
    assert spans["h1"] == (dt.date(2023, 7, 1), dt.date(2023, 12, 31))
    assert spans["q3"] == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert spans["q4"] == (dt.date(2024, 4, 1), dt.date(2024, 6, 30))
    assert spans["annual"] == (fy.first_day, fy.last_day)
    assert bn.parse_period("h1").quarters == (1, 2)
