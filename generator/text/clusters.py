"""Bangla signs that follow no letter they could sit on: a vowel sign, hasanta, nukta or candrabindu at a word's
start, after a vowel, a digit or another vowel sign. A shaper draws such a sign on a dotted circle (◌ে), and
text typed in visual order (েসবা for সেবা, as old Bijoy converters give it) is full of them. Checked against
HarfBuzz's Bengali shaper (tests/text/test_clusters.py): every sign it draws on a dotted circle is found here;
what is found here besides is never written in Bangla (অি, ুি, ১া)."""

from __future__ import annotations

import re

_CONSONANT = "\u0995-\u09B9\u09CE\u09DC\u09DD\u09DF\u09F0\u09F1"
_VOWEL = "\u0985-\u0994\u09E0\u09E1"  # the independent vowels: অ্যা is written with a hasanta after অ
_VOWEL_SIGN = "\u09BE-\u09C4\u09C7\u09C8\u09CB\u09CC\u09D7\u09E2\u09E3"
_SIGN = "\u0981-\u0983"  # candrabindu, anusvara, visarga
_JOINER = "\u200c\u200d"
_STRAY = re.compile(
    # (each sign: not after what it may follow, nor after a joiner that follows a consonant: র‍্য, ক্‌ষ)
    f"(?<![{_CONSONANT}\u09BC])(?<![{_CONSONANT}\u09BC\u09CD][{_JOINER}])[{_VOWEL_SIGN}]"
    f"|(?<![{_CONSONANT}{_VOWEL}\u09BC])(?<![{_CONSONANT}\u09BC][{_JOINER}])\u09CD"
    f"|(?<![{_CONSONANT}])\u09BC"
    f"|(?<![{_CONSONANT}{_VOWEL}{_VOWEL_SIGN}\u09BC{_SIGN}])(?<![{_CONSONANT}\u09BC][{_JOINER}])[{_SIGN}]"
)
_WORD = re.compile(r"\S+")


def stray_signs(text: str) -> list[str]:
    """The words of `text` (NFC, as documents print it) holding a sign with no letter to sit on, each once."""
    if not _STRAY.search(text):
        return []
    return list(dict.fromkeys(w.group(0) for w in _WORD.finditer(text) if _STRAY.search(w.group(0))))
