"""Memo numbers (স্মারক নম্বর): the file code an office types in `memo_prefix`, and the letter's serial after it.

Two standard forms (see docs/workbook.md):
- the older file code, 7 dotted segments of 2.2.4.3.2.3.2 digits; the serial follows after a dash:
  ৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২;
- the 2024 Secretariat Instructions' file number, 8 segments of 2.2.4.3.3.2.4.2 digits (22 digits); the
  serial follows after a dot: ৩৮.০১.০০০০.০০০.৮০০.৯৯.০০০২.২৫.৮.
A free-form local code (কেসিসি/সেঃবিঃ/…/২২) takes the serial after a dash, as before.

The prefix is normalized before it reaches the register, so that prefixes typed differently but meaning
the same file code share one serial sequence.
"""

from __future__ import annotations

import re

from generator.spec.fields import MEMO_SEPARATORS
from generator.text import identity
from generator.text.bangla import to_ascii_digits, to_bangla_digits

OLD_SHAPE = (2, 2, 4, 3, 2, 3, 2)
SHAPE_2024 = (2, 2, 4, 3, 3, 2, 4, 2)
STANDARD_SHAPES = (OLD_SHAPE, SHAPE_2024)

# 'স্মারক নং', 'স্মারক নং-', 'স্মারক নম্বর:', 'স্মারকঃ', 'Memo No.' typed in front of the code
_LABEL = re.compile(r"^\s*(?:স্মারক(?:\s*(?:নং|নম্বর|নাম্বার))?|memo(?:\s*(?:no|number))?)"
                    r"(?![\u0980-\u09E5\u09F0-\u09FFA-Za-z])\s*[.:ঃ\-–—]*\s*", re.IGNORECASE)
_DOTTED = re.compile(r"[0-9]+(?:\s*[.,]\s*[0-9]*)*")  # digit segments separated by dots or commas
_SEPARATOR = re.compile(r"\s*[.,]\s*")
_TRAILING = "-–—.,:;/ "
_SERIAL_AFTER_DASH = re.compile(r"^(.*[0-9])\s*[-–—]\s*([0-9]+)$")


def strip_label(text: str) -> tuple[str, bool]:
    """(the prefix without a 'স্মারক নং' typed in front, whether there was one)."""
    m = _LABEL.match(text or "")
    if not m or not m.group(0).strip():
        return text or "", False
    return text[m.end():], True


def normalize_prefix(text: str) -> str:
    """The file code as typed, tidied: the label 'স্মারক নং' dropped; in a code of digit segments, spaces
    and commas between segments made single dots ('৪৬. ১১, ১৬০০' → '৪৬.১১.১৬০০'; an empty segment stays
    empty); in a free-form code, runs of spaces made one; a trailing dash, dot or comma dropped.
    Digits are kept as typed (ASCII or Bangla)."""
    text = strip_label(text)[0].strip().rstrip(_TRAILING).strip()
    ascii_text = to_ascii_digits(text)
    if _DOTTED.fullmatch(ascii_text):
        text = ".".join(_SEPARATOR.split(text))
    else:
        text = re.sub(r"\s+", " ", text)
    return text.rstrip(_TRAILING).strip()


def register_prefix(text: str) -> str:
    """The prefix the register keys its serials by: its identity key (NFC, no invisible characters, digits of
    any script alike: text/identity.py), normalize_prefix, in Bangla digits; so a prefix typed with composed
    or decomposed vowel signs, or with a zero-width space, is one sequence. pipeline.build calls this."""
    return to_bangla_digits(to_ascii_digits(normalize_prefix(identity.key(text, folded=True))))


def shape(prefix: str) -> tuple[int, ...] | None:
    """The digit counts of a dotted-digit code (৪৬.১১.১৬০০ → (2, 2, 4)); None for a free-form code."""
    segments = to_ascii_digits(normalize_prefix(prefix)).split(".")
    if all(re.fullmatch(r"[0-9]*", s) for s in segments):
        return tuple(len(s) for s in segments)
    return None


def separator(prefix: str) -> str:
    """'.' after the 2024 22-digit file number, '-' after the older code and local codes."""
    return "." if shape(prefix) == SHAPE_2024 else "-"


def number(prefix: str, serial: int) -> str:
    """The memo number: the prefix as the register keys it, its form's separator and the serial, in Bangla
    digits. One number has one text: a serial typed ০১ is the register's ১, so the letter, its version folder
    and the register all say …-১ (and two registers on one output folder meet at the same folder name)."""
    code = register_prefix(prefix)
    return f"{code}{separator(code)}{to_bangla_digits(int(serial))}"


def number_as_stored(prefix: str, serial: int) -> str:
    """The memo number of a register entry as it was issued before its prefix was keyed as today: the prefix
    as the register stored it, not keyed again (a letter issued then keeps its text)."""
    return f"{prefix}{separator(prefix)}{to_bangla_digits(int(serial))}"


def chosen_separator(typed: str | None) -> str | None:
    """The office's `memo_separator` ('-' or '.'), None when blank; anything else is refused by the letter's
    checks (rules.validate) before a memo is printed. A look-alike is the sign it looks like, as in the prefix
    (an en dash or a Unicode hyphen '-', a fullwidth dot '.')."""
    text = identity.key(typed or "", folded=True)
    return text if text in MEMO_SEPARATORS else None


def printed(memo: str, prefix: str, typed_separator: str | None) -> str:
    """The memo number as the letter prints it, with the office's separator between the file code and the
    serial ('…০৭-১৯২' → '…০৭.১৯২'). Only the print changes: the register keeps the number it issued."""
    chosen = chosen_separator(typed_separator)
    code = register_prefix(prefix)
    if chosen is None or not code or not memo.startswith(code) or len(memo) <= len(code) + 1:
        return memo
    return code + chosen + memo[len(code) + 1:]


def prefix_of(memo: str) -> str:
    """The register's prefix of a printed memo, its serial and the sign before it dropped (…২২-১৬১ and
    …২২.১৬১: …২২), so that letters are compared by the sequence they were numbered in."""
    return register_prefix(re.sub(r"[0-9০-৯]+$", "", memo))


def serial_of(memo: str) -> int | None:
    """A printed memo's serial: its last run of digits, Bangla or ASCII (…২২-১৬১: 161); None without one."""
    found = re.search(r"[0-9০-৯]+$", memo)
    return int(to_ascii_digits(found.group())) if found else None


def has_content(prefix: str) -> bool:
    """False for a prefix of punctuation only ('-', '...', '/')."""
    return any(c.isalnum() for c in normalize_prefix(prefix))


def trailing_serial(prefix: str) -> tuple[str, str] | None:
    """(code, serial) when a serial was typed into the prefix: a dotted-digit code followed by a dash and
    digits (…০৪১.০৭-১৯২), or the 2024 file number followed by a ninth segment (….০০০২.২৫.৮); else None."""
    text = normalize_prefix(prefix)
    m = _SERIAL_AFTER_DASH.match(to_ascii_digits(text))
    if m and shape(m.group(1)) is not None:
        cut = len(text) - len(text.rstrip("0123456789০১২৩৪৫৬৭৮৯"))
        return text[:-cut].rstrip(" -–—"), text[-cut:]
    digits = shape(text)
    if digits is not None and digits[:-1] == SHAPE_2024 and digits[-1] > 0:
        code, _, serial = text.rpartition(".")
        return code, serial
    return None
