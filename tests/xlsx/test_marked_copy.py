"""The marked copy of a rejected workbook (openpyxl loads it whole) never costs the clerk the list of errors:
found by a hostile review, a picture openpyxl decodes to save, or many validations, made the copy fill the worker's
memory or time, and the worker's limit message replaced the real findings."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook

from generator.service import pipeline
from generator.xlsx import marked_copy
from tests.support import packages

PLAN = "কর্মপরিকল্পনা"


def _rejected(src, tmp_path, name="bad.xlsx"):
    wb = load_workbook(src)
    wb[PLAN]["F5"] = "abc"  # a weight that is not a number: a finding at a cell, so a copy is marked
    path = tmp_path / name
    wb.save(path)
    return path


def test_the_marked_copy_leaves_pictures_out(cc_example, tmp_path):
    path = packages.with_a_picture(_rejected(cc_example, tmp_path), tmp_path / "picture.xlsx")
    result = pipeline.build(path, out_root=tmp_path / "out", state_dir=tmp_path / "state")
    assert result.status == "rejected" and (PLAN, "F5") in [(i.sheet, i.cell) for i in result.issues]
    [marked] = [p for p in result.outputs if p.endswith(".annotated.xlsx")]
    with zipfile.ZipFile(marked) as z:
        assert not [n for n in z.namelist() if n.startswith("xl/media/")]
    assert load_workbook(marked)[PLAN]["F5"].comment is not None


def test_a_workbook_of_many_rules_gets_its_errors_without_a_marked_copy(cc_example, tmp_path):
    bad = _rejected(cc_example, tmp_path)
    many = packages.with_validations(bad, tmp_path / "many.xlsx", marked_copy.MAX_RULES + 1)
    result = pipeline.build(many, out_root=tmp_path / "out", state_dir=tmp_path / "state")
    assert result.status == "rejected" and (PLAN, "F5") in [(i.sheet, i.cell) for i in result.issues]
    assert [p.rsplit(".", 2)[-2:] for p in result.outputs] == [["errors", "txt"]]
    few = packages.with_validations(bad, tmp_path / "few.xlsx", 50)
    assert marked_copy.annotate(few, list(result.issues)) is not None
    assert marked_copy._rules(io.BytesIO(few.read_bytes()).getvalue()) >= 50
