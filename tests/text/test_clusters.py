"""Bangla signs with no letter to sit on (text/clusters.py): found wherever a shaper would draw a dotted circle,
never in Bangla as it is written, and named at their cell by the checks."""

from __future__ import annotations

import itertools
import json
import unicodedata
from pathlib import Path

import pytest
import uharfbuzz as hb

from generator.documents import fit
from generator.rules import validate
from generator.text import clusters
from generator.xlsx import reading
from tests.support.workbooks import MYMENSINGH, ROWS, fill_cc

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"  # the seed letters' texts, as workbooks hold them
# a consonant of each kind, nukta, the vowel signs, hasanta, the signs, vowels, joiners, a space, Latin, a digit
ALPHABET = ["ক", "য", "র", "ৎ", "ড়", "\u09bc", "\u09be", "\u09bf", "\u09c1", "\u09c7", "\u09cb", "\u09d7",
            "\u09e2", "\u09cd", "\u0981", "\u0982", "\u0983", "অ", "এ", "\u200d", "\u200c", " ", "a", "১"]


@pytest.fixture(scope="module")
def dotted_circle():
    """Whether HarfBuzz's Bengali shaper, with the documents' Bangla font, draws a text with a dotted circle."""
    path = fit._font_file()
    assert path, "no Bangla font: fc-match finds none of generator.documents.fit.FONTS"
    font = hb.Font(hb.Face(hb.Blob.from_file_path(path)))
    circle = font.get_nominal_glyph(0x25CC)
    assert circle

    def drawn(text: str) -> bool:
        buf = hb.Buffer()
        buf.add_str(text)
        buf.guess_segment_properties()
        buf.script, buf.direction = "beng", "ltr"  # as a Bangla run of a line is shaped
        hb.shape(font, buf, {})
        return any(g.codepoint == circle for g in buf.glyph_infos)

    return drawn


def test_every_sign_drawn_on_a_dotted_circle_is_found(dotted_circle):
    texts = ["".join(t) for n in (1, 2, 3) for t in itertools.product(ALPHABET, repeat=n)]
    texts = [t for t in texts if unicodedata.normalize("NFC", t) == t]
    circled = [t for t in texts if dotted_circle(t)]
    assert len(circled) > 1000  # the comparison means something
    missed = [[f"U+{ord(c):04X}" for c in t] for t in circled if not clusters.stray_signs(t)]
    assert missed == []


def test_bangla_as_written_is_never_flagged(dotted_circle):
    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, (list, dict)):
            for v in value.values() if isinstance(value, dict) else value:
                yield from strings(v)

    words = {w for example in EXAMPLES.glob("*.json") for text in strings(json.loads(example.read_text("utf-8")))
             for w in unicodedata.normalize("NFC", text).split()}
    words |= {"র\u200d্যাব", "ক্\u200cষ", "অ্যাডভোকেট", "চাঁদ", "সংস্থা", "দুঃখ", "য়", "কোয়\u200dার্টার", "ৎ"}
    assert len(words) > 500
    assert [w for w in words if clusters.stray_signs(w) and not dotted_circle(w)] == []
    assert [w for w in words if clusters.stray_signs(w)] == []


@pytest.mark.parametrize("text, words", [
    ("েসবা প্রদান প্রিতশ্রুিত", ["েসবা", "প্রিতশ্রুিত"]),
    ("ি সভা", ["ি"]),
    ("কাজ ্ ।", ["্"]),
    ("উপসচিব, \u09bcশাখা-২", ["\u09bcশাখা-২"]),
    ("অিভযান ১া", ["অিভযান", "১া"]),
    ("সেবা প্রদান প্রতিশ্রুতি", []),
])
def test_the_words_named(text, words):
    assert clusters.stray_signs(text) == words


def test_a_cell_in_visual_order_is_warned_at_its_cell_and_still_built(tmp_path):
    rows = [dict(ROWS[0], remarks="েসবা প্রদান হেয়েছ")] + ROWS[1:]
    letter = dict(MYMENSINGH, attention="উপসচিব, শাখা-২")
    raw = reading.read(fill_cc(tmp_path, letter, rows))
    report, findings = validate.check(raw)
    assert report is not None
    stray = [f for f in findings if f.code == "stray-bangla-sign"]
    assert [(f.severity, f.sheet, f.cell) for f in stray] == [("warning", raw.table_sheet, raw.plan_rows[0][1]["remarks"].ref)]
    assert "'েসবা' " in stray[0].bn and "হেয়েছ" not in stray[0].bn and "dotted circle" in stray[0].en
