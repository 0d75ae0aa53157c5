"""The bundled examples against the text of their seed letters (seeds 001, 002, 004)."""

import datetime as dt

from docx import Document

from generator.xlsx import examples
from generator.service import pipeline
from generator.spec.paths import EXAMPLES_DIR
from tests.support.docx import docx_paragraphs, docx_text


def _build(tmp_path, name, today=None):
    source = next(EXAMPLES_DIR.rglob(f"{name}.json"))
    path = examples.write(source, tmp_path / f"{name}.xlsx")
    return pipeline.build(path, out_root=tmp_path / "out", state_dir=tmp_path / "state", today=today)


def test_seed_001_mymensingh_egov(tmp_path):
    result = _build(tmp_path, "egov-mymensingh-2022-23-h1", dt.date(2023, 1, 5))
    assert result.ok and result.memo == "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২-১৬১"
    letter = docx_text(result.outputs[0])
    for text in ("২১ পৌষ ১৪২৯", "০৫ জানুয়ারি ২০২৩",
                 "বিষয়: ই-গভর্ন্যান্স ও উদ্ভাবন কর্মপরিকল্পনা ২০২২-২৩ এর অর্ধবার্ষিক স্ব-মূল্যায়ন প্রতিবেদন প্রেরণ।",
                 "সূত্র: স্থানীয় সরকার বিভাগের সিটি কর্পোরেশন-২ শাখার স্মারক নং-৪৬.০০.০০০০.০৭১.১৪.০৫২.২০২২-৬৭",
                 "উপর্যুক্ত বিষয় ও সূত্রের প্রেক্ষিতে, ময়মনসিংহ সিটি কর্পোরেশনের ই-গভর্ন্যান্স ও উদ্ভাবন কর্মপরিকল্পনা ২০২২-২৩ এর অর্ধবার্ষিক (জুলাই ২২ হতে ডিসেম্বর ২২ পর্যন্ত) স্ব-মূল্যায়ন প্রতিবেদন প্রস্তুতপূর্বক মহোদয়ের সদয় অবগতি ও পরবর্তী প্রয়োজনীয় ব্যবস্থা গ্রহণের জন্য প্রেরণ করা হলো।",
                 "সংযুক্তি: ০১ (এক) পাতা", "১। মাননীয় মেয়র, ময়মনসিংহ সিটি কর্পোরেশন, ময়মনসিংহ।",
                 "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২.১৬১"):  # the seed's dot before the serial (the register keeps its -)
        assert text in letter, text
    annex = Document(str(result.outputs[1]))
    assert "ই-গভর্ন্যান্স ও উদ্ভাবন কর্মপরিকল্পনা ২০২২-২০২৩ অর্থবছরের অর্ধবার্ষিক প্রতিবেদন (জুলাই, ২০২২ হতে ডিসেম্বর, ২০২২ পর্যন্ত)" \
        in docx_paragraphs(result.outputs[1])
    rows = [[c.text for c in r.cells] for r in annex.tables[0].rows]
    data, total, signatures = rows[4:-2], rows[-2], rows[-1]
    assert len(data) == 12
    assert data[3][4:] == ["[১.৩.১] ই-ফাইলে নোট নিষ্পত্তিকৃত", "%", "৪", "৮৫%", "৮০%", "৭৫%", "৭০%", "৬০%", "৪০%", "০"]
    assert data[1][7:13] == ["১৩/১০/২২", "২৭/১০/২২", "১০/১১/২২", "---", "---", "২০/০৯/২২"]
    assert data[0][0] == "১" and data[6][0] == "২"
    assert total[-1] == "২৬" and "৭৮.৭৯%" in total[0]
    assert "উম্মে হালিমা" in signatures[0]  # the last row, borderless: the signatures keep with the table


