"""Report kinds: each plan is a declaration of its workbook, wording, scoring and the documents it produces."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from generator.spec import fields
from generator.spec.columns import COLUMNS, COUNTING, DEFAULT_COUNTING, LEVELS, UNITS, Column
from generator.spec.fields import Field
from generator.spec.documents import ANNEX, LETTER, MINUTES as MINUTES_DOCUMENT, SCORED_ANNEX, Document

__all__ = ["KINDS", "Kind", "get", "COLUMNS", "COUNTING", "DEFAULT_COUNTING", "LEVELS", "UNITS", "Column"]

BY_LEVELS, BY_QUARTERS = "levels", "quarters"  # scoring methods (generator.rules.scoring, docs/scoring.md)

@dataclass(frozen=True)
class Kind:
    """One plan's report: wording, workbook columns and annex template.

    Wording strings are str.format templates; the fields are those of `contexts.wording_fields`.
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
    periods: tuple[str, ...] = ("q1", "q2", "q3", "q4", "h1", "annual")
    required_columns: tuple[str, ...] = field(default=("indicator",))
    annex_widths: tuple[tuple[str, float], ...] = ()  # per-kind column widths (cm) instead of the defaults
    sheets: tuple[str, str] = ("পত্র", "কর্মপরিকল্পনা")  # the key/value sheet and the table sheet
    first_row: int = 4  # first data row of the table sheet
    fields: tuple[fields.Section, ...] = fields.LETTER  # the key/value sheet's sections (fields.py)
    documents: tuple[Document, ...] = (LETTER, ANNEX)  # what a build writes (documents.py)
    bracket_codes: bool = True  # '[১.১] কার্যক্রম' rather than '১.১ কার্যক্রম'
    annex_note: str = ""  # a line under the annex table
    scoring: str | None = BY_LEVELS  # how a row is scored: BY_LEVELS or BY_QUARTERS; None: not scored

    @property
    def scored(self) -> bool:
        return self.scoring is not None

    def annex_number(self, key: str) -> int | None:
        """The number (1, 2 …) of the annex column a plan column is printed in: its own, or the one it is printed
        into (a code with its text, the achievement and the remarks in the progress column, a quarter's target and
        achievement in the quarter's); None for a column the annex prints in no column of its own (the counting
        method, the office's own score, the NIS plan's sections, which are heading rows)."""
        for home in ANNEX_HOMES.get(key, (key,)):
            if home in self.annex_columns:
                return self.annex_columns.index(home) + 1
        return None

    @property
    def field_map(self) -> dict[str, Field]:
        """The key/value sheet's fields by key."""
        return {f.key: f for _, section in self.fields for f in section}


# where a plan column is printed in an annex, when not in a column of its own key: the first of these it has
ANNEX_HOMES: dict[str, tuple[str, ...]] = {
    "area_no": ("serial", "area"), "activity_no": ("activity",), "indicator_no": ("indicator",),
    "achieved": ("progress",), "remarks": ("progress", "remarks"), "self_score": (), "counting": (),
    **{f"q{q}_{part}": (f"q{q}",) for q in range(1, 5) for part in ("target", "achieved")},
}

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
        "উপর্যুক্ত বিষয়ের প্রেক্ষিতে, {office_genitive} {plan} {fy} এর {period_genitive} "
        "({months} পর্যন্ত) {report} মহোদয়ের সদয় অবগতি ও প্রয়োজনীয় ব্যবস্থা গ্রহণের জন্য প্রেরণ করা হলো।"
    ),
    body_with_reference=(
        "উপর্যুক্ত বিষয় ও সূত্রের প্রেক্ষিতে, {office_genitive} {plan} {fy} এর {period_genitive} "
        "({months} পর্যন্ত) {report} মহোদয়ের সদয় অবগতি ও প্রয়োজনীয় ব্যবস্থা গ্রহণের জন্য প্রেরণ করা হলো।"
    ),
    # the achievements are from the start of the fiscal year (docs/scoring.md): the title names those months
    annex_title="{plan}র {fy} এর {period_to_date} ({months_to_date_from_to} পর্যন্ত)-এর {report}",
    progress_header="{progress_heading}",
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
        "target_100", "target_90", "target_80", "target_70", "target_60", "progress", "score",
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
    annex_widths=(("area", 2.2), ("activity", 3.3), ("indicator", 3.3), ("progress", 2.6), ("weight", 1.75),
                  ("score", 1.2), *((key, 1.92) for key, *_ in LEVELS)),
    periods=("h1", "annual"),
    documents=(LETTER, SCORED_ANNEX),
)

GRS = replace(CC, id="grs", plan="অভিযোগ প্রতিকার ব্যবস্থা বিষয়ক কর্মপরিকল্পনা")

RTI = replace(
    CC, id="rti", plan="তথ্য অধিকার বিষয়ক কর্মপরিকল্পনা",
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
    scoring=BY_QUARTERS,
    bracket_codes=False,
    annex_note="বিঃদ্রঃ কোন ক্রমিকের কার্যক্রম প্রযোজ্য না হলে তার কারণ মন্তব্য কলামে উল্লেখ করতে হবে।",
    annex_widths=(("activity", 3.4), ("indicator", 2.6), ("remarks", 3.2), ("weight", 2.0), ("unit", 1.1),
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
    scoring=None,
    sheets=("সভা", "সিদ্ধান্ত"),
    first_row=3,
    fields=fields.MINUTES,
    documents=(MINUTES_DOCUMENT,),
)

KINDS: dict[str, Kind] = {k.id: k for k in (CC, EGOV, GRS, RTI, NIS, MINUTES)}


def get(kind_id: str) -> Kind | None:
    return KINDS.get((kind_id or "").strip().lower())


ALL_FIELDS: dict[str, Field] = {f.key: f for kind in KINDS.values() for f in kind.field_map.values()}
KEY_VALUE_SHEETS = tuple(dict.fromkeys(k.sheets[0] for k in KINDS.values()))
READ_SHEETS = frozenset(s for k in KINDS.values() for s in k.sheets)  # the sheets the service reads values from
DATE_FIELDS = tuple(k for k, f in ALL_FIELDS.items() if f.kind == "date")  # read as dates, once (model.Report.dates)
