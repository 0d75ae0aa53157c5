"""Text typed with the Bijoy keyboard in SutonnyMJ (an ANSI font): detect it and convert it to Unicode.

Conversion uses the bijoy2unicode package. It mishandles the reph: Bijoy stores ©
(র্) after the consonant it sits on ("Kg©" = কর্ম), the package expects it before, so the
reph is moved first. Text is converted only when it clearly looks like Bijoy, word by word: English
typed with curly quotes, apostrophes, ©, £, dashes or an ellipsis is left alone.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_BANGLA = re.compile(r"[\u0980-\u09FF]")
# an e-mail or web address: a word holding one of these (searched in each word: a pattern that reached across
# a word from every start, \S*(…)\S*, took quadratic time on a long unbroken cell, 14 s for 32,000 letters)
_ADDRESS_MARK = re.compile(r"@|://|www\.|\.com|\.org|\.bd", re.IGNORECASE)
# Punctuation English puts around words (LibreOffice's autocorrect makes quotes curly, " - " an en dash,
# "..." an ellipsis). Bijoy uses some of these glyphs as letters ("“" is ু, "’" is ্থ), but never as the
# first or last character of a word, where English puts them; so they are stripped from a word's edges
# before it is judged.
_EDGE = "\"'“”‘’«»()[]{}<>,.;:!?…–—-/"
# SutonnyMJ glyphs that English text never holds inside a word (© and £ are judged by their neighbours,
# accented letters by the shape of their word: Café and naïve are English).
_STRONG = set("‡†ˆ‰Š¨¯ª«¬\xad±´µ¶¸¹º»¼½¾¿×÷‹Œ˜šœŸ¡¢¤¥¦§„•ƒ‚`^|\\")
_ENGLISH_SHAPE = re.compile(r"^(?:[a-z\u00DF-\u00FF]+|[A-Z\u00C0-\u00DE][a-z\u00DF-\u00FF]*|[A-Z\u00C0-\u00DE]+)"
                            r"(?:['’\-.&][A-Za-z\u00C0-\u00FF]+)*$")
# Bijoy's ্ল (c\xad is প্ল, wec\xade বিপ্লব), and the soft hyphen that web pages and Word put inside English words:
# only between capitals (WA\xadSA, AD\xadMIN) is it taken for a soft hyphen; between small letters it is ্ল, as in
# Bijoy's commonest words with it (a Title-case English word with a soft hyphen is still read as Bijoy)
_SOFT_HYPHEN = "\xad"
_HYPHENATED = re.compile(r"[A-Z]+(?:\xad[A-Z]+)+")


def _without_soft_hyphen(run: re.Match[str]) -> str:
    return run.group().replace(_SOFT_HYPHEN, "")

_VOWELS = set("aeiouy")  # in Bijoy a capital is a consonant or a vowel letter, never a vowel sign


def _word_evidence(word: str) -> str:
    """'strong' (a SutonnyMJ glyph inside the word), 'weak' (Bijoy's letters for া and ি between consonants:
    Mvb, evsjvq, Avwg), 'english' (a word of letters that shows neither) or '' (no word: numbers, signs)."""
    core = word.strip(_EDGE)
    if _SOFT_HYPHEN in core:  # WA\xadSA from a web page or Word: English with a soft hyphen
        core = _HYPHENATED.sub(_without_soft_hyphen, core)
    letters = sum(c.isascii() and c.isalpha() for c in core)
    if letters == 0:
        return ""
    for i, c in enumerate(core):
        before, after = core[i - 1] if i else "", core[i + 1] if i + 1 < len(core) else ""
        if c in _STRONG:
            return "strong"
        if c in "’‘" and not (before.isalpha() and before.isascii() and after.isalpha() and after.isascii()):
            return "strong"  # ¯’vbxq (স্থানীয়), not O’Brien or office’s
        if c in "“”~" and before and after:
            return "strong"
        if c in "©£" and ((before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha())):
            return "strong"  # Kg© (কর্ম), not © 2023 or £5
        if not c.isascii() and c.isalpha() and not _ENGLISH_SHAPE.match(core):
            return "strong"  # cÖwZôvb, PÆMÖvg; not Café, naïve, ZÜRICH
    if letters < 2:
        return ""
    for i, c in enumerate(core[1:], start=1):
        after = core[i + 1] if i + 1 < len(core) else ""
        if c in "vw" and core[i - 1].isalpha() and core[i - 1] not in _VOWELS and (not after or (
                after.isascii() and after.isalpha() and after not in _VOWELS)):
            return "weak"  # Mvb (গান), evsjvq (বাংলায়), Avwg (আমি); not review, Govt, Khwaja
        if c.isupper() and core[i - 1].islower() and after in ("v", "w"):
            return "weak"  # miKvi (সরকার); not PowerPoint, eGov, McDonald
    return "english"


def looks_like_bijoy(text: str) -> bool:
    """True for text that is Bangla typed in Bijoy, judged on whole words: no Bangla letters, at least one
    word with a SutonnyMJ glyph inside it or two words with Bijoy's letter pattern, and more evidence than
    English-looking words (a word with a glyph counts twice). One curly quote, apostrophe, ©, £, dash or
    ellipsis in English does not make it Bijoy."""
    if not isinstance(text, str) or _BANGLA.search(text):
        return False
    words = [_word_evidence(w) for w in text.split() if not _ADDRESS_MARK.search(w)]
    strong, weak, english = (words.count(k) for k in ("strong", "weak", "english"))
    return (strong >= 1 or weak >= 2) and 2 * strong + weak > english


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


def _stays_english(token: str) -> bool:
    """A word inside a Bijoy line that is English and stays so: an address, an acronym (DC, PSC), or a
    capitalised word of five letters or more with no Bijoy evidence and vowels where English has them
    (Rangpur, Dhaka, Office). Bijoy words that look like English are shorter (Ges: এবং) or show evidence."""
    if not any(c.isspace() for c in token) and _ADDRESS_MARK.search(token):
        return True
    core = token.strip(_EDGE)
    if not core or _word_evidence(token) != "english" or not core.isascii():
        return False
    if core.isalpha() and core.isupper() and len(core) >= 2:
        return True
    vowels = sum(c in "aeiou" for c in core.lower())
    return len(core) >= 5 and core[0].isupper() and core[1:].islower() and core.isalpha() and vowels >= 2


def _line(line: str) -> str:
    """One Bijoy line converted run by run: English words kept as they are, the rest converted."""
    pieces = re.split(r"(\s+)", line)
    run: list[str] = []
    out: list[str] = []
    for i, piece in enumerate(pieces):
        if i % 2 == 1 or not piece:  # the spaces between words
            (run if run else out).append(piece)
            continue
        if _stays_english(piece):
            if run:
                trailing = run.pop() if run and run[-1].isspace() else ""
                out.append(to_unicode("".join(run)))
                out.append(trailing)
                run = []
            out.append(piece)
        else:
            run.append(piece)
    if run:
        out.append(to_unicode("".join(run)))
    return "".join(out)


def fix(text: str) -> tuple[str, bool]:
    """(Unicode text, True) when any line of `text` looked like Bijoy, that line converted word by word
    (English words in it kept, English lines kept); otherwise (text, False)."""
    if not isinstance(text, str):
        return text, False
    lines = text.split("\n")
    bijoy = [looks_like_bijoy(line) for line in lines]
    if not any(bijoy):
        return text, False
    return "\n".join(_line(line) if is_bijoy else line for line, is_bijoy in zip(lines, bijoy)), True
