"""Numbers read from the environment (GEN_LEASE_SECONDS, GEN_STATE_BUSY_TIMEOUT …): a value that is not a number,
not finite, or below the least that works is not used, and the default is, with a line on standard error saying
so (Bangla, then English), never a traceback nor a lease of no time."""

from __future__ import annotations

import math
import os
import sys

from generator.text.bangla import to_bangla_digits


def number(name: str, default: float, least: float, unit: tuple[str, str] = ("সেকেন্ড", "s")) -> float:
    """The environment's `name` as a number, or `default` when it is unset, unusable or below `least`."""
    given = os.environ.get(name)
    if given is None or not given.strip():
        return default
    try:
        value = float(given)
    except ValueError:
        value = math.nan
    if math.isfinite(value) and value >= least:
        return value
    sys.stderr.write(f"⚠ {name}={given!r} ব্যবহার করা যায় না (অন্তত {to_bangla_digits(f'{least:g}')} {unit[0]} হতে "
                     f"হবে); {to_bangla_digits(f'{default:g}')} নেওয়া হলো।\n"
                     f"  {name}={given!r} cannot be used (at least {least:g} {unit[1]}); {default:g} is used.\n")
    return default
