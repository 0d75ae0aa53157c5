"""Report kinds: each plan is a declaration of its columns, wording and annex template."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

UNITS = ("সংখ্যা", "%", "তারিখ")
# How an indicator's quarters combine (গণনা পদ্ধতি, as the APA guideline defines them); see docs/scoring.md.
SUM, AVERAGE, CUMULATIVE, BY_DATE = COUNTING = ("সমষ্টি", "গড়", "ক্রমপুঞ্জিভূত", "তারিখ")
DEFAULT_COUNTING = {"সংখ্যা": SUM, "%": AVERAGE, "তারিখ": BY_DATE}  # a blank counting cell
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
    paired: bool = False  # in a paired annex, a target line and an achievement line (r.KEY_t, r.KEY_a)
    optional: bool = False  # added after the first layout: a workbook without the column still reads


COLUMNS = {
    c.key: c
    for c in (
        Column("area_no", "ক্ষেত্র নং", "যেমন: ১", 8, 1.0, merge="area"),
        Column("area", "কর্মসম্পাদন ক্ষেত্র", "একাধিক সারির জন্য প্রথম সারিতে লিখুন", 26, 2.3, merge="area"),
        Column("area_weight", "মান", "ক্ষেত্রের মোট মান", 8, 0.9, merge="area", numeric=True),
        Column("activity_no", "কার্যক্রম নং", "যেমন: [১.১]", 10, 1.0, merge="activity"),
        Column("activity", "কার্যক্রম", "একাধিক সূচকের জন্য প্রথম সারিতে লিখুন", 40, 5.6, merge="activity"),
        Column("indicator_no", "সূচক নং", "যেমন: [১.১.১]", 11, 1.0),
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
        Column("evidence", "প্রমাণক", "যেমন: ওয়েবসাইটের লিংক, সভার কার্যবিবরণীর স্মারক", 30, 3.0),
        Column("self_score", "প্রাপ্ত স্কোর (অফিসের হিসাব)", "", 12, 1.4, numeric=True),
        Column("responsible", "বাস্তবায়নের দায়িত্বপ্রাপ্ত ব্যক্তি/পদ", "যেমন: প্রধান নির্বাহী কর্মকর্তা", 22, 2.6),
        Column("annual_target", "{{ fy }} অর্থবছরের লক্ষ্যমাত্রা", "সংখ্যা, % বা তারিখ", 12, 1.6, numeric=True),
        *(
            Column(f"q{q}_{part}", f"{bn} কোয়ার্টারের {'লক্ষ্যমাত্রা' if part == 'target' else 'অর্জন'}",
                   "শুধু এই কোয়ার্টারের" + ("" if part == "target" else "; ক্রমপুঞ্জিভূত হলে কোয়ার্টার শেষের মোট"),
                   11, 1.2, numeric=True)
            for q, bn in ((1, "১ম"), (2, "২য়"), (3, "৩য়"), (4, "৪র্থ")) for part in ("target", "achieved")
        ),
        # annex only, in the paired layout: one line for targets, one for achievements
        Column("pair_label", "লক্ষ্যমাত্রা/ অর্জন", docx_width=1.7, group="বাস্তবায়ন অগ্রগতি পরিবীক্ষণ, {{ fy }}", paired=True),
        *(Column(f"q{q}", f"{bn} কোয়ার্টার", docx_width=1.4, group="বাস্তবায়ন অগ্রগতি পরিবীক্ষণ, {{ fy }}",
                 numeric=True, paired=True) for q, bn in ((1, "১ম"), (2, "২য়"), (3, "৩য়"), (4, "৪র্থ"))),
        Column("total", "মোট অর্জন", docx_width=1.4, group="বাস্তবায়ন অগ্রগতি পরিবীক্ষণ, {{ fy }}", numeric=True, paired=True),
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


@dataclass(frozen=True)
class Kind:
    """One plan's report: wording, workbook columns and annex template.

    Wording strings are str.format templates; the fields are those of `render.wording_fields`.
    """

    id: str
    plan: str  # the plan's name as it stands in a subject line
    report: str  # what the report is called
    columns: tuple[str, ...]
    annex_columns: tuple[str, ...]
    subject: str
    body: str
    body_with_reference: str
    annex_title: str
    progress_header: str = "অর্জন"
    progress_column: str = "progress"  # the annex column headed by progress_header
    annex_template: str = ""
    periods: tuple[str, ...] = ("q1", "q2", "q3", "q4", "h1", "annual")
    required_columns: tuple[str, ...] = field(default=("indicator",))
    self_assessment: bool = False  # the annex shows the computed scores and their total
    annex_widths: tuple[tuple[str, float], ...] = ()  # per-kind column widths (cm) instead of the defaults
    paired: bool = False  # annex rows come in pairs (targets, achievements) under section headings
    sheets: tuple[str, str] = ("পত্র", "কর্মপরিকল্পনা")  # the key/value sheet and the table sheet
    first_row: int = 4  # first data row of the table sheet
    field_set: str = "letter"  # which key/value fields the workbook has (workbook.FIELD_SETS)
    documents: tuple[str, ...] = ("letter", "annex")
    bracket_codes: bool = True  # '[১.১] কার্যক্রম' rather than '১.১ কার্যক্রম'
    annex_note: str = ""  # a line under the annex table
    scoring: str = "levels"  # see scoring.py and docs/scoring.md

    @property
    def annex_file(self) -> str:
        return self.annex_template or f"annex_{self.id}.docx"


CC = Kind(
    id="cc",
    plan="সেবা প্রদান প্রতিশ্রুতি বিষয়ক কর্মপরিকল্পনা",
    report="অগ্রগতি প্রতিবেদন",
    columns=(
        "area_no", "area", "area_weight", "activity_no", "activity", "indicator_no", "indicator",
        "unit", "counting", "weight", "target_100", "target_90", "target_80", "target_70", "target_60",
        "achieved", "remarks",
    ),
    annex_columns=(
        "area", "area_weight", "activity", "indicator", "unit", "weight",
        "target_100", "target_90", "target_80", "target_70", "target_60", "progress",
    ),
    subject="{plan} {fy} এর {period_genitive} {report} প্রেরণ প্রসঙ্গে।",
    body=(
        "উপর্যুক্ত বিষয়ের প্রেক্ষিতে, {office} {plan} {fy} এর {period_genitive} "
        "({months} পর্যন্ত) {report} মহোদয়ের সদয় অবগতি ও প্রয়োজনীয় ব্যবস্থা গ্রহণের জন্য প্রেরণ করা হলো।"
    ),
    body_with_reference=(
        "উপর্যুক্ত বিষয় ও সূত্রের প্রেক্ষিতে, {office} {plan} {fy} এর {period_genitive} "
        "({months} পর্যন্ত) {report} মহোদয়ের সদয় অবগতি ও প্রয়োজনীয় ব্যবস্থা গ্রহণের জন্য প্রেরণ করা হলো।"
    ),
    annex_title="{plan}র {fy} এর {period} ({months_from_to} পর্যন্ত)-এর {report}",
    progress_header="অগ্রগতি প্রতিবেদন {period_short}",
)

EGOV = Kind(
    id="egov",
    plan="ই-গভর্ন্যান্স ও উদ্ভাবন কর্মপরিকল্পনা",
    report="স্ব-মূল্যায়ন প্রতিবেদন",
    columns=(
        "area_no", "area", "area_weight", "activity_no", "activity", "indicator_no", "indicator",
        "unit", "counting", "weight", "target_100", "target_90", "target_80", "target_70", "target_60",
        "achieved", "self_score", "remarks",
    ),
    annex_columns=(
        "serial", "area", "area_weight", "activity", "indicator", "unit", "weight",
        "target_100", "target_90", "target_80", "target_70", "target_60", "achieved", "score",
    ),
    subject="{plan} {fy} এর {period} {report} প্রেরণ।",
    body=(
        "উপর্যুক্ত বিষয়ের প্রেক্ষিতে, {office_genitive} {plan} {fy} এর {period} ({months_short_from_to} পর্যন্ত) "
        "{report} প্রস্তুতপূর্বক মহোদয়ের সদয় অবগতি ও পরবর্তী প্রয়োজনীয় ব্যবস্থা গ্রহণের জন্য প্রেরণ করা হলো।"
    ),
    body_with_reference=(
        "উপর্যুক্ত বিষয় ও সূত্রের প্রেক্ষিতে, {office_genitive} {plan} {fy} এর {period} ({months_short_from_to} পর্যন্ত) "
        "{report} প্রস্তুতপূর্বক মহোদয়ের সদয় অবগতি ও পরবর্তী প্রয়োজনীয় ব্যবস্থা গ্রহণের জন্য প্রেরণ করা হলো।"
    ),
    annex_title="{plan} {fy_long} অর্থবছরের {period} প্রতিবেদন ({months_comma_from_to} পর্যন্ত)",
    progress_header="অর্জন ({months_comma_from_to} পর্যন্ত)",
    progress_column="achieved",
    annex_widths=(("area", 2.2), ("activity", 3.3), ("indicator", 3.3), ("achieved", 2.2), ("weight", 1.75),
                  ("score", 1.2), *((key, 1.92) for key, *_ in LEVELS)),
    periods=("h1", "annual"),
    self_assessment=True,
)

GRS = replace(CC, id="grs", plan="অভিযোগ প্রতিকার ব্যবস্থা বিষয়ক কর্মপরিকল্পনা", annex_template="")

RTI = replace(
    CC, id="rti", plan="তথ্য অধিকার বিষয়ক কর্মপরিকল্পনা", annex_template="",
    columns=(*CC.columns, "evidence"),
    annex_columns=(*CC.annex_columns, "evidence"),
    annex_widths=(("activity", 4.2), ("indicator", 3.6), ("progress", 3.8), ("evidence", 2.8)),
)

NIS = Kind(
    id="nis",
    plan="জাতীয় শুদ্ধাচার কৌশল কর্ম-পরিকল্পনা",
    report="পরিবীক্ষণ প্রতিবেদন",
    columns=(
        "area_no", "area", "activity_no", "activity", "indicator", "weight", "unit", "counting", "responsible",
        "annual_target",
        "q1_target", "q1_achieved", "q2_target", "q2_achieved", "q3_target", "q3_achieved", "q4_target", "q4_achieved",
        "self_score", "remarks",
    ),
    annex_columns=(
        "activity", "indicator", "weight", "unit", "responsible", "annual_target",
        "pair_label", "q1", "q2", "q3", "q4", "total", "earned", "remarks",
    ),
    subject="{fy} অর্থ বছরে {plan} বাস্তবায়নের লক্ষ্যে {period_genitive} {report} প্রেরণ।",
    body=(
        "উপর্যুক্ত বিষয়ের পরিপ্রেক্ষিতে মহোদয়ের সদয় অবগতির জন্য জানানো যাচ্ছে যে, {fy} অর্থ বছরে {plan}র অংশ হিসেবে "
        "{office_genitive} {period_genitive} ({months}) {report} নির্ধারিত ছক পূরণপূর্বক এসাথে সদয় অবগতি ও "
        "প্রয়োজনীয় ব্যবস্থা গ্রহণের জন্য প্রেরণ করা হলো।"
    ),
    body_with_reference=(
        "উপর্যুক্ত বিষয় ও সূত্রস্থ স্মারকের পরিপ্রেক্ষিতে মহোদয়ের সদয় অবগতির জন্য জানানো যাচ্ছে যে, {fy} অর্থ বছরে "
        "{plan}র অংশ হিসেবে {office_genitive} {period_genitive} ({months}) {report} নির্ধারিত ছক পূরণপূর্বক এসাথে "
        "সদয় অবগতি ও প্রয়োজনীয় ব্যবস্থা গ্রহণের জন্য প্রেরণ করা হলো।"
    ),
    annex_title="{office_genitive} {plan} {fy_long}: {period_genitive} {report}",
    periods=("q1", "q2", "q3", "q4"),
    required_columns=("activity", "indicator"),
    scoring="quarterly",
    paired=True,
    bracket_codes=False,
    annex_note="বিঃদ্রঃ কোন ক্রমিকের কার্যক্রম প্রযোজ্য না হলে তার কারণ মন্তব্য কলামে উল্লেখ করতে হবে।",
    annex_widths=(("activity", 3.9), ("indicator", 2.6), ("remarks", 3.2), ("weight", 1.5), ("unit", 1.1),
                  ("responsible", 2.3), ("total", 1.3), ("earned", 1.2),
                  ("annual_target", 1.9), *((f"q{q}", 1.85) for q in range(1, 5))),  # a date fits on one line
)

MINUTES = Kind(
    id="minutes",
    plan="সভার কার্যবিবরণী",
    report="কার্যবিবরণী",
    columns=("no", "topic", "discussion", "decision", "implementer"),
    annex_columns=("no", "topic", "discussion", "decision", "implementer"),
    subject="", body="", body_with_reference="", annex_title="",
    periods=(),
    required_columns=("topic", "decision"),
    scoring="none",
    sheets=("সভা", "সিদ্ধান্ত"),
    first_row=3,
    field_set="minutes",
    documents=("minutes",),
    annex_template="minutes.docx",
)

KINDS: dict[str, Kind] = {k.id: k for k in (CC, EGOV, GRS, RTI, NIS, MINUTES)}


def get(kind_id: str) -> Kind | None:
    return KINDS.get((kind_id or "").strip().lower())
