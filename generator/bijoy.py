"""Text typed with the Bijoy keyboard in SutonnyMJ (an ANSI font): detect it and convert it to Unicode.

Conversion uses the bijoy2unicode package. It mishandles the reph: Bijoy stores ©
(র্) after the consonant it sits on ("Kg©" = কর্ম), the package expects it before, so the
reph is moved first. Text is converted only when it clearly looks like Bijoy.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_BANGLA = re.compile(r"[\u0980-\u09FF]")
# Glyphs of SutonnyMJ that plain English text almost never holds.
_MARKERS = set("‡†©¨¯’‘“”ÖÒÓªÑ¦¥¤¢£Ÿµ‰ŠŒˆ˜™š›œž¡¬®°±²³´¶·¸¹º¼½¾¿ÆÐ×Ø÷ÿ")  # not the accented letters of English names
_WORD = re.compile(r"[A-Za-z]+")
_LATIN_TOKEN = re.compile(r"\S*(@|://|www\.|\.com|\.org|\.bd)\S*", re.IGNORECASE)


def looks_like_bijoy(text: str) -> bool:
    """True for text that is probably Bangla typed in Bijoy: no Bangla letters, Latin letters, and
    either SutonnyMJ-only glyphs or many of the letters Bijoy uses for া ি ক ত (v w K Z) mid-word."""
    if not isinstance(text, str) or _BANGLA.search(text):
        return False
    plain = _LATIN_TOKEN.sub(" ", text)
    letters = [c for c in plain if c.isascii() and c.isalpha()]
    if len(letters) < 2:
        return False
    if sum(c in _MARKERS for c in plain) >= 1 and len(letters) >= 2:
        return True
    words = [w for w in _WORD.findall(plain) if not w.isupper() and len(w) >= 2]
    if len(words) < 2:
        return False
    odd = sum(w.count("v") + w.count("w") + sum(c.isupper() for c in w[1:]) for w in words)
    return odd / sum(len(w) for w in words) >= 0.3


@lru_cache(maxsize=1)
def _converter():
    from bijoy2unicode import converter

    return converter.Unicode()


def to_unicode(text: str) -> str:
    """Convert Bijoy text, line by line; a line the converter cannot handle is left as it was."""
    out = []
    for line in text.split("\n"):
        fixed = re.sub(r"(.)©", r"©\1", line)  # the reph before its consonant, as the converter expects
        try:
            out.append(_converter().convertBijoyToUnicode(fixed) if line.strip() else line)
        except (IndexError, KeyError, ValueError):
            out.append(line)
    return unicodedata.normalize("NFC", "\n".join(out))


def fix(text: str) -> tuple[str, bool]:
    """(Unicode text, True) when `text` looked like Bijoy; otherwise (text, False)."""
    if looks_like_bijoy(text):
        return to_unicode(text), True
    return text, False