def test_seed_002_khulna_nis(tmp_path):
    result = _build(tmp_path, "nis-khulna-2021-22-q4", dt.date(2022, 7, 7))
    assert result.ok and result.memo == "কেসিসি/সেঃবিঃ/সাঃপ্রঃশাঃ/III-২২৩(অঃকঃসঃ/২)/২২-১৪০৬"
    letter = docx_text(result.outputs[0])
    for text in ("২৩ আষাঢ় ১৪২৯", "০৭ জুলাই ২০২২",
                 "বিষয়: ২০২১-২২ অর্থ বছরে জাতীয় শুদ্ধাচার কৌশল কর্ম-পরিকল্পনা বাস্তবায়নের লক্ষ্যে তথ্য প্রেরণ।",
                 "সংযুক্তি: ২ (দুই) ফর্দ", "৫। সংশ্লিষ্ট নথি।", "দৃষ্টি আকর্ষণ: উপসচিব"):
        assert text in letter, text
    annex = Document(str(result.outputs[1]))
    rows = [[c.text for c in r.cells] for r in annex.tables[0].rows]
    assert rows[3][0] == "১. প্রাতিষ্ঠানিক ব্যবস্থা"
    assert rows[4][:8] == ["১.১ নৈতিকতা কমিটির সভা আয়োজন", "সভা আয়োজিত", "৪", "সংখ্যা", "প্রধান নির্বাহী কর্মকর্তা", "৪",
                           "লক্ষ্যমাত্রা", "১"]
    assert rows[5][6:12] == ["অর্জন", "১", "১", "১", "১", "৪"]
    sections = [r[0] for r in rows if len(set(r)) == 1 and r[0][:2] in ("১.", "২.", "৩.")]
    assert [s[:2] for s in sections] == ["১.", "২.", "৩."]
    assert "বিঃদ্রঃ কোন ক্রমিকের কার্যক্রম প্রযোজ্য না হলে তার কারণ মন্তব্য কলামে উল্লেখ করতে হবে।" in docx_paragraphs(result.outputs[1])
    assert result.score["total"] == 39.5 and result.score["possible"] == 48.0


def test_seed_004_khulna_egov_is_refused_with_its_mistakes_marked(tmp_path):
    result = _build(tmp_path, "egov-khulna-2022-23-h1", dt.date(2023, 1, 9))
    assert result.status == "rejected"
    assert {i.code for i in result.issues} >= {"area-weight-mismatch", "self-total-differs", "self-score-differs"}
    errors = next(p for p in result.outputs if p.endswith(".errors.txt"))
    text = open(errors, encoding="utf-8").read()
    assert "কর্মপরিকল্পনা!C4" in text and "31.5" in text


def test_seed_003_rangpur_minutes(tmp_path):
    result = _build(tmp_path, "minutes-rangpur-2023-06-22", dt.date(2023, 6, 25))
    assert result.ok and result.memo == "০৫.৪৭.০০০০.০০৫.১২.০০২.১৭-২৯৯"  # as the register issued it
    paras = docx_paragraphs(result.outputs[0])
    assert "স্মারক নম্বর: ০৫.৪৭.০০০০.০০৫.১২.০০২.১৭.২৯৯" in paras  # as the seed prints it (memo_separator ".")
    for text in ("গণপ্রজাতন্ত্রী বাংলাদেশ সরকার", "বিভাগীয় কমিশনারের কার্যালয়", "সাধারণ শাখা", "রংপুর বিভাগ, রংপুর।",
                 "সেবা প্রদান প্রতিশ্রুতি (সিটিজেন চার্টার) বাস্তবায়নে আওতাধীন দপ্তর/সংস্থার সমন্বয়ে ৪র্থ ত্রৈমাসিক সভার কার্যবিবরণী:",
                 "মো: হাবিবুর রহমান", "বিভাগীয় কমিশনার", "২২ জুন ২০২৩", "সকাল ১০:৩০ টা",
                 "সভায় আর কোন আলোচ্যসূচী না থাকায় সভাপতি উপস্থিত সকলকে ধন্যবাদ জানিয়ে সভার সমাপ্তি ঘোষণা করেন।",
                 "১১ আষাঢ় ১৪৩০", "২৫ জুন ২০২৩", "৪) জেলা প্রশাসক (সকল), রংপুর বিভাগ", "মোঃ মেহেদী হাসান",
                 "সিনিয়র সহকারী কমিশনার"):
        assert text in paras, text
    head = paras[:4]  # the letterhead in seed 003's order: the office, its place, then its section
    assert head == ["গণপ্রজাতন্ত্রী বাংলাদেশ সরকার", "বিভাগীয় কমিশনারের কার্যালয়", "রংপুর বিভাগ, রংপুর।", "সাধারণ শাখা"], head
    table = Document(str(result.outputs[0])).tables[1]
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["ক্রম", "বিষয়", "আলোচনা", "সিদ্ধান্ত", "বাস্তবায়নকারী"]
    assert [r[0] for r in rows[1:]] == ["০১", "০২", "০৩", "০৪", "০৫"]
    assert rows[2][3].startswith("১। রংপুর বিভাগের সকল জেলা প্রশাসকের কার্যালয়ে") and "৩। পরিবীক্ষণ কমিটির" in rows[2][3]
