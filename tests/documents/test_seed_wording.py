"""Issue 23, the seeds' wording: golden texts of what a letter and an annex say, built from workbooks filled by
key (no LibreOffice): the half year and the year named as the seeds name them, the progress column's heading,
the office's possessive, year-to-date titles, units kept on totals, a total that says what its figure is, the
letterhead's lines and the memo's separator."""

import datetime as dt

import pytest

from generator.service import pipeline
from generator.spec.paths import XLSX_DIR
from generator.xlsx import filling
from tests.support.docx import docx_paragraphs, docx_text
from tests.support.workbooks import MYMENSINGH, NIS_ROWS, ROWS


def build(tmp_path, kind, letter=None, rows=None, period="২য় ত্রৈমাসিক", name="w"):
    fields = dict(MYMENSINGH, period=period, **(letter or {}))
    fields = {k: v for k, v in fields.items() if v is not None}
    path = filling.fill(XLSX_DIR / f"{kind}.xlsx", tmp_path / f"{name}.xlsx", fields, rows or ROWS)
    return pipeline.build(path, out_root=tmp_path / "out", state_dir=tmp_path / "s", default_date=dt.date(2023, 7, 10))


def built(tmp_path, kind, **kw):
    result = build(tmp_path, kind, **kw)
    assert result.status == "built", [i.message for i in result.issues]
    return result


@pytest.mark.parametrize("period, said", [("বার্ষিক", "বার্ষিক"), ("অর্ধবার্ষিক", "অর্ধবার্ষিক")])
def test_the_year_and_half_year_are_named_without_the_genitive(tmp_path, period, said):
    letter, annex = built(tmp_path, "cc", period=period).outputs
    text = docx_text(letter)
    assert f"২০২২-২৩ এর {said} অগ্রগতি প্রতিবেদন প্রেরণ প্রসঙ্গে।" in text
    assert "বার্ষিকের" not in text and "বার্ষিকের" not in docx_text(annex)
    assert f"{said} অগ্রগতি" in docx_paragraphs(annex)  # the progress column's heading (seed 004)
    assert "অগ্রগতি প্রতিবেদন বার্ষিক" not in docx_text(annex)


def test_a_quarter_keeps_the_genitive_and_the_first_quarters_heading(tmp_path):
    letter, annex = built(tmp_path, "cc", period="১ম ত্রৈমাসিক").outputs
    assert "২০২২-২৩ এর ১ম ত্রৈমাসিকের অগ্রগতি প্রতিবেদন প্রেরণ প্রসঙ্গে।" in docx_text(letter)
    assert "অগ্রগতি প্রতিবেদন ১ম কোয়ার্টার" in docx_paragraphs(annex)


@pytest.mark.parametrize("kind", ["cc", "grs", "rti"])
def test_the_body_names_the_office_in_the_possessive(tmp_path, kind):
    letter, _ = built(tmp_path, kind).outputs
    assert "উপর্যুক্ত বিষয় ও সূত্রের প্রেক্ষিতে, ময়মনসিংহ সিটি কর্পোরেশনের " in docx_text(letter)


def test_a_later_quarters_annex_title_says_the_figures_are_from_the_start_of_the_year(tmp_path):
    _, annex = built(tmp_path, "cc", period="২য় ত্রৈমাসিক").outputs
    paras = docx_paragraphs(annex)
    assert ("সেবা প্রদান প্রতিশ্রুতি বিষয়ক কর্মপরিকল্পনার ২০২২-২০২৩ এর ১ম-২য় ত্রৈমাসিক "
            "(জুলাই ২০২২ হতে ডিসেম্বর ২০২২ পর্যন্ত)-এর অগ্রগতি প্রতিবেদন") in paras
    assert "অগ্রগতি প্রতিবেদন ১ম-২য় কোয়ার্টার" in paras
    assert "অক্টোবর" not in "\n".join(paras[:5])


