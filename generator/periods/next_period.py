"""Next period's workbook (`gen next`): the kind's current blank workbook, filled from a submitted one.

Kept: the letter's fields (office, letterhead, recipient, signatories, copies …) and the plan rows. The period
is advanced (q1 → q2 → q3 → q4, h1 → annual); after q4 or the annual report comes the next fiscal year's first
period of the kind, with the plan rows kept and every target and achievement blank. The memo serial, issue
date, reference, subject, body and the office's own scores and remarks are left blank. A year-to-date
achievement (`achieved`) is carried as the starting point, filled orange with a note, and recorded in a
hidden sheet (carried.py) so that a build can warn when it was left as it was. See docs/next.md.
"""

from __future__ import annotations

import datetime as dt
import io
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from generator.spec import carried
from generator.xlsx import blanks, text_cells
from generator.spec import kinds
from generator.service import batch, pipeline
from generator.service.result import Result
from generator.text.bangla import PERIODS, FiscalYear, Period, to_ascii_digits, to_bangla_digits
from generator.model import RawWorkbook, Report
from generator.spec.sheets import GUIDE_SHEET
from generator import findings
from generator.findings import Finding
from generator.spec.codes import BAD_PERIOD, FORMULA_WITHOUT_VALUE, OUTPUT_EXISTS, PERIOD_UNKNOWN

ADVANCE = {"q1": "q2", "q2": "q3", "q3": "q4", "h1": "annual"}  # q4 and annual: the next year's first period
_BY_ID = {p.id: p for p in PERIODS}
TARGETS = ("annual_target", *(key for key, *_ in kinds.LEVELS), *(f"q{q}_target" for q in range(1, 5)))
ACHIEVEMENTS = ("achieved", *(f"q{q}_achieved" for q in range(1, 5)))
PER_REPORT = ("remarks", "evidence", "self_score")  # about the report just sent: blank in every next workbook
LETTER_BLANK = ("memo_serial", "issue_date", "reference", "subject", "body", "self_total")
PREFILLED = ("kind", "template_version", "fiscal_year", "period")
CARRIED_FILL = PatternFill("solid", fgColor="F4B183")  # orange: no other cell of the workbook has it
MAX_CARRIED = 4000


class Refused(findings.Refused):
    """No next workbook can be made; `findings` say why, at their cells, in Bangla and English."""


@dataclass
class Next:
    """What was made: the new period, the cells carried for the clerk to update, and what was noticed."""

    kind: str
    fiscal_year: FiscalYear
    period: Period
    rollover: bool  # a new fiscal year: targets and achievements blank
    carried: list[str] = field(default_factory=list)  # plan-sheet cells filled orange
    source_findings: list[Finding] = field(default_factory=list)  # the submitted workbook's own findings
    dropped: list[str] = field(default_factory=list)  # plan columns the current layout does not have

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.source_findings)

    @property
    def file_name(self) -> str:
        return f"{self.kind}-{self.fiscal_year.slug}-{self.period.id}.xlsx"


def following(kind: kinds.Kind, fy: FiscalYear, period: Period) -> tuple[FiscalYear, Period, bool]:
    """The period after `period` of fiscal year `fy`, and whether it starts a new fiscal year."""
    if period.id in ADVANCE and ADVANCE[period.id] in kind.periods:
        return fy, _BY_ID[ADVANCE[period.id]], False
    return FiscalYear(fy.start + 1, fy.short), _BY_ID[kind.periods[0]], True


def make(source: Path) -> tuple[bytes, Next]:
    """The next workbook's bytes. Raises Refused when the submitted workbook cannot be read or advanced;
    one with other errors is advanced (its findings are returned)."""
    loaded = batch.load_or_result(Path(source))  # missing, a folder, a FIFO: could-not-read, as gen validate says
    if isinstance(loaded, Result):
        raise Refused(list(loaded.issues))
    examined = pipeline.examine(loaded)
    findings, raw, report = list(examined.result.issues), examined.raw, examined.report
    if raw is None or report is None:
        raise Refused([f for f in findings if f.severity == "error"] or findings)
    if not report.kind.periods:
        raise Refused([Finding(
            "error", "no-next-period",
            f"{report.kind.plan}র কোনো প্রতিবেদনের সময়কাল নেই, তাই পরবর্তী সময়ের ওয়ার্কবুক হয় না। "
            f"পরের বারের জন্য 'gen template {report.kind.id}' দিয়ে ফাঁকা ছক নিন।",
            f"A {report.kind.id} workbook has no reporting period, so there is no next period's workbook. "
            f"Take a blank workbook for the next one with 'gen template {report.kind.id}'.",
            raw.letter_sheet, None)])
    if report.fiscal_year is None or report.period is None or report.period.id not in report.kind.periods:
        why = [f for f in findings if f.code in (*PERIOD_UNKNOWN, FORMULA_WITHOUT_VALUE)
               and f.cell in (report.refs.get("fiscal_year"), report.refs.get("period"))]
        raise Refused(why or [Finding(
            "error", BAD_PERIOD,
            "অর্থবছর বা প্রতিবেদনের সময়কাল পড়া যায়নি, তাই পরের সময়কাল বলা যাচ্ছে না। ঘর দুটি ঠিক করে আবার চালান।",
            "The fiscal year or the reporting period cannot be read, so the next period is unknown. "
            "Correct the two cells and run again.", raw.letter_sheet,
            report.refs.get("period") or report.refs.get("fiscal_year"))])
    fy, period, rollover = following(report.kind, report.fiscal_year, report.period)
    result = Next(report.kind.id, fy, period, rollover, source_findings=findings)
    wb = _fill(raw, report, result)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), result


