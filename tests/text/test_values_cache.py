"""Cell values read once per process (values.parse keeps the Value of a short cell): the same answers as reading
each afresh, with 1, 1.0 and True kept apart, and a long text never kept."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, strategies as st

from generator.text import values


def test_equal_values_of_other_types_are_read_apart():
    for raw in (True, 1, 1.0, False, 0, 0.0):
        read = values.parse(raw)
        assert type(read.raw) is type(raw) and read == values._parse(raw, False, False)
    assert values.parse(True).number is None and values.parse(1).number == 1.0
    assert values.parse(0.85, percent_format=True).percent and not values.parse(0.85).percent
    assert values.parse(45200, date_expected=True).date == dt.date(2023, 10, 1) and values.parse(45200).date is None


def test_a_long_text_is_not_kept():
    values._parse_cached.cache_clear()
    long = "মন্তব্য " * 20_000
    assert values.parse(long).text == long
    assert values._parse_cached.cache_info().currsize == 0
    values.parse("১০০%")
    assert values._parse_cached.cache_info().currsize == 1


cells = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
                  st.text(max_size=40), st.sampled_from(["-", "১০০%", "৮০ %", "নেই", "০৪/০৫/২৩", "10 Jan 2024", "১২টি"]),
                  st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)))


@given(cells, st.booleans(), st.booleans())
def test_a_kept_value_is_what_reading_it_afresh_gives(raw, percent, date):
    once, again = values.parse(raw, percent_format=percent, date_expected=date), \
        values.parse(raw, percent_format=percent, date_expected=date)
    fresh = values._parse(raw, percent, date)
    assert once == again == fresh and type(once.raw) is type(raw)
