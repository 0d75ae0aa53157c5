"""Identities: a memo prefix, an office, a kind, anything that becomes a key or a folder name, normalised once
where it comes in, so that two spellings that print alike are one key and two that print differently are two.

Bangla has two spellings of many letters that print the same: `ো` is one code point or `ে` + `া`, `য়` one or
`য` + nukta; a zero-width space, a joiner or a bidi mark is invisible; digits come in two scripts. The key is:
NFC, no format characters (Unicode category Cf), every run of white space one space, no space at either end,
and every decimal digit of any script in one script (ASCII for a memo prefix, Bangla for a name).
"""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def _visible(text: str) -> str:
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


_BANGLA_DIGITS = "০১২৩৪৫৬৭৮৯"


def _digits(text: str, script: str) -> str:
    table = "0123456789" if script == "ascii" else _BANGLA_DIGITS
    return "".join(table[unicodedata.decimal(c)] if c.isdecimal() else c for c in text)


def key(text: object, digits: str = "ascii") -> str:
    """The identity of a text as it prints: equal keys for texts that print alike. Every decimal digit, of
    whatever script, is written in one: `digits`, "ascii" or "bangla" (for names shown as they are)."""
    if text is None:
        return ""
    normal = unicodedata.normalize("NFC", str(text))
    normal = unicodedata.normalize("NFC", _visible(normal))  # a removed mark may let two code points compose
    normal = _digits(normal, digits)
    return _SPACE.sub(" ", normal).strip()


def name(text: object) -> str:
    """An office's (or any shown name's) identity: its key with Bangla digits, as documents print it."""
    return key(text, digits="bangla")
