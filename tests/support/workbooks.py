"""Workbooks the tests fill by key: the Mymensingh letter and rows, the examples, batches of copies."""
import datetime as dt
from pathlib import Path

from openpyxl.utils import get_column_letter

from generator.service import pipeline
from generator.spec import kinds
from generator.spec.paths import EXAMPLES_DIR, XLSX_DIR
from generator.xlsx import examples, filling


ROOT = Path(__file__).resolve().parents[2]


CC_EXAMPLE_JSON = EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json"


def fill_cc(tmp_path, letter, rows, name="filled.xlsx"):
    return filling.fill(XLSX_DIR / "cc.xlsx", tmp_path / name, letter, rows)


EXAMPLES = sorted(p.stem for p in EXAMPLES_DIR.glob("*.json"))


def build_examples(tmp: Path) -> dict[str, pipeline.Result]:
    """Every example workbook built into tmp/out (register in tmp/state), by example name."""
    results = {}
    for name in EXAMPLES:
        source = examples.write(EXAMPLES_DIR / f"{name}.json", tmp / f"{name}.xlsx")
        result = pipeline.build(source, out_root=tmp / "out", state_dir=tmp / "state")
        assert result.ok, (name, result.issues)
        results[name] = result
    return results


def C(key, row, kind="cc"):
    """The cell of plan column `key` on `row`, wherever the kind's template puts that column."""
    return f"{get_column_letter(kinds.KINDS[kind].columns.index(key) + 1)}{row}"


NIS_ROWS = [
    {"area_no": "১", "area": "প্রাতিষ্ঠানিক ব্যবস্থা", "activity_no": "১.১", "activity": "নৈতিকতা কমিটির সভা আয়োজন",
     "indicator": "সভা আয়োজিত হালনাগাদকৃত", "weight": 4, "unit": "সংখ্যা", "responsible": "সচিব", "annual_target": 4,
     "q1_target": 1, "q1_achieved": 1, "q2_target": 1, "q2_achieved": 1, "q3_target": 1, "q3_achieved": 1,
     "q4_target": 1, "q4_achieved": 1},
    {"activity_no": "১.২", "activity": "শুদ্ধাচার কর্মপরিকল্পনা ওয়েবসাইটে প্রকাশ", "indicator": "প্রকাশিত",
     "weight": 2, "unit": "তারিখ", "responsible": "আইটি ম্যানেজার", "annual_target": "৩০/০৬/২০২৩",
     "q1_achieved": "১০/০৮/২০২২"},
]


MYMENSINGH = {
    "fiscal_year": "2022-23",
    "period": "২য় ত্রৈমাসিক",
    "office_name": "ময়মনসিংহ সিটি কর্পোরেশন",
    "office_unit": "সমাজকল্যাণ বিভাগ",
    "office_address": "ময়মনসিংহ।",
    "office_website": "www.mcc.gov.bd",
    "memo_prefix": "46.21.6100.049.18.001.22",
    "reference": "স্থানীয় সরকার বিভাগের স্মারক নং-৪৬.০০.০০০০.০৭১.১৪.০৫২.২০২২-৬৭, তারিখ- ০৪.০১.২০২৩ খ্রিঃ।",
    "recipient": "সচিব\nস্থানীয় সরকার বিভাগ",
    "signatory_name": "মোঃ ইউসুফ আলী",
    "signatory_designation": "প্রধান নির্বাহী কর্মকর্তা",
    "signatory_email": "ceo.mcc2018@gmail.com",
    "copies": "মাননীয় মেয়র, ময়মনসিংহ সিটি কর্পোরেশন, ময়মনসিংহ।\nসংশ্লিষ্ট নথি।",
    "annex_signatories": "উম্মে হালিমা, সমাজকল্যাণ কর্মকর্তা\nমানস বিশ্বাস, নগর পরিকল্পনাবিদ\nসচিব, ময়মনসিংহ সিটি কর্পোরেশন, ময়মনসিংহ",
}


ROWS = [
    {"area": "প্রাতিষ্ঠানিক কার্যক্রম", "area_weight": 20, "activity_no": "১.১", "activity": "সেবা প্রদান প্রতিশ্রুতি হালনাগাদকরণ",
     "indicator_no": "১.১.১", "indicator": "হালনাগাদকৃত", "unit": "সংখ্যা", "weight": 10,
     "target_100": 4, "target_90": 3, "target_80": 2, "target_70": 1, "target_60": "-", "achieved": 2,
     "remarks": "PSC & PIC <সভা> হয়েছে"},
    {"indicator_no": "১.১.২", "indicator": "ওয়েবসাইটে প্রকাশিত", "unit": "%", "weight": 5,
     "target_100": "১০০%", "target_90": "৯০%", "target_80": "80%", "target_70": "৭০%", "target_60": "৬০%", "achieved": "৯৫%"},
    {"activity_no": "১.২", "activity": "অবহিতকরণ সভা", "indicator_no": "১.২.১", "indicator": "সভা আয়োজিত",
     "unit": "তারিখ", "weight": 5, "target_100": dt.datetime(2022, 12, 15), "target_90": "২০/১২/২০২২",
     "target_80": "-", "target_70": "-", "target_60": "-", "achieved": dt.datetime(2022, 12, 10)},
]


def make_workbooks(folder: Path, n: int, tag: str = "") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    template = filling.fill(XLSX_DIR / "cc.xlsx", folder / "_base.tmp.xlsx", MYMENSINGH, ROWS)
    out = []
    from openpyxl import load_workbook

    wb = load_workbook(template)
    ws = wb["পত্র"]
    row = next(r[0].row for r in ws.iter_rows(max_col=1) if r[0].value == "office_name")
    for i in range(n):
        ws.cell(row, 3, f"অফিস {tag}{i}")
        path = folder / f"w{tag}{i:03d}.xlsx"
        wb.save(path)
        out.append(path)
    template.unlink()
    return out
