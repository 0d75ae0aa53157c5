"""Bijoy (SutonnyMJ) text: detected, converted, and reported with before and after."""

import datetime as dt
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.service import pipeline
from generator.text.bijoy import fix, looks_like_bijoy, to_unicode
from tests.support.docx import docx_text
from tests.support.workbooks import fill_cc
from tests.support.workbooks import MYMENSINGH, ROWS

def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


PHRASES = {
    "Avwg evsjvq Mvb MvB": "আমি বাংলায় গান গাই",
    "¯’vbxq miKvi wefvM": "স্থানীয় সরকার বিভাগ",
    "cÖavb wbe©vnx Kg©KZ©v": "প্রধান নির্বাহী কর্মকর্তা",
    "PÆMÖvg wmwU K‡c©v‡ikb": "চট্টগ্রাম সিটি কর্পোরেশন",
    "Kg©cwiKíbv": "কর্মপরিকল্পনা",
    "c~e©eZ©x": "পূর্ববর্তী",
    "mvwU©wd‡KU": "সার্টিফিকেট",
    "‡Kv‡U©i": "কোর্টের",
    "we‡klÁ": "বিশেষজ্ঞ",
    "Ae¯’vb": "অবস্থান",
    "cÖwZôvb": "প্রতিষ্ঠান",
}
ENGLISH = ["Executive Engineer (Electrical)", "Md. Masud", "www.khulnacity.org", "ceo@ccc.gov.bd", "PSC & PIC",
           "review", "Khulna City Corporation", "46.11.1600.001.18.041.23", "Engr. Zahid Hossain Shaikh",
           "E-mail: ceo.kcc.kln@gmail.com", "Dhaka", "Café", "naïve approach", "IT Manager", "Tel- 041-721304",
           "Secretary, Local Government Division", "2023-24", "Q1"]

# English as LibreOffice's autocorrect types it: curly quotes and apostrophes, en and em dashes, an ellipsis,
# ©, £ (each of them a letter in SutonnyMJ: “ is ু, ’ is ্থ, © is র্, £ is ্ভ্র, … is ৃ, – is ু)
AUTOCORRECTED_ENGLISH = [
    "Deputy Secretary (“City Corporation-2” Branch)", "Mr. O’Brien", "The office’s report – due 15 October…",
    "© 2023 Khulna City Corporation", "Fee: £5 per copy", "‘Smart Bangladesh’ — vision 2041",
    "Dr. D’Costa’s “e-Nothi” training…", "Don’t forget—it’s “urgent”", "Copyright © Cabinet Division",
    "Price £100 — 50% off", "Govt. of the People’s Republic of Bangladesh", "Room 3… see ‘Annex-2’",
    "Smart Bangladesh 2041 – “Digital” to “Smart”", "Open it in LibreOffice or PowerPoint", "eGov and eNothi",
    "ABC Pvt. Ltd.", "100 MWh and 50 kWh", "Café naïve Zürich", "Mr. Shahriar Kabir, Joint Secretary (Admin-1)",
    "Avenue Average Aviation", "Khwaja Newsletter Lawyer", "“Review” meeting’s minutes…",
]
MORE_PHRASES = {  # real SutonnyMJ, as offices type it
    "Dc‡Rjv wbe©vnx Awdmvi": "উপজেলা নির্বাহী অফিসার",
    "‡Rjv cÖkvmK, Lyjbv": "জেলা প্রশাসক, খুলনা",
    "†mev cÖ`vb": "সেবা প্রদান",
    "mfvi Kvh©weeiYx": "সভার কার্যবিবরণী",
    "c\xadU": "প্লট",  # ্ল after its consonant is Bijoy's, not a soft hyphen
    # found by a re-attack: an English-shaped word once the ্ল is taken out was left unconverted (cveb, wece, Kvm)
    "wec\xade": "বিপ্লব", "c\xadveb": "প্লাবন", "K\xadvm": "ক্লাস", "wec\xade I c\xadveb": "বিপ্লব ও প্লাবন",
}


SOFT_HYPHENATED_ENGLISH = ["Dhaka WA\xadSA", "LGED/AD\xadMIN/22", "RA\xadJUK", "BA\xadNG\xadLA\xadDESH"]


@pytest.mark.parametrize("text", AUTOCORRECTED_ENGLISH + SOFT_HYPHENATED_ENGLISH)
def test_autocorrected_english_is_not_bijoy(text):
    assert not looks_like_bijoy(text)
    assert fix(text) == (text, False)


@pytest.mark.parametrize("bijoy, unicode", MORE_PHRASES.items())
def test_more_bijoy_converts(bijoy, unicode):
    assert fix(bijoy) == (nfc(unicode), True)


