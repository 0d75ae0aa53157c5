"""Seed 000 (Chattogram City Corporation, Citizen Charter 2023-24, Q1) rebuilt from its workbook."""

import re

import pytest
from docx import Document

from generator.service import pipeline
from tests.support.docx import W, docx_paragraphs, docx_text, docx_xml

SEED_SUBJECT = "সেবা প্রদান প্রতিশ্রুতি বিষয়ক কর্মপরিকল্পনা ২০২৩-২০২৪ এর ১ম ত্রৈমাসিকের অগ্রগতি প্রতিবেদন প্রেরণ প্রসঙ্গে।"
# Seed 000 writes "চট্টগ্রাম সিটি কর্পোরেশন সেবা প্রদান…" without the possessive; the other seeds' bodies name
# the office in the possessive (…কর্পোরেশনের), and issue 23 asks the same of every plan: so does this one.
SEED_BODY = (
    "উপর্যুক্ত বিষয়ের প্রেক্ষিতে, চট্টগ্রাম সিটি কর্পোরেশনের সেবা প্রদান প্রতিশ্রুতি বিষয়ক কর্মপরিকল্পনা "
    "২০২৩-২০২৪ এর ১ম ত্রৈমাসিকের (জুলাই ২০২৩-সেপ্টেম্বর ২০২৩ পর্যন্ত) অগ্রগতি প্রতিবেদন মহোদয়ের "
    "সদয় অবগতি ও প্রয়োজনীয় ব্যবস্থা গ্রহণের জন্য প্রেরণ করা হলো।"
)
SEED_ANNEX_TITLE = (
    "সেবা প্রদান প্রতিশ্রুতি বিষয়ক কর্মপরিকল্পনার ২০২৩-২০২৪ এর ১ম ত্রৈমাসিক "
    "(জুলাই ২০২৩ হতে সেপ্টেম্বর ২০২৩ পর্যন্ত)-এর অগ্রগতি প্রতিবেদন"
)
# The seed's annex rows: indicator, unit, weight, the five level targets, and the progress text.
SEED_ROWS = [
    ("[১.১.১] সেবা প্রদান প্রতিশ্রুতি হালনাগাদকরণকৃত", "সংখ্যা", "১০", ["৪", "৩", "২", "১", "-"],
     "৪/১০/২০২৩ খ্রি. তারিখে হালনাগাদ করা হয়েছে।"),
    ("[১.২.১] দপ্তর/ সংস্থায় সেবা প্রদান প্রতিশ্রুতি হালনাগাদকৃত অবহিতকরণ সভা আয়োজিত", "সংখ্যা", "৫",
     ["৪", "৩", "২", "১", "-"], "২৪.০৯.২০২৩ খ্রি. তারিখে স্টেকহোল্ডারের সমন্বয়ে অবহিতকরণ সভা আয়োজন করা হয়েছে।"),
    ("[২.১.১] সভা আয়োজিত/ প্রতিবেদন প্রেরিত", "সংখ্যা", "৪", ["৪", "৩", "২", "১", "-"],
     "প্রতিবেদন প্রস্তুত করা হয়েছে।"),
    ("[২.২.১] কর্মশালা/ প্রশিক্ষণ/ সেমিনার আয়োজিত/ বার্ষিক প্রতিবেদন প্রেরিত", "সংখ্যা", "৬",
     ["১", "-", "-", "-", "-"],
     "২য় কোয়ার্টারে প্রশিক্ষণ/ কর্মশালা/ সেমিনার আয়োজন করা হবে এবং ৪র্থ কোয়ার্টারে বার্ষিক প্রতিবেদন প্রণয়ন করা হবে।"),
]


@pytest.fixture
def built(cc_example, out, state):
    result = pipeline.build(cc_example, out_root=out, state_dir=state)
    assert result.status == "built", [f.message for f in result.issues]
    return result


def test_outputs_land_under_year_office_kind_period(built, out):
    letter, annex = map(lambda p: p.replace("\\", "/"), built.outputs)
    assert letter.startswith(str(out).replace("\\", "/") + "/2023-24/চট্টগ্রাম সিটি কর্পোরেশন/cc-q1/")
    assert letter.endswith("-letter.docx") and annex.endswith("-annex.docx")
    assert (built.kind, built.fiscal_year, built.period) == ("cc", "2023-24", "q1")


def test_letter_carries_the_seed_memo_dates_subject_and_body(built):
    text = docx_text(built.outputs[0])
    assert built.memo == "৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২"
    assert "স্মারক: ৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২" in text
    assert "২৫ আশ্বিন ১৪৩০" in text
    assert "১০ অক্টোবর ২০২৩" in text
    assert "বিষয়: " + SEED_SUBJECT in text
    assert SEED_BODY in text
    assert "সংযুক্তি: ১ (এক) পৃষ্ঠা" in text
    assert "সূত্র" not in text  # no reference in the seed


