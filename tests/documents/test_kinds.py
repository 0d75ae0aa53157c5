"""Every kind: its blank workbook filled by key with another office's data builds; every example builds."""

import datetime as dt
from pathlib import Path

import pytest

from generator.xlsx import examples
from generator.xlsx import filling
from generator.spec import kinds
from generator.service import pipeline
from generator.spec.paths import EXAMPLES_DIR, XLSX_DIR
from tests.support.docx import docx_paragraphs, docx_text
from tests.support.workbooks import MYMENSINGH, ROWS
from tests.support.workbooks import NIS_ROWS

EXAMPLES = sorted(EXAMPLES_DIR.glob("*.json"))


@pytest.mark.parametrize("source", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_builds(tmp_path, source):
    path = examples.write(source, tmp_path / (source.stem + ".xlsx"))
    result = pipeline.build(path, out_root=tmp_path / "out", state_dir=tmp_path / "state")
    assert result.status == "built", [i.message for i in result.issues]
    assert all(Path(p).exists() for p in result.outputs)
    assert not any(i.severity == "error" for i in result.issues)


def test_committed_example_workbooks_match_their_sources(tmp_path):
    from openpyxl import load_workbook

    for source in EXAMPLES_DIR.rglob("*.json"):
        fresh = load_workbook(examples.write(source, tmp_path / "x.xlsx"))
        kept = load_workbook(source.with_suffix(".xlsx"))
        for name in fresh.sheetnames:
            got = [[c.value for c in row] for row in kept[name].iter_rows()]
            want = [[c.value for c in row] for row in fresh[name].iter_rows()]
            assert got == want, f"{source.name}: run `make examples`"


MINUTES_LETTER = {
    "office_name": "জেলা প্রশাসকের কার্যালয়, দিনাজপুর", "office_address": "দিনাজপুর।",
    "title": "অভিযোগ প্রতিকার ব্যবস্থা বিষয়ক ২য় ত্রৈমাসিক সভার কার্যবিবরণী", "chair": "মোঃ আব্দুল করিম",
    "chair_designation": "জেলা প্রশাসক", "meeting_date": dt.datetime(2023, 12, 20), "meeting_time": "বিকাল ৩:০০ টা",
    "venue": "সম্মেলন কক্ষ", "attendance": "পরিশিষ্ট 'ক'", "opening": "সভাপতি সবাইকে স্বাগত জানান।",
    "memo_prefix": "০৫.৫৫.২৭০০.০০৫.১৮.০০১.২৩", "recipient": None,
    "issuer_name": "মোঃ রফিকুল ইসলাম", "issuer_designation": "সহকারী কমিশনার",
}
MINUTES_ROWS = [{"no": 1, "topic": "অভিযোগ নিষ্পত্তি", "discussion": "আলোচনা হয়।", "decision": "নিষ্পত্তি করতে হবে।",
                 "implementer": "সকল শাখা"}]


def test_minutes_template_filled_by_key_builds(tmp_path):
    letter = {k: v for k, v in MINUTES_LETTER.items() if v is not None}
    path = filling.fill(XLSX_DIR / "minutes.xlsx", tmp_path / "m.xlsx", letter, MINUTES_ROWS)
    result = pipeline.build(path, out_root=tmp_path / "out", state_dir=tmp_path / "s", default_date=dt.date(2023, 12, 24))
    assert result.status == "built", [i.message for i in result.issues]
    (minutes,) = result.outputs
    assert minutes.endswith("-১/minutes-2023-12-20.docx") and "/2023-24/" in minutes
    assert "/minutes-2023-12-20/versions/" in minutes
    text = docx_text(minutes)
    assert "২০ ডিসেম্বর ২০২৩" in text and "০৫.৫৫.২৭০০.০০৫.১৮.০০১.২৩-১" in text and "৯ পৌষ ১৪৩০" in text
    assert "নিষ্পত্তি করতে হবে।" in text


@pytest.mark.parametrize("kind", [k for k in kinds.KINDS if k != "minutes"], ids=[k for k in kinds.KINDS if k != "minutes"])
def test_blank_template_filled_by_key_builds(tmp_path, kind):
    spec = kinds.KINDS[kind]
    period = {"egov": "বার্ষিক"}.get(kind, "৪র্থ ত্রৈমাসিক")
    rows = [dict(r) for r in (NIS_ROWS if spec.scoring == kinds.BY_QUARTERS else ROWS)]
    if "evidence" in spec.columns:
        rows[0]["evidence"] = "ওয়েবসাইটের লিংক"
    if "self_score" in spec.columns:
        rows[0]["self_score"] = rows[0]["weight"]
    path = filling.fill(XLSX_DIR / f"{kind}.xlsx", tmp_path / f"{kind}.xlsx", dict(MYMENSINGH, period=period), rows)
    result = pipeline.build(path, out_root=tmp_path / "out", state_dir=tmp_path / "s", default_date=dt.date(2023, 7, 10))
    assert result.status == "built", [i.message for i in result.issues]
    letter, annex = result.outputs
    assert spec.plan in docx_text(letter)
    assert "২৬ আষাঢ় ১৪৩০" in docx_text(letter) and "১০ জুলাই ২০২৩" in docx_text(letter)
    assert "হালনাগাদকৃত" in docx_text(annex)
    if "evidence" in spec.annex_columns:
        assert "ওয়েবসাইটের লিংক" in docx_paragraphs(annex)
    if any(d.total_row for d in spec.documents):
        assert any(p.startswith("মোট প্রাপ্ত স্কোর (এ সময় পর্যন্ত মূল্যায়নযোগ্য সূচকের মোট মান") for p in docx_paragraphs(annex))


def test_kinds_command_lists_them():
    from click.testing import CliRunner

    from generator.cli import main

    out = CliRunner().invoke(main, ["kinds"]).output
    assert all(k in out for k in kinds.KINDS)
