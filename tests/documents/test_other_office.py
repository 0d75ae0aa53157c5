"""The blank template, filled by key with another office's data, builds: memo from the register, standard wording."""

import datetime as dt

from generator.service import pipeline
from tests.support.docx import docx_paragraphs, docx_text, docx_xml
from tests.support.workbooks import fill_cc
from tests.support.workbooks import MYMENSINGH, ROWS


def test_another_office_builds_with_register_memo_and_reference_wording(tmp_path, out, state):
    path = fill_cc(tmp_path, MYMENSINGH, ROWS)
    result = pipeline.build(path, out_root=out, state_dir=state, default_date=dt.date(2023, 1, 5))
    assert result.status == "built", [f.message for f in result.issues]
    assert result.memo == "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২-১"
    letter = docx_text(result.outputs[0])
    assert "২১ পৌষ ১৪২৯" in letter and "০৫ জানুয়ারি ২০২৩" in letter
    assert "বিষয়: সেবা প্রদান প্রতিশ্রুতি বিষয়ক কর্মপরিকল্পনা ২০২২-২৩ এর ২য় ত্রৈমাসিকের অগ্রগতি প্রতিবেদন প্রেরণ প্রসঙ্গে।" in letter
    assert "উপর্যুক্ত বিষয় ও সূত্রের প্রেক্ষিতে, ময়মনসিংহ সিটি কর্পোরেশন" in letter
    assert "(অক্টোবর ২০২২-ডিসেম্বর ২০২২ পর্যন্ত)" in letter
    assert "সূত্র: স্থানীয় সরকার বিভাগের স্মারক নং-৪৬.০০.০০০০.০৭১.১৪.০৫২.২০২২-৬৭" in letter
    assert "সংযুক্তি: ১ (এক) ফর্দ" in letter
    paras = docx_paragraphs(result.outputs[0])
    assert "১। মাননীয় মেয়র, ময়মনসিংহ সিটি কর্পোরেশন, ময়মনসিংহ।" in paras and "২। সংশ্লিষ্ট নথি।" in paras
    assert "ই-মেইল: ceo.mcc2018@gmail.com" in paras  # Latin stays Latin


def test_annex_values_in_bangla_digits_and_special_characters_kept(tmp_path, out, state):
    path = fill_cc(tmp_path, MYMENSINGH, ROWS)
    result = pipeline.build(path, out_root=out, state_dir=state, default_date=dt.date(2023, 1, 5))
    annex = docx_text(result.outputs[1])
    assert "২\nPSC & PIC <সভা> হয়েছে" in annex
    assert "২</w:t><w:br/><w:t xml:space=\"preserve\">PSC &amp; PIC &lt;সভা&gt;" in docx_xml(result.outputs[1])
    assert "[১.১] সেবা প্রদান প্রতিশ্রুতি হালনাগাদকরণ" in annex and "[১.১.২] ওয়েবসাইটে প্রকাশিত" in annex
    # dates in the numbers' columns, Excel dates or typed ('২০/১২/২০২২'), as the seed tables write them
    for text in ("১০০%", "৯০%", "৮০%", "৯৫%", "১৫/১২/২২", "২০/১২/২২", "১০/১২/২২"):
        assert text in annex, text
    assert "২০২২\n" not in annex
    assert "উম্মে হালিমা" in annex and "নগর পরিকল্পনাবিদ" in annex
    assert "2" not in annex.replace("PSC", "")  # every number in Bangla digits


def test_second_workbook_gets_the_next_serial(tmp_path, out, state):
    first = pipeline.build(fill_cc(tmp_path, MYMENSINGH, ROWS, "a.xlsx"), out_root=out, state_dir=state)
    other = dict(MYMENSINGH, period="৩য় ত্রৈমাসিক")
    second = pipeline.build(fill_cc(tmp_path, other, ROWS, "b.xlsx"), out_root=out, state_dir=state)
    assert first.memo.endswith("-১") and second.memo.endswith("-২")
