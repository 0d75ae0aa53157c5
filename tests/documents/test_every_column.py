"""Every column a workbook offers reaches the documents: filled with a value found nowhere else, each one is
in the text of the built letter, annex or minutes (seed 001's second visit date, typed in the e-gov
remarks, was silently dropped)."""

import re
from pathlib import Path

import pytest

from generator.xlsx import examples
from generator.xlsx import filling
from generator.spec import kinds
from generator.service import pipeline
from generator.text.bangla import to_bangla_digits
from generator.spec.paths import EXAMPLES_DIR, XLSX_DIR
from tests.support.docx import docx_text

# Columns read but not printed, and why.
MACHINE_ONLY = {
    "self_score": "the office's own score: compared with the computed one and reported as a finding",
    "counting": "how the row is scored; the score's explanation (web page, --json) names it",
}
CODES = {"area_no": "area", "activity_no": "activity", "indicator_no": "indicator"}
NUMBERS = {  # two rows of one area: weights add up to the area's, targets fall from 100% to 60%
    "area_weight": ("১৩.৭", ""), "weight": ("৬.২", "৭.৫"),
    "target_100": ("৯১.৩", "৯১"), "target_90": ("৮২.৭", "৮২"), "target_80": ("৭৩.১", "৭৩"),
    "target_70": ("৬৪.৯", "৬৪"), "target_60": ("৫৫.৩", "৫৫"), "achieved": ("৪৮.৬", "৪৮"),
    "annual_target": ("৮৮.৪", "৮৮"),
    **{f"q{q}_{part}": (to_bangla_digits(f"{q}{n}.{q}"), "১") for q in range(1, 5)
       for part, n in (("target", 1), ("achieved", 2))},
    "self_score": ("", ""), "no": ("৩৭", "৩৮"),
}


def _example(kind: kinds.Kind) -> Path:
    return next(p for p in sorted(EXAMPLES_DIR.glob(f"{kind.id}-*.json")))


def _value(key: str, row: int) -> str:
    if key in NUMBERS:
        return NUMBERS[key][row]
    if key in CODES:
        return {"area_no": ("৯", ""), "activity_no": ("৯.৮", ""), "indicator_no": ("৯.৮.৭", "৯.৮.৬")}[key][row]
    if key == "unit":
        return "সংখ্যা"
    if key == "counting":
        return ""
    if key in ("area", "activity") and row:
        return ""  # continues the row above
    return f"চিহ্ন{key}{'ক' if row == 0 else 'খ'}"


@pytest.mark.parametrize("kind_id", list(kinds.KINDS))
def test_every_offered_column_is_printed(tmp_path, kind_id):
    kind = kinds.KINDS[kind_id]
    letter = examples.load(_example(kind))["letter"]
    rows = [{key: _value(key, i) for key in kind.columns} for i in range(2)]
    source = filling.fill(XLSX_DIR / f"{kind.id}.xlsx", tmp_path / "every.xlsx", letter, rows)
    result = pipeline.build(source, out_root=tmp_path / "out", state_dir=tmp_path / "state")
    assert result.ok, [(f.cell, f.en) for f in result.issues if f.severity == "error"]
    text = "\n".join(docx_text(Path(p)) for p in result.outputs).replace("\u200b", "")
    flat = re.sub(r"\s+", " ", text)
    missing = []
    for key in kind.columns:
        if key in MACHINE_ONLY:
            continue
        for i, row in enumerate(rows):
            value = row[key]
            if not value:
                continue
            if key in CODES:
                named = next((r[CODES[key]] for r in rows[i::-1] if r.get(CODES[key])), "")
                found = re.search(re.escape(value) + r"\]?\.? " + re.escape(named), flat) if named else value in flat
            else:
                found = value in flat
            if not found:
                missing.append((key, value))
    assert missing == []


def test_machine_only_columns_are_offered_somewhere():
    offered = {key for kind in kinds.KINDS.values() for key in kind.columns}
    assert set(MACHINE_ONLY) <= offered