def test_a_total_keeps_the_unit_the_office_wrote(tmp_path):
    rows = [dict(NIS_ROWS[0], unit="সংখ্যা", annual_target="৮০জন", q1_target="-", q2_target="৪০জন", q3_target="-",
                 q4_target="৪০জন", q1_achieved="-", q2_achieved="৪০ জন", q3_achieved="-", q4_achieved="৪০ জন")]
    _, annex = built(tmp_path, "nis", rows=rows, period="৪র্থ ত্রৈমাসিক").outputs
    paras = docx_paragraphs(annex)
    assert "৮০জন" in paras and "৮০ জন" in paras
    assert "৮০" not in paras


def test_the_scored_total_says_what_its_figure_is(tmp_path):
    _, annex = built(tmp_path, "egov", period="অর্ধবার্ষিক").outputs
    (label,) = [p for p in docx_paragraphs(annex) if p.startswith("মোট")]
    assert label.startswith("মোট প্রাপ্ত স্কোর (এ সময় পর্যন্ত মূল্যায়নযোগ্য সূচকের মোট মান ")
    assert "সম্ভাব্য" not in label


def test_the_letterhead_prints_the_government_line_by_default_and_every_line_of_the_name(tmp_path):
    letter, annex = built(tmp_path, "cc", letter={"office_name": "স্থানীয় সরকার বিভাগ\nময়মনসিংহ সিটি কর্পোরেশন"}).outputs
    paras = docx_paragraphs(letter)
    top = paras.index("গণপ্রজাতন্ত্রী বাংলাদেশ সরকার")
    assert paras[top + 1] == "স্থানীয় সরকার বিভাগ\nময়মনসিংহ সিটি কর্পোরেশন"
    annex_paras = docx_paragraphs(annex)
    assert annex_paras[1:3] == ["ময়মনসিংহ সিটি কর্পোরেশন", "ময়মনসিংহ"]  # the office and its place (seed 001)


def test_office_parents_replace_the_default_one_line_each(tmp_path):
    parents = "গণপ্রজাতন্ত্রী বাংলাদেশ সরকার\nস্থানীয় সরকার, পল্লী উন্নয়ন ও সমবায় মন্ত্রণালয়\nস্থানীয় সরকার বিভাগ"
    letter, _ = built(tmp_path, "cc", letter={"office_parents": parents}).outputs
    paras = docx_paragraphs(letter)
    top = paras.index("গণপ্রজাতন্ত্রী বাংলাদেশ সরকার")
    assert paras[top:top + 4] == [*parents.split("\n"), "ময়মনসিংহ সিটি কর্পোরেশন"]
    assert paras.count("গণপ্রজাতন্ত্রী বাংলাদেশ সরকার") == 1


def test_a_parent_line_typed_twice_or_the_office_among_its_parents_prints_once(tmp_path):
    """Found by a hostile run: a line typed twice in office_parents (pasted twice, in another Unicode form or with
    a joiner), or the office's own name typed as their last line, printed twice on the letterhead. A line repeated
    further apart says something (two offices of one city) and stays."""
    parents = ("গণপ্রজাতন্ত্রী বাংলাদেশ সরকার\nস্থানীয় সরকার বিভাগ\nস্থানীয়  সরকার বিভাগ।\nমন্ত্রিপরিষদ বিভাগ\n"
               "মন্ত্রি\u200dপরিষদ বিভাগ\nময়মনসিংহ\nবিভাগীয় কমিশনারের কার্যালয়\nময়মনসিংহ\nময়মনসিংহ সিটি কর্পোরেশন")
    letter, _ = built(tmp_path, "cc", letter={"office_parents": parents}).outputs
    paras = docx_paragraphs(letter)
    top = paras.index("গণপ্রজাতন্ত্রী বাংলাদেশ সরকার")
    assert paras[top:top + 8] == ["গণপ্রজাতন্ত্রী বাংলাদেশ সরকার", "স্থানীয় সরকার বিভাগ", "মন্ত্রিপরিষদ বিভাগ", "ময়মনসিংহ",
                                  "বিভাগীয় কমিশনারের কার্যালয়", "ময়মনসিংহ", "ময়মনসিংহ সিটি কর্পোরেশন", paras[top + 7]]
    assert paras[top + 7] != "ময়মনসিংহ সিটি কর্পোরেশন"


