"""Identities: a memo prefix, an office, a kind, anything that becomes a key or a folder name, normalised once
where it comes in, so that two spellings that print alike are one key and two that print differently are two.

Bangla has two spellings of many letters that print the same: `ো` is one code point or `ে` + `া`, `য়` one or
`য` + nukta; a zero-width space, a joiner, a bidi mark, a variation selector or a Hangul filler is invisible;
a fullwidth or leader dot looks like a dot; khanda ta was typed as ত্‍ before it had a code point (ৎ); digits come
in several scripts. The key is: NFKC (compatibility forms as the letters they look like; Bangla has none), when
asked (`folded`) ত্‍ as ৎ, dashes as a hyphen and no joiner after a hasanta before no letter, and a few look-alikes
as their letter, without what prints
nothing (format and control characters, Unicode's default-ignorable code points; a zero-width joiner or
non-joiner beside a hasanta stays: there it changes the letter drawn), every run of white space (and the blank
braille cell) one space, no space at either end, and every decimal digit of any script in one script (ASCII for a memo
prefix, Bangla for a name).
"""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"[\s\u2800]+")
# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt) beyond category Cf: they print nothing
_IGNORABLE = re.compile("[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2065\u3164\ufe00-\ufe0f\uffa0"
                        "\ufff0-\ufff8\U000e0000-\U000e0fff]")


_HASANTA = "\u09cd"
_JOINERS = "\u200c\u200d"  # beside a hasanta they choose a letter's form (র‍্য is not র্য): they print there
# khanda ta as typed before Unicode 4.1 gave it a code point (ত, hasanta, zero-width joiner): drawn as ৎ
_OLD_KHANDA_TA = re.compile("\u09a4\u09cd\u200d")
# characters drawn alike (a Unicode hyphen, the Bengali sign ৷ for the danda, a division or fraction slash)
_LOOKALIKE = str.maketrans({"\u2010": "-", "\u09f7": "\u0964", "\u2215": "/", "\u2044": "/"})
# and, `folded` (keys made after office folders were named): the dashes Word and keyboards put for a hyphen
_DASHES = str.maketrans({"\u2012": "-", "\u2013": "-", "\u2212": "-"})
# a joiner after a hasanta with no letter after it (end, space, '/', a digit): no conjunct to form, so it prints
# nothing; khanda ta typed the old way (ত, hasanta, joiner) is kept for the fold above
_IDLE_JOINER = re.compile("(?<=\u09cd)[\u200c\u200d]+(?![\u0980-\u09e5\u09f0-\u09ff])")


def _visible(text: str) -> str:
    """`text` without what prints nothing; white space is kept (it becomes one space)."""
    text = _IGNORABLE.sub("", text)
    return "".join(c for i, c in enumerate(text)
                   if c.isspace() or unicodedata.category(c) not in ("Cf", "Cc")
                   or (c in _JOINERS and _HASANTA in text[max(i - 1, 0):i] + text[i + 1:i + 2]))


_BANGLA_DIGITS = "০১২৩৪৫৬৭৮৯"


def _digits(text: str, script: str) -> str:
    table = "0123456789" if script == "ascii" else _BANGLA_DIGITS
    return "".join(table[unicodedata.decimal(c)] if c.isdecimal() else c for c in text)


def key(text: object, digits: str = "ascii", *, folded: bool = False) -> str:
    """The identity of a text as it prints: equal keys for texts that print alike. Every decimal digit, of
    whatever script, is written in one: `digits`, "ascii" or "bangla" (for names shown as they are). `folded`
    adds what was found to print alike after office folders were named: ত্‍ typed the old way is ৎ, an en dash,
    figure dash or minus sign is a hyphen, and a joiner after a hasanta before no letter is nothing. For the
    register's memo prefixes and the summary's matching of offices; not for the office folders, whose names
    reports already built are filed under."""
    if text is None:
        return ""
    normal = unicodedata.normalize("NFKC", str(text))
    normal = _visible(normal)
    if folded:  # after what prints nothing is gone: ত, a zero-width space, hasanta, joiner is khanda ta too
        normal = _IDLE_JOINER.sub("", _OLD_KHANDA_TA.sub("\u09ce", normal)).translate(_DASHES)
    normal = unicodedata.normalize("NFKC", normal)  # a removed mark may let two code points compose
    normal = _digits(normal.translate(_LOOKALIKE), digits)
    return _SPACE.sub(" ", normal).strip()


def name(text: object) -> str:
    """An office's (or any shown name's) identity: its key with Bangla digits, as documents print it."""
    return key(text, digits="bangla")


# the marks that set the direction of what follows (embeddings, overrides, isolates, LRM/RLM, the Arabic letter mark):
# in a cell of Bangla or English they print nothing, but they can draw a name in another order than it is stored
DIRECTION_MARKS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# every character `_visible` may drop (format and control characters, the default-ignorables), and a few more: a
# text without any, already composed, is printed as it is (most cells are; tests/text/test_identity.py checks it)
_MAYBE_UNSEEN = re.compile("[\x00-\x1f\x7f-\x9f\xad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
                           "\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164"
                           "\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
                           "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]")


def printed(text: str) -> str:
    """`text` as a document prints it: composed (NFC), without what prints nothing (as `key` drops it: a zero-width
    space, a direction mark, a joiner that joins nothing), every other character, white space and digit as typed."""
    if unicodedata.is_normalized("NFC", text) and not _MAYBE_UNSEEN.search(text):
        return text
    return unicodedata.normalize("NFC", _visible(unicodedata.normalize("NFC", text)))