def write(source: Path, out: Path | None = None, *, force: bool = False) -> tuple[Path, Next]:
    """Write the next workbook to `out` (default: its own name in the current folder): never over the submitted
    file, over another existing file only with `force` (it may be the clerk's filled-in next workbook), and never
    in the place of anything but an ordinary file (store.NotAFileOutput)."""
    from generator.records import store

    source = Path(source)
    data, result = make(source)
    out = Path(out) if out is not None else Path(result.file_name)
    if out.exists() and source.exists() and out.resolve() == source.resolve():
        raise Refused([same_file()])
    store.refuse_unless_ordinary(out)  # force replaces an ordinary file only: never a link, FIFO or device
    if out.suffix.lower() != ".xlsx":
        raise Refused([not_xlsx(out)])
    store.refuse_over_record(out)  # nor a built letter, a register or a kept original, whatever its name
    if out.exists() and not force:
        raise Refused([already_there(out)])
    try:
        store.write_atomic(out, data)
    except OSError as e:  # a folder in the way (with --force), a file where its folder should be, read-only
        raise store.OutputError(out, e) from None
    return out, result


def already_there(out: Path) -> Finding:
    return Finding("error", OUTPUT_EXISTS,
                   f"{out} আগে থেকেই আছে (হয়তো পূরণ করা ওয়ার্কবুক), তাই তার ওপর লেখা হয়নি। অন্য নাম দিন (-o), "
                   "অথবা সত্যিই বদলাতে চাইলে --force দিন।",
                   f"{out} already exists (perhaps a filled-in workbook), so it was not written over. Give another "
                   "name (-o), or --force to replace it.")


def not_xlsx(out: Path) -> Finding:
    return Finding("error", "output-not-xlsx",
                   f"{out}: পরবর্তী ওয়ার্কবুক একটি .xlsx ফাইল; এমন নাম দিন যার শেষে .xlsx (যেমন -o q2.xlsx)।",
                   f"{out}: the next workbook is an .xlsx file; give a name ending in .xlsx (e.g. -o q2.xlsx).")


def same_file() -> Finding:
    return Finding("error", "same-file",
                   "পরবর্তী ওয়ার্কবুক জমা দেওয়া ফাইলের ওপরেই লেখা হতো; অন্য নাম দিন (-o)।",
                   "The next workbook would overwrite the submitted file; give another name (-o).")


def _fill(raw: RawWorkbook, report: Report, result: Next):
    kind = report.kind
    wb = blanks.blank_workbook(kind)
    letter = wb[kind.sheets[0]]
    where = {str(r[0].value).strip(): r[0].row for r in letter.iter_rows(min_col=1, max_col=1) if r[0].value}
    typed_fy = str(raw.letter["fiscal_year"].value)
    fy_text = result.fiscal_year.label  # in the form typed: short or long, Bangla or ASCII digits
    letter.cell(where["fiscal_year"], 3, to_ascii_digits(fy_text) if to_ascii_digits(typed_fy) == typed_fy else fy_text)
    letter.cell(where["period"], 3, result.period.name)
    for key, cell in raw.letter.items():
        if key in where and key not in LETTER_BLANK + PREFILLED and cell.value is not None:
            _put(letter.cell(where[key], 3), cell.value, cell.percent_format)

    plan = wb[kind.sheets[1]]
    columns = {str(c.value).strip(): c.column for c in plan[1] if c.value}
    result.dropped = sorted(set(raw.plan_columns) - set(columns))
    quarter = result.period.quarters[0]
    assert report.fiscal_year is not None and report.period is not None  # make() refuses a report without them
    source = f"{report.fiscal_year.slug} {report.period.id}"
    records: list = []
    occurrences = carried.occurrences(raw.plan_rows)
    for i, ((_, cells), row, ((number, text), nth)) in enumerate(zip(raw.plan_rows, report.rows, occurrences)):
        r = kind.first_row + i
        if r >= kind.first_row + blanks.BLANK_ROWS:
            _style_like(plan, r, kind.first_row)
        for key, cell in cells.items():
            if key not in columns or key in PER_REPORT or cell.value is None:
                continue
            if result.rollover and key in TARGETS + ACHIEVEMENTS:
                continue
            if key.startswith("q") and key.endswith("_achieved") and int(key[1]) >= quarter:
                continue  # a quarter not yet reported: its own achievement, written fresh (nis)
            target = plan.cell(r, columns[key])
            _put(target, cell.value, cell.percent_format)
            if key == "achieved" and row.value("achieved").date is None and len(records) < MAX_CARRIED:
                _mark(target, source, result)
                records.append((key, number, text, nth, target, source))
                result.carried.append(target.coordinate)
    if records:
        _record(wb, records)
    _guide(wb[GUIDE_SHEET], report, result)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = False
    plan.sheet_view.tabSelected = True
    wb.active = wb.worksheets.index(plan)
    return wb