def test_parents_that_are_only_the_offices_name_leave_the_governments_line(tmp_path):
    """Every parent line the office's own name (typed there by mistake): the blank-parents rule, not nothing."""
    letter, _ = built(tmp_path, "cc", letter={"office_parents": "ময়মনসিংহ সিটি কর্পোরেশন\nময়মনসিংহ সিটি কর্পোরেশন"}).outputs
    paras = docx_paragraphs(letter)
    top = paras.index("গণপ্রজাতন্ত্রী বাংলাদেশ সরকার")
    assert paras[top + 1] == "ময়মনসিংহ সিটি কর্পোরেশন" and paras.count("ময়মনসিংহ সিটি কর্পোরেশন") == 1


@pytest.mark.parametrize("none", ["-", "নেই", "\u2212", "\u200b", "নেই\u200b", "\u2013"])
def test_a_dash_for_parents_prints_no_line_over_the_name(tmp_path, none):
    """Found by an officer's reading: a blank office_parents prints the government's line, and there was no way to
    have none (seeds 000 and 002 have none); a dash printed a line '-'. A dash, or নেই, is none."""
    letter, _ = built(tmp_path, "cc", letter={"office_parents": none}).outputs
    paras = docx_paragraphs(letter)
    assert "গণপ্রজাতন্ত্রী বাংলাদেশ সরকার" not in paras and none not in paras
    assert "ময়মনসিংহ সিটি কর্পোরেশন" in paras


@pytest.mark.parametrize("parent, name", [
    ("উত\u09cd\u200dপাদন শাখা", "উৎপাদন শাখা"),  # khanda ta typed the old way (ত, hasanta, joiner) and as ৎ
    ("ঢাকা\u2013উত্তর অঞ্চল", "ঢাকা-উত্তর অঞ্চল"),  # an en dash and a hyphen
])
def test_parents_ending_in_the_offices_name_typed_another_way_print_it_once(tmp_path, parent, name):
    """Before: the office's name typed as the last parent line in another form printed twice, one under the other."""
    letter, _ = built(tmp_path, "cc", letter={"office_parents": f"স্থানীয় সরকার বিভাগ\n{parent}",
                                              "office_name": name}).outputs
    paras = docx_paragraphs(letter)
    top = paras.index("স্থানীয় সরকার বিভাগ")
    assert paras[top + 1] == name and parent not in paras and paras.count(name) == 1, paras[top:top + 3]


def test_a_name_typed_decomposed_or_with_invisible_marks_prints_as_it_reads(tmp_path):
    """Before: the letter carried the name as typed: decomposed vowel signs (ো as ে + া: another text to e-Nothi's
    search), a zero-width space, and a right-to-left override that drew the name backwards; now it prints composed,
    without them, and the override is named in a warning at its cell."""
    import unicodedata

    typed = unicodedata.normalize("NFD", "রাজশাহী\u200b শিক্ষা \u202eবোর্ড\u202c")
    assert typed != unicodedata.normalize("NFC", typed)
    result = built(tmp_path, "cc", letter={"office_name": typed, "body": unicodedata.normalize("NFD", "মহোদয়ের সদয় অবগতি")})
    text = docx_text(result.outputs[0]) + docx_text(result.outputs[1])
    assert "রাজশাহী শিক্ষা বোর্ড" in text and "মহোদয়ের সদয় অবগতি" in text
    assert not {"\u200b", "\u202e", "\u202c"} & set(text) and text == unicodedata.normalize("NFC", text)
    marks = [f for f in result.issues if f.code == "direction-mark-removed"]
    assert len(marks) == 1 and marks[0].severity == "warning" and "U+202E, U+202C" in marks[0].en


def test_a_government_line_in_the_name_is_not_printed_twice(tmp_path):
    letter, _ = built(tmp_path, "cc", letter={"office_name": "গণপ্রজাতন্ত্রী বাংলাদেশ সরকার\nবিভাগীয় কমিশনারের কার্যালয়"}).outputs
    assert docx_text(letter).count("গণপ্রজাতন্ত্রী বাংলাদেশ সরকার") == 1


