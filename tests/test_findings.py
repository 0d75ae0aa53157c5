"""A message that quotes a hostile cell whole is cut in its middle: the report of one workbook stays a report,
not the workbook's text three times over (a 30 000-character cell quoted in each of its findings)."""

from __future__ import annotations

import dataclasses
import unicodedata

from generator import findings
from generator.findings import MAX_MESSAGE, error, warning
from generator.xlsx import package
from generator.service import pipeline
from tests.support.packages import shared_text_bomb


def test_a_message_quoting_a_long_value_keeps_its_start_and_its_end():
    long_bn = "'" + "ক্ষি" * 2000 + "' একটি সংখ্যা হতে হবে, যেমন: ১০ বা ২.৫।"
    long_en = "'" + "x" * 30_000 + "' must be a number, e.g. 10 or 2.5 (weight)."
    f = error("bad-number", long_bn, long_en, "কর্মপরিকল্পনা", "F70")
    assert len(f.bn) <= MAX_MESSAGE and len(f.en) <= MAX_MESSAGE
    assert f.en.startswith("'xxx") and f.en.endswith("' must be a number, e.g. 10 or 2.5 (weight).")
    assert f.bn.endswith("' একটি সংখ্যা হতে হবে, যেমন: ১০ বা ২.৫।")
    head, _, rest = f.en.partition(" … [")
    count, _, tail = rest.partition(" characters left out] … ")
    assert long_en == head + long_en[len(head):len(head) + int(count)] + tail and len(head) + int(count) + len(
        tail) == len(long_en)
    assert "টি অক্ষর বাদ]" in f.bn and not any(c.isascii() and c.isdigit() for c in f.bn.split("[")[1].split("]")[0])
    assert (f.sheet, f.cell, f.code) == ("কর্মপরিকল্পনা", "F70", "bad-number")


def test_no_cut_parts_a_letter_from_its_signs():
    for filler in ("ক্ষি", "স্ত্রী", "র‍্যা", "কোঁ"):  # conjuncts, a joiner, a sign over a vowel sign
        for shift in range(len(filler)):
            text = "অ" * shift + filler * 1500
            clipped = warning("x", text, "x").bn
            head, _, rest = clipped.partition(" … [")
            tail = rest.partition("] … ")[2]
            assert not unicodedata.category(tail[0]).startswith("M") and tail[0] not in "\u200c\u200d", (filler, shift)
            assert head[-1] not in "\u09cd\u200c\u200d", (filler, shift)
            assert "ক্ষি" * 2 in clipped or filler != "ক্ষি"


def test_short_messages_and_the_examples_are_as_they_were():
    text = "x" * MAX_MESSAGE
    assert error("c", text, text).en == text
    clipped = error("c", text + "y", text)
    assert dataclasses.replace(clipped, code="d").en == clipped.en  # made again (a replace): cut once, not twice
    assert findings._clipped  # the cut is the finding's own: every route (the terminal, JSON, reports, the page)


def test_the_report_of_a_workbook_of_long_cells_stays_small(cc_example, tmp_path):
    """320 cells of 30 000 characters (9.6 million, under the shared text limit), 143 findings: its report was
    33 MB before (each cell quoted whole in the findings about it), 1.4 MB now."""
    path = shared_text_bomb(cc_example, tmp_path / "long.xlsx", cells=320, length=30_000)
    assert 320 * 30_000 <= package.MAX_TEXT
    result = pipeline.build(path, out_root=tmp_path / "out", state_dir=tmp_path / "state")
    assert result.status == "rejected" and len(result.issues) > 100
    assert all(len(i.bn) <= MAX_MESSAGE and len(i.en) <= MAX_MESSAGE for i in result.issues)
    report = next(p for p in result.outputs if p.endswith(".errors.txt"))
    assert open(report, "rb").seek(0, 2) < 2_000_000
