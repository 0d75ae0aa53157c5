"""Plan-table columns: machine keys, Bangla headers and widths, shared by every report kind."""

from __future__ import annotations

from dataclasses import dataclass

UNIT_COUNT, UNIT_PERCENT, UNIT_DATE = UNITS = ("সংখ্যা", "%", "তারিখ")  # the plan's units (একক)
# How an indicator's quarters combine (গণনা পদ্ধতি, as the APA guideline defines them); see docs/scoring.md.
SUM, AVERAGE, CUMULATIVE, BY_DATE = COUNTING = ("সমষ্টি", "গড়", "ক্রমপুঞ্জিভূত", "তারিখ")
DEFAULT_COUNTING = {UNIT_COUNT: SUM, UNIT_PERCENT: AVERAGE, UNIT_DATE: BY_DATE}  # a blank counting cell
LEVELS = (
    ("target_100", "অসাধারণ", "১০০%", 1.0),
    ("target_90", "অতি উত্তম", "৯০%", 0.9),
    ("target_80", "উত্তম", "৮০%", 0.8),
    ("target_70", "চলতি মান", "৭০%", 0.7),
    ("target_60", "চলতি মানের নিম্নে", "৬০%", 0.6),
)


@dataclass(frozen=True)
class Column:
    """A plan-table column: its machine key, Bangla header, and how wide it is in the workbook and the annex."""

    key: str
    header: str
    hint: str = ""
    xlsx_width: float = 14
    docx_width: float = 1.6  # cm, landscape A4 holds about 26 cm
    group: str = ""  # a header spanning consecutive columns, e.g. the five target levels
    subheader: str = ""
    merge: str = ""  # "area" or "activity": the cell spans the rows of its group in the annex
    numeric: bool = False
    two_lines: bool = False  # annex only: a target line and an achievement line (r.KEY_t, r.KEY_a)
    optional: bool = False  # added after the first layout: a workbook without the column still reads


COLUMNS = {
    c.key: c
    for c in (
        Column("area_no", "ক্ষেত্র নং", "যেমন: ১", 8, 1.0, merge="area"),
        Column("area", "কর্মসম্পাদন ক্ষেত্র", "একাধিক সারির জন্য প্রথম সারিতে লিখুন", 26, 2.3, merge="area"),
        Column("area_weight", "মান", "ক্ষেত্রের মোট মান", 8, 0.9, merge="area", numeric=True),
        Column("activity_no", "কার্যক্রম নং", "যেমন: ১.১", 10, 1.0, merge="activity"),
        Column("activity", "কার্যক্রম", "একাধিক সূচকের জন্য প্রথম সারিতে লিখুন", 40, 5.6, merge="activity"),
        Column("indicator_no", "সূচক নং", "যেমন: ১.১.১", 11, 1.0),
        Column("indicator", "কর্মসম্পাদন সূচক", "", 36, 4.0),
        Column("unit", "একক", "তালিকা থেকে বাছুন", 10, 1.1),
        Column("counting", "গণনা পদ্ধতি",
               "তালিকা থেকে: সমষ্টি, গড়, ক্রমপুঞ্জিভূত, তারিখ; ফাঁকা = সংখ্যায় সমষ্টি, %-এ গড়, তারিখে তারিখ",
               14, 1.4, optional=True),
        Column("weight", "কর্মসম্পাদন সূচকের মান", "সংখ্যা", 11, 2.3, numeric=True),
        *(
            Column(key, name, "সংখ্যা, % বা তারিখ; না থাকলে -", 12, 1.95, group="লক্ষ্যমাত্রা {{ fy }}", subheader=pct, numeric=True)
            for key, name, pct, _ in LEVELS
        ),
        Column("achieved", "অর্জন", "অর্থবছরের শুরু থেকে এই সময় পর্যন্ত অর্জন (সংখ্যা, % বা তারিখ)", 16, 1.6,
               numeric=True),
        Column("remarks", "অগ্রগতি / মন্তব্য", "যা করা হয়েছে, সংক্ষেপে", 40, 5.0),
        Column("evidence", "প্রমাণক", "প্রমাণক কী ও কোথায়, যেমন: ওয়েবসাইটের লিংক বা সভার কার্যবিবরণীর স্মারক নম্বর", 30, 3.0),
        Column("self_score", "প্রাপ্ত স্কোর (অফিসের হিসাব)", "", 12, 1.4, numeric=True),
        Column("responsible", "বাস্তবায়নের দায়িত্বপ্রাপ্ত ব্যক্তি/পদ", "যেমন: প্রধান নির্বাহী কর্মকর্তা", 22, 2.6),
        Column("annual_target", "{{ fy }} অর্থবছরের লক্ষ্যমাত্রা", "সংখ্যা, % বা তারিখ", 12, 1.6, numeric=True),
        *(
            Column(f"q{q}_{part}", f"{bn} কোয়ার্টারের {'লক্ষ্যমাত্রা' if part == 'target' else 'অর্জন'}",
                   "শুধু এই কোয়ার্টারের" + ("" if part == "target" else "; ক্রমপুঞ্জিভূত হলে কোয়ার্টার শেষের মোট"),
                   11, 1.2, numeric=True)
            for q, bn in ((1, "১ম"), (2, "২য়"), (3, "৩য়"), (4, "৪র্থ")) for part in ("target", "achieved")
        ),
        # annex only, where each activity has a target line and an achievement line
        Column("pair_label", "লক্ষ্যমাত্রা/ অর্জন", docx_width=1.7, group="বাস্তবায়ন অগ্রগতি পরিবীক্ষণ, {{ fy }}", two_lines=True),
        *(Column(f"q{q}", f"{bn} কোয়ার্টার", docx_width=1.4, group="বাস্তবায়ন অগ্রগতি পরিবীক্ষণ, {{ fy }}",
                 numeric=True, two_lines=True) for q, bn in ((1, "১ম"), (2, "২য়"), (3, "৩য়"), (4, "৪র্থ"))),
        Column("total", "মোট অর্জন", docx_width=1.4, group="বাস্তবায়ন অগ্রগতি পরিবীক্ষণ, {{ fy }}", numeric=True, two_lines=True),
        Column("progress", "{{ progress_header }}", docx_width=4.6),  # annex only: achievement and remarks
        Column("no", "ক্রম", "যেমন: ০১", 7, 1.1, numeric=True),
        Column("topic", "বিষয়", "আলোচ্য বিষয়", 30, 3.2),
        Column("discussion", "আলোচনা", "আলোচনার সারসংক্ষেপ", 60, 5.3),
        Column("decision", "সিদ্ধান্ত", "একাধিক সিদ্ধান্ত হলে প্রতি লাইনে একটি (Alt+Enter)", 50, 4.6),
        Column("implementer", "বাস্তবায়নকারী", "", 24, 3.3),
        Column("score", "স্কোর", docx_width=1.3, numeric=True),  # annex only: the computed score
        Column("earned", "অর্জিত মান", docx_width=1.3, numeric=True),  # annex only: the computed score (nis)
        Column("serial", "ক্রম", docx_width=0.9, merge="area", numeric=True),  # annex only: the area's number
    )
}