@pytest.mark.parametrize("prefix, separator, memo", [
    ("46.21.6100.049.18.001.22", None, "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২-১"),
    ("46.21.6100.049.18.001.22", "-", "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২-১"),
    ("46.21.6100.049.18.001.22", ".", "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২.১"),
    ("৩৮.০১.০০০০.০০০.৮০০.৯৯.০০০২.২৫", None, "৩৮.০১.০০০০.০০০.৮০০.৯৯.০০০২.২৫.১"),
    ("৩৮.০১.০০০০.০০০.৮০০.৯৯.০০০২.২৫", "-", "৩৮.০১.০০০০.০০০.৮০০.৯৯.০০০২.২৫-১"),
    ("কেসিসি/সেঃবিঃ/২২", ".", "কেসিসি/সেঃবিঃ/২২.১"),
])
def test_the_memo_prints_with_the_offices_separator(tmp_path, prefix, separator, memo):
    letter, _ = built(tmp_path, "cc", letter={"memo_prefix": prefix, "memo_separator": separator}).outputs
    assert f"স্মারক: {memo}" in docx_text(letter)


@pytest.mark.parametrize("typed", ["/", "—", "ড্যাশ", "_"])
def test_any_other_separator_is_refused_at_its_cell(tmp_path, typed):
    result = build(tmp_path, "cc", letter={"memo_separator": typed})
    assert result.status == "rejected"
    (finding,) = [i for i in result.issues if i.code == "bad-memo-separator"]
    assert finding.sheet == "পত্র" and finding.cell and finding.cell.startswith("C")
    assert typed in finding.bn and "ড্যাশ" in finding.bn and "dash" in finding.en


@pytest.mark.parametrize("typed, printed", [("–", "-"), ("\u2010", "-"), ("．", ".")])
def test_a_separator_typed_as_a_look_alike_is_the_sign_it_looks_like(tmp_path, typed, printed):
    """As in the prefix (found by a hostile run: an en dash was folded in the prefix and refused here)."""
    result = build(tmp_path, "cc", letter={"memo_separator": typed})
    assert result.status == "built" and not [i for i in result.issues if "separator" in i.code]
    letter = next(p for p in result.outputs if p.endswith("-letter.docx"))
    assert f"{printed}১৯২" in docx_text(letter) or f"{printed}১" in docx_text(letter)


@pytest.mark.parametrize("office, said", [
    ("চট্টগ্রাম সিটি কর্পোরেশন", "চট্টগ্রাম সিটি কর্পোরেশনের"),
    ("ঢাকা উত্তর সিটি কর্পোরেশন।", "ঢাকা উত্তর সিটি কর্পোরেশনের"),
    ("সমাজসেবা সমিতি", "সমাজসেবা সমিতির"),
    ("জেলা প্রশাসকের কার্যালয়", "জেলা প্রশাসকের কার্যালয়ের"),
    ("স্থানীয় সরকার মন্ত্রণালয়", "স্থানীয় সরকার মন্ত্রণালয়ের"),
    ("বাংলাদেশ সড়ক পরিবহন কর্তৃপক্ষ (বিআরটিএ)", "বাংলাদেশ সড়ক পরিবহন কর্তৃপক্ষ (বিআরটিএ)-এর"),
    ("ঢাকা অঞ্চল-৫", "ঢাকা অঞ্চল-৫-এর"),
    ("ইউনিয়ন পরিষৎ", "ইউনিয়ন পরিষৎ-এর"),
])
def test_the_offices_genitive_never_hangs_a_vowel_sign_on_a_bracket_or_a_digit(tmp_path, office, said):
    """Before: '(বিআরটিএ)ের' and 'অঞ্চল-৫ের' (a vowel sign alone, drawn on a dotted circle); seed 000 writes ')-এর'."""
    letter = docx_text(built(tmp_path, "cc", letter={"office_name": office}).outputs[0])
    assert said in letter and not any(f"{end}ের" in letter for end in ")৫ৎ")


