"""Characters a Word file cannot hold (XML 1.0 forbids them): the C0 control characters other than tab, line
feed and carriage return, and U+FFFE, U+FFFF. They reach a cell unseen (pasted from another program, or
written by one as `_x0001_`); a letter holding one would not open."""

from __future__ import annotations

import re

NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_BREAKS = re.compile("[\x0b\x0c]")  # a vertical tab or form feed: Word's line break pasted as text


def found(text: str) -> list[str]:
    """The forbidden characters in `text`, in order, once each."""
    return list(dict.fromkeys(NOT_IN_XML.findall(text)))


def removed(text: str) -> str:
    """`text` with each forbidden character removed; a vertical tab or form feed becomes a line break."""
    return NOT_IN_XML.sub("", _BREAKS.sub("\n", text))
