"""What the service tells a clerk: a finding (a code, Bangla with English beneath, the sheet and cell), and
the one error type every refusal and fault is raised as, which carries the same."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

ERROR, WARNING = "error", "warning"
MAX_MESSAGE = 2000  # characters: a message quoting a hostile cell whole is cut in its middle (ours hold some 500)
_HEAD, _TAIL = 1200, 500  # what is kept of it: the value's start, and the end, which says what to do
_BANGLA_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


@dataclass(frozen=True)
class Finding:
    """Something wrong (error) or worth a look (warning), at a sheet and cell."""

    severity: str  # ERROR or WARNING
    code: str
    bn: str
    en: str
    sheet: str | None = None
    cell: str | None = None

    def __post_init__(self) -> None:
        if len(self.bn) > MAX_MESSAGE:
            object.__setattr__(self, "bn", _clipped(self.bn, "টি অক্ষর বাদ"))
        if len(self.en) > MAX_MESSAGE:
            object.__setattr__(self, "en", _clipped(self.en, " characters left out"))

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    @property
    def message(self) -> str:
        return f"{self.bn}\n{self.en}"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_dict(self) -> dict:
        return {
            "severity": self.severity,
            "code": self.code,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message,
            "message_bn": self.bn,
            "message_en": self.en,
        }


def _clipped(text: str, left_out: str) -> str:
    """`text` with its middle left out, and how much, never parting a letter from its signs."""
    head, tail = _boundary(text, _HEAD), _boundary(text, len(text) - _TAIL)
    count = str(tail - head)
    if left_out.startswith("টি"):
        count = count.translate(_BANGLA_DIGITS)  # (this layer is below generator.text)
    return f"{text[:head]} … [{count}{left_out}] … {text[tail:]}"


def _boundary(text: str, at: int) -> int:
    """`at`, or the nearest place before it where a cut leaves every sign with its letter (no vowel sign, mark
    or joiner after it, no hasanta or joiner before it)."""
    while 0 < at < len(text) and (unicodedata.category(text[at]).startswith("M") or text[at] in "\u200c\u200d"
                                  or text[at - 1] in "\u09cd\u200c\u200d"):
        at -= 1
    return at


def error(code: str, bn: str, en: str, sheet: str | None = None, cell: str | None = None) -> Finding:
    return Finding(ERROR, code, bn, en, sheet, cell)


def warning(code: str, bn: str, en: str, sheet: str | None = None, cell: str | None = None) -> Finding:
    return Finding(WARNING, code, bn, en, sheet, cell)


def has_errors(findings: list[Finding]) -> bool:
    return any(f.is_error for f in findings)


class GenError(Exception):
    """A refusal or a fault, told as a finding: a stable code, what happened in Bangla and in English, and
    where when a cell is to blame. Every error the service raises on purpose is one of these."""

    code = "error"

    def __init__(self, code: str | None, bn: str, en: str, sheet: str | None = None, cell: str | None = None):
        super().__init__(en)
        self.code = code or type(self).code
        self.bn, self.en, self.sheet, self.cell = bn, en, sheet, cell

    @property
    def finding(self) -> Finding:
        return Finding(ERROR, self.code, self.bn, self.en, self.sheet, self.cell)

    @property
    def findings(self) -> list[Finding]:
        return [self.finding]


class PlaceError(GenError):
    """A fault at a place (a file, a folder, a database): told as 'path: cause'."""

    path: object
    cause: str

    def __str__(self) -> str:
        return f"{self.path}: {self.cause}"


class Refused(GenError):
    """Refused for the findings given, each at its cell (a workbook that cannot be used for what was asked)."""

    def __init__(self, findings: list[Finding]):
        first = findings[0] if findings else Finding(ERROR, "refused", "", "")
        super().__init__(first.code, first.bn, "; ".join(f.en for f in findings), first.sheet, first.cell)
        self._findings = list(findings)

    @property
    def findings(self) -> list[Finding]:
        return self._findings