def test_every_part_of_an_annex_signatory_is_printed():
    """Before: only the first three comma-separated parts were kept: the office after a section was lost."""
    from generator.documents.contexts import signature_lines

    lines = signature_lines(["মোঃ কামরুল ইসলাম, সহকারী কমিশনার, সাধারণ শাখা, জেলা প্রশাসকের কার্যালয়, রংপুর",
                             "খালেদ মাহমুদ, সচিব"], "জেলা প্রশাসকের কার্যালয়, রংপুর", dt.date(2023, 10, 10))
    left = [line.split("\t")[1] for line in lines]
    right = [line.split("\t")[3] for line in lines]
    assert left == ["মোঃ কামরুল ইসলাম", "সহকারী কমিশনার", "সাধারণ শাখা", "জেলা প্রশাসকের কার্যালয়", "রংপুর",
                    "তারিখ: ১০/১০/২০২৩"]
    assert right == ["", "", "খালেদ মাহমুদ", "সচিব", "জেলা প্রশাসকের কার্যালয়, রংপুর", "তারিখ: ১০/১০/২০২৩"]


def test_a_phone_number_in_the_letterhead_never_breaks_inside():
    """Before: nine numbers on the letterhead broke as '০১৭১১-' at a line's end and '১২৩৪৫৬' on the next."""
    from generator.documents.contexts import unbroken_numbers

    assert unbroken_numbers("পিএবিএক্স-০৩১-৬১৪৯৩৮, ০১৭১১-১২৩৪৫৬, 02-9554321") == \
        "পিএবিএক্স-০৩১\u2011৬১৪৯৩৮, ০১৭১১\u2011১২৩৪৫৬, 02\u20119554321"


def test_three_annex_signatures_under_a_long_office_name_each_stay_in_their_third():
    """Before: a real LGED office's name under each of three signatures ran into its neighbour at the centred
    tab stops ('…চট্টগ্রামনির্বাহী প্রকৌশলীর…')."""
    from generator.documents import fit
    from generator.documents.contexts import signature_lines
    from generator.documents.measures import SIGNATURE_PT, SIGNATURE_SLOT_CM

    office = "নির্বাহী প্রকৌশলীর কার্যালয়, স্থানীয় সরকার প্রকৌশল অধিদপ্তর (এলজিইডি), চট্টগ্রাম"
    people = ["মোহাম্মদ মইনুল হোসেন, উপসহকারী প্রকৌশলী", "খালেদ মাহমুদ, সহকারী প্রকৌশলী",
              "মোঃ আবদুল করিম, নির্বাহী প্রকৌশলী"]
    lines = signature_lines(people, office)
    cells = [cell for line in lines for cell in line.split("\t")[1:]]
    assert all(fit.width_cm(cell, SIGNATURE_PT) <= SIGNATURE_SLOT_CM for cell in cells)
    for slot, person in zip((1, 2, 3), people):  # every word kept, in order
        assert " ".join(c for line in lines if (c := line.split("\t")[slot])) == f"{person.replace(',', '')} {office}"


def test_the_genitive_of_a_name_with_a_comma_is_set_apart():
    """Found by a review: 'জেলা প্রশাসকের কার্যালয়, রংপুরের' made the genitive the town's; seed 003 sets it
    apart ('বিভাগীয় কমিশনার, রংপুর এর'), seed 000 writes ')-এর'."""
    from generator.documents.contexts import genitive

    assert genitive("জেলা প্রশাসকের কার্যালয়, রংপুর") == "জেলা প্রশাসকের কার্যালয়, রংপুর-এর"
    assert genitive("চট্টগ্রাম সিটি কর্পোরেশন") == "চট্টগ্রাম সিটি কর্পোরেশনের"
    assert genitive("বাংলাদেশ সড়ক পরিবহন কর্তৃপক্ষ (বিআরটিএ)") == "বাংলাদেশ সড়ক পরিবহন কর্তৃপক্ষ (বিআরটিএ)-এর"