def test_english_with_curly_quotes_in_a_workbook_is_printed_as_typed(tmp_path, out, state):
    letter = dict(MYMENSINGH, signatory_designation="Deputy Secretary (“City Corporation-2” Branch)",
                  signatory_name="Mr. O’Brien")
    rows = [dict(ROWS[0], remarks="“PSC” meeting held – 2 days…"), *ROWS[1:]]
    result = pipeline.build(fill_cc(tmp_path, letter, rows), out_root=out, state_dir=state,
                            default_date=dt.date(2023, 1, 5))
    assert result.ok and not [i for i in result.issues if i.code == "bijoy-converted"]
    letter_text = docx_text(result.outputs[0])
    assert "Deputy Secretary (“City Corporation-2” Branch)" in letter_text and "Mr. O’Brien" in letter_text
    assert "“PSC” meeting held – 2 days…" in docx_text(result.outputs[1])


@pytest.mark.parametrize("bijoy, unicode", PHRASES.items())
def test_phrases_convert(bijoy, unicode):
    assert looks_like_bijoy(bijoy)
    assert fix(bijoy) == (nfc(unicode), True)


@pytest.mark.parametrize("text", ENGLISH)
def test_english_is_left_alone(text):
    assert fix(text) == (text, False)


@given(st.text())
def test_never_raises_and_ignores_unicode_bangla(text):
    looks_like_bijoy(text)
    assert not looks_like_bijoy(text + " বাংলা")


def test_lines_kept():
    assert to_unicode("mwPe\nAvwg evsjvq") == nfc("সচিব\nআমি বাংলায়")


def test_bijoy_cells_are_converted_and_reported(tmp_path, out, state):
    letter = dict(MYMENSINGH, signatory_designation="cÖavb wbe©vnx Kg©KZ©v")
    rows = [dict(ROWS[0], remarks="Avwg evsjvq Mvb MvB"), *ROWS[1:]]
    result = pipeline.build(fill_cc(tmp_path, letter, rows), out_root=out, state_dir=state,
                            default_date=dt.date(2023, 1, 5))
    assert result.ok
    found = [i for i in result.issues if i.code == "bijoy-converted"]
    assert {(i.sheet, i.severity) for i in found} == {("পত্র", "warning"), ("কর্মপরিকল্পনা", "warning")}
    assert any("cÖavb wbe©vnx Kg©KZ©v" in i.en and nfc("প্রধান নির্বাহী কর্মকর্তা") in i.en for i in found)
    assert nfc("প্রধান নির্বাহী কর্মকর্তা") in nfc(docx_text(result.outputs[0]))
    assert nfc("আমি বাংলায় গান গাই") in nfc(docx_text(result.outputs[1]))


@pytest.mark.parametrize("typed, converted", [
    ("†Rjv cÖkvmK Rangpur (DC)", "জেলা প্রশাসক Rangpur (DC)"),
    ("Kg©kvjv Av‡qvRb\nWorkshop organised for the staff", "কর্মশালা আয়োজন\nWorkshop organised for the staff"),
    ("Ges Kvh©µg", "এবং কার্যক্রম"),
])
def test_bijoy_mixed_with_english_is_converted_word_by_word(typed, converted):
    """Before: the English words of a Bijoy cell were converted as if Bijoy (garbage), and a Bijoy line
    followed by its English translation was not converted at all."""
    assert fix(typed) == (converted, True)


def test_a_long_unbroken_cell_is_judged_in_linear_time():
    """Found by a hostile run: the address pattern reached across a word from every start (quadratic): one
    cell of 32,000 letters took 14 s, 17 such cells made a build time out. 200,000 letters took about 9 minutes
    before; now a fraction of a second (the bound is 40 times that, for a loaded machine)."""
    import time

    started = time.perf_counter()
    for text in ("x" * 200_000, "a.b" * 70_000, ("PÆMÖvg " * 30_000)):
        looks_like_bijoy(text)
    assert time.perf_counter() - started < 20


def test_a_soft_hyphen_in_an_english_prefix_or_office_is_no_bijoy(tmp_path, out, state):
    """Copied from a web page, `LGED/AD\\xadMIN/22` is the prefix LGED/ADMIN/22 (it went on as a garbled new
    sequence, খএঊউ/অউ্লগওঘ/২২-১) and `Dhaka WA\\xadSA` is Dhaka WASA, not ডঅ্লঝঅ."""
    memos = []
    for i, (prefix, office) in enumerate((("LGED/ADMIN/22", "Dhaka WASA"), ("LGED/AD\xadMIN/22", "Dhaka WA\xadSA"))):
        letter = dict(MYMENSINGH, memo_prefix=prefix, office_name=office, memo_serial=None, subject=f"subject {i}")
        result = pipeline.build(fill_cc(tmp_path, letter, ROWS, name=f"{i}.xlsx"), out_root=out, state_dir=state,
                                default_date=dt.date(2023, 1, 5))
        assert result.ok and not [f for f in result.issues if f.code == "bijoy-converted"], result.issues
        assert "Dhaka WA" in docx_text(result.outputs[0]) and "ডঅ" not in docx_text(result.outputs[0])
        memos.append(result.memo)
    assert memos == ["LGED/ADMIN/২২-১", "LGED/ADMIN/২২-২"], memos