def test_letter_has_letterhead_recipient_attention_and_signature(built):
    paras = docx_paragraphs(built.outputs[0])
    assert paras.index("চট্টগ্রাম সিটি কর্পোরেশন") < paras.index("চট্টগ্রাম।")
    for line in ("সচিব", "স্থানীয় সরকার বিভাগ", "স্থানীয় সরকার, পল্লী উন্নয়ন ও সমবায় মন্ত্রণালয়",
                 "বাংলাদেশ সচিবালয়, ঢাকা।", "দৃষ্টি আকর্ষণ: উপসচিব, সিটি কর্পোরেশন-২ শাখা, স্থানীয় সরকার বিভাগ",
                 "প্রধান নির্বাহী কর্মকর্তা (ভারপ্রাপ্ত)", "ফোন: ০২৩৩৩৩৮৮৮০৬", "ই-মেইল: ceo@ccc.gov.bd",
                 "www.ccc.gov.bd"):
        assert line in paras, line
    assert "অনুলিপি: সদয় অবগতির জন্য" not in paras  # the seed sends no copies
    assert not any("{{" in p or "{%" in p for p in paras)


def test_annex_title_and_rows_match_the_seed(built):
    annex = built.outputs[1]
    paras = docx_paragraphs(annex)
    assert "সেবা প্রদান প্রতিশ্রুতি বিষয়ক কর্মপরিকল্পনা ২০২৩-২০২৪" in paras
    assert SEED_ANNEX_TITLE in paras
    table = Document(str(annex)).tables[0]
    header_text = " ".join(c.text for row in table.rows[:4] for c in row.cells)
    for label in ("লক্ষ্যমাত্রা ২০২৩-২০২৪", "অসাধারণ", "অতি উত্তম", "উত্তম", "চলতি মান", "চলতি মানের নিম্নে",
                  "১০০%", "৯০%", "৮০%", "৭০%", "৬০%", "অগ্রগতি প্রতিবেদন ১ম কোয়ার্টার"):
        assert label in header_text, label
    assert [c.text for c in table.rows[3].cells] == [f"({n})" for n in "১ ২ ৩ ৪ ৫ ৬ ৭ ৮ ৯ ১০ ১১ ১২".split()]
    data, signatures = table.rows[4:-1], table.rows[-1]
    assert len(data) == len(SEED_ROWS)
    assert "খালেদ মাহমুদ" in signatures.cells[0].text
    for row, (indicator, unit, weight, targets, progress) in zip(data, SEED_ROWS):
        cells = [c.text for c in row.cells]
        assert cells[3:] == [indicator, unit, weight, *targets, progress]
    assert data[0].cells[0].text == "প্রাতিষ্ঠানিক কার্যক্রম" and data[0].cells[1].text == "১৫"
    assert data[2].cells[0].text == "বাস্তবায়ন সক্ষমতা উন্নয়ন" and data[2].cells[1].text == "১০"
    assert data[0].cells[2].text.startswith("[১.১] ত্রৈমাসিক ভিত্তিতে নিজ দপ্তরের")


def test_annex_area_cells_merge_per_area_not_per_column(built):
    body = Document(str(built.outputs[1])).tables[0]._tbl
    rows = body.findall(f"{W}tr")[4:-1]  # the last row holds the signatures

    def merge(tr, index):
        tc = tr.findall(f"{W}tc")[index]
        vm = tc.find(f"{W}tcPr/{W}vMerge")
        return None if vm is None else (vm.get(f"{W}val") or "continue")

    assert [merge(tr, 0) for tr in rows] == ["restart", "continue", "restart", "continue"]
    assert [merge(tr, 1) for tr in rows] == ["restart", "continue", "restart", "continue"]
    assert [merge(tr, 2) for tr in rows] == ["restart", "restart", "restart", "restart"]
    assert [merge(tr, 3) for tr in rows] == [None] * 4


def test_annex_is_landscape_with_repeated_headers(built):
    doc = Document(str(built.outputs[1]))
    section = doc.sections[0]
    assert section.page_width > section.page_height
    xml = docx_xml(built.outputs[1])
    assert xml.count("<w:tblHeader") == 4


def test_bangla_font_slots_size_bold_and_language(built):
    for path in built.outputs:
        styles = docx_xml(path, "word/styles.xml")
        assert re.search(r'<w:rFonts [^>]*w:cs="Nikosh"', styles)
        assert "<w:szCs " in styles and 'w:bidi="bn-BD"' in styles
        fonts = docx_xml(path, "word/fontTable.xml")
        assert 'w:name="Nikosh"' in fonts and "<w:altName" in fonts
    letter = docx_xml(built.outputs[0])
    assert "<w:bCs/>" in letter  # bold subject applies to Bangla text too


def test_same_workbook_twice_keeps_its_memo(cc_example, out, state):
    first = pipeline.build(cc_example, out_root=out, state_dir=state)
    again = pipeline.build(cc_example, out_root=out, state_dir=state)
    assert first.memo == again.memo and again.memo_reused
