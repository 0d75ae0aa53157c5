"""Cell values read once per process (values.parse keeps the Value of a short cell): exactly what reading each
afresh gives, whatever was read before in the process (a review found -0.0 answered with 0.0's Value, and
Decimal('1.00') with Decimal('1.0')'s, under an equality-keyed cache), and a long text never kept."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, strategies as st

from generator.text import values


def _fresh(raw, percent=False, date=False):
    return values._parse(raw, percent, date)


def test_values_equal_but_not_the_same_are_read_apart():
    pairs = [(True, 1), (1, 1.0), (False, 0), (0.0, -0.0), (Decimal("1.0"), Decimal("1.00")),
             (dt.datetime(2024, 1, 1, 6, tzinfo=dt.timezone(dt.timedelta(hours=6))),
              dt.datetime(2024, 1, 1, 0, tzinfo=dt.timezone.utc))]
    for first, second in pairs:
        for raw in (first, second, first):
            assert repr(values.parse(raw)) == repr(_fresh(raw)), raw
    assert values.parse(True).number is None and values.parse(1).number == 1.0
    assert values.parse(0.85, percent_format=True).percent and not values.parse(0.85).percent
    assert values.parse(45200, date_expected=True).date == dt.date(2023, 10, 1) and values.parse(45200).date is None


def test_a_long_text_is_not_kept_and_the_kept_are_bounded():
    values._KEPT.clear()
    long = "মন্তব্য " * 20_000
    assert values.parse(long).text == long and not values._KEPT
    for n in range(values.KEPT_MOST + 10):
        values.parse(f"{n}টি")
    assert 0 < len(values._KEPT) <= values.KEPT_MOST


cells = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(), st.text(max_size=40),
                  st.sampled_from(["-", "১০০%", "৮০ %", "নেই", "০৪/০৫/২৩", "10 Jan 2024", "১২টি", -0.0, 0.0]),
                  st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)))


@given(st.lists(st.tuples(cells, st.booleans(), st.booleans()), min_size=1, max_size=8))
def test_a_kept_value_is_what_reading_it_afresh_gives(reads):
    for raw, percent, date in reads + reads:  # each read twice, after the others
        kept = values.parse(raw, percent_format=percent, date_expected=date)
        assert repr(kept) == repr(_fresh(raw, percent, date)) and type(kept.raw) is type(raw)
