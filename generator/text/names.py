"""File and folder names as text. A name read from a disk whose bytes are not UTF-8 (a share mounted with the
wrong character set, a file copied from an old system) reaches Python with lone surrogates in it, which no text
file, database or terminal takes: such a name is told apart, and shown with each stray byte as \\xNN."""

from __future__ import annotations


def undecodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def escaped(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