def _put(target, value: object, percent_format: bool) -> None:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    text_cells.put(target, value)  # an office's text is never a formula in the workbook we hand back
    if isinstance(value, (dt.date, dt.datetime)):
        target.number_format = "dd/mm/yyyy"
    elif percent_format and isinstance(value, (int, float)):
        target.number_format = "0%" if float(value * 100).is_integer() else "0.00%"
    elif isinstance(value, (int, float)):
        target.number_format = "General"


def _mark(target, source: str, result: Next) -> None:
    fy, _, period = source.partition(" ")
    target.fill = CARRIED_FILL
    target.comment = Comment(
        f"আগের প্রতিবেদন ({to_bangla_digits(fy)}, {_BY_ID[period].name}) থেকে আনা অর্জন। অর্থবছরের শুরু থেকে {result.period.name}-এর শেষ পর্যন্ত "
        f"অর্জন লিখে হালনাগাদ করুন।\nCarried from the previous report ({source}). Update it: the achievement "
        f"from the start of the fiscal year to the end of this period.", "gen next", width=300, height=140)


def _record(wb, records) -> None:
    ws = wb.create_sheet(carried.CARRIED_SHEET)
    ws.sheet_state = "veryHidden"  # machine data: only the service reads it
    ws.append(list(carried.KEYS))
    for key, number, text, nth, target, source in records:
        ws.append([key, number, text, nth, target.value, source])
        text_cells.keep_text(ws[ws.max_row])
        ws.cell(ws.max_row, carried.KEYS.index("value") + 1).number_format = target.number_format


def _style_like(ws, row: int, model_row: int) -> None:
    """A plan row past the blank workbook's formatted ones, formatted like its first data row."""
    for c in ws[model_row]:
        target = ws.cell(row, c.column)
        target._style = copy(c._style)


def _guide(ws, report: Report, result: Next) -> None:
    assert report.fiscal_year is not None and report.period is not None  # make() refuses a report without them
    before = f"{report.fiscal_year.label}, {report.period.name}"
    lines = [(
        f"এই ওয়ার্কবুক আগের প্রতিবেদন ({before}) থেকে 'gen next' দিয়ে তৈরি: অফিস, প্রাপক, স্বাক্ষরকারী, অনুলিপি ও "
        "কর্মপরিকল্পনার সারি আগের মতো। স্মারকের ক্রমিক, তারিখ, সূত্র, বিষয়, মূল অংশ ও মন্তব্য নতুন করে লিখুন (ফাঁকা রাখলে মানসম্মত লেখা বসবে)।",
        f"This workbook was made by 'gen next' from the previous report ({before}): office, recipient, signatories, "
        "copies and plan rows as before. Write the memo serial, date, reference, subject, body and remarks afresh "
        "(blank gives the standard wording).")]
    if result.rollover:
        lines.append((
            "নতুন অর্থবছর: সব লক্ষ্যমাত্রা ও অর্জন ফাঁকা। নতুন বছরের কর্মপরিকল্পনা অনুযায়ী লক্ষ্যমাত্রা লিখুন।",
            "A new fiscal year: every target and achievement is blank. Write the targets of the new year's plan."))
    if result.carried:
        lines.append((
            "কমলা রঙের অর্জনের ঘরগুলোতে আগের প্রতিবেদনের অর্জন আছে: অর্থবছরের শুরু থেকে এই সময়কালের শেষ পর্যন্ত অর্জন "
            "লিখে হালনাগাদ করুন। না বদলালে পত্র তৈরির সময় সতর্কতা দেখাবে।",
            "The orange achievement cells hold the previous report's achievements: update each to the achievement "
            "from the start of the fiscal year to the end of this period. Left unchanged, the build warns."))
    for bn, en in lines:
        for text, font in ((bn, blanks._font(bold=True)), (en, copy(ws["A3"].font))):
            ws.append([text])
            cell = ws.cell(ws.max_row, 1)
            cell.font, cell.alignment = font, copy(ws["A2"].alignment)
            ws.row_dimensions[ws.max_row].height = 17 * -(-len(text) // 95)  # wrapped: LibreOffice keeps one line
