"""Synthetic workbooks for the benchmarks: N indicator rows, five areas at most, four indicators an activity."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from generator.xlsx import filling
from generator.spec.paths import XLSX_DIR

LETTER = {
    "fiscal_year": "২০২৩-২৪", "period": "অর্ধবার্ষিক", "office_name": "নমুনা অফিস", "office_address": "ঢাকা।",
    "memo_prefix": "৪৬.১১.১৬০০.০০১.১৮.০৪১.২৩", "recipient": "সচিব\nস্থানীয় সরকার বিভাগ", "signatory_name": "নাম",
    "signatory_designation": "পদবি", "annex_signatories": "প্রস্তুতকারী, প্রোগ্রামার\nযাচাইকারী, সচিব",
}


def rows(n: int) -> list[dict]:
    out = []
    for i in range(n):
        area, activity = i // 20 + 1, i // 4 + 1
        row = {"indicator_no": f"{area}.{activity}.{i % 4 + 1}", "indicator": f"সূচক নম্বর {i}: সেবা সহজিকরণ ও হালনাগাদকরণ",
               "unit": "সংখ্যা", "weight": 1, "target_100": 4, "target_90": 3, "target_80": 2, "target_70": 1,
               "target_60": "-", "achieved": i % 5, "remarks": "অগ্রগতি সন্তোষজনক; পরবর্তী কোয়ার্টারে সম্পন্ন হবে"}
        if i % 20 == 0:
            row.update(area_no=str(area), area=f"কর্মসম্পাদন ক্ষেত্র {area}", area_weight=min(20, n - i))
        if i % 4 == 0:
            row.update(activity_no=f"{area}.{activity}", activity=f"কার্যক্রম {activity}: ত্রৈমাসিক ভিত্তিতে হালনাগাদকরণ")
        out.append(row)
    return out


def workbooks(folder: Path, count: int, n_rows: int) -> list[Path]:
    """`count` workbooks of `n_rows` rows, differing by office name (so each gets its own memo)."""
    folder.mkdir(parents=True, exist_ok=True)
    base = filling.fill(XLSX_DIR / "cc.xlsx", folder.parent / f"{folder.name}-base-{n_rows}.xlsx", LETTER, rows(n_rows))
    wb = load_workbook(base)
    ws = wb["পত্র"]
    row = next(r[0].row for r in ws.iter_rows(max_col=1) if r[0].value == "office_name")
    paths = []
    for i in range(count):
        ws.cell(row, 3, f"নমুনা অফিস {i}")
        path = folder / f"w{n_rows}-{i:04d}.xlsx"
        wb.save(path)
        paths.append(path)
    base.unlink()
    return paths
