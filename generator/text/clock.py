"""Bangladesh's clock: UTC+6 all year (no daylight saving), whatever the host's own time zone. A letter is dated,
and a report is early or late, by the day in Dhaka."""

from __future__ import annotations

import datetime as dt

DHAKA = dt.timezone(dt.timedelta(hours=6), "BST")


def today() -> dt.date:
    """Today in Dhaka (a host kept on UTC is still on yesterday until 06:00 there)."""
    return dt.datetime.now(DHAKA).date()
