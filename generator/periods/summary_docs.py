"""The receiving office's summary (summary.py) as a workbook a desk officer can filter, and as a Word
document: the office's own forwarding letter, from its letter sheet, then the ranking table in landscape,
in the style of the offices' annexes (Nikosh, 9 pt table, shaded header, numbered columns)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import hashlib
import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from dataclasses import replace

from generator.documents import registry, wordml
from generator.documents.contexts import signature_lines
from generator.documents.registry import Job
from generator.findings import Finding, PlaceError, Refused
from generator.model import Cell, Report
from generator.periods.summary import LATE, MISSING, STATUS_BN, Summary
from generator.records import store
from generator.records.register import Register, SerialTaken
from generator.rules import validate
from generator.rules.scoring import ScoreCard
from generator.service.pipeline import separator_kept, serial_taken
from generator.spec import kinds
from generator.spec.documents import LETTER
from generator.spec.memo import register_prefix
from generator.text import bangla
from generator.text.values import format_number
from generator.xlsx import blanks, reading, text_cells
from generator.xlsx.errors import WorkbookError

FONT = blanks.FONT
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_LATE_FILL = PatternFill("solid", fgColor="FFF2CC")
_MISSING_FILL = PatternFill("solid", fgColor="F8D7DA")
HEAD_ROW = 4  # the title, the deadline line and a blank row above the header


def title(summary: Summary) -> str:
    plan = kinds.KINDS[summary.kind].plan if summary.kind in kinds.KINDS else "সুশাসনমূলক কর্মপরিকল্পনা"
    return f"{plan} {summary.fiscal_year.long_label}: {summary.period.genitive} প্রতিবেদন জমা ও স্কোরের সারসংক্ষেপ"


def deadline_line(summary: Summary, today: dt.date) -> str:
    return (f"জমার শেষ তারিখ: {bangla.format_gregorian_date(summary.deadline)}; "
            f"প্রস্তুতের তারিখ: {bangla.format_gregorian_date(today)}")


# Workbook ------------------------------------------------------------------------------------

# (Bangla header, English header, width, number format or None)
_COLUMNS = [
    ("ক্রম", "No.", 6, "0"), ("ধরন", "Kind", 24, None), ("অফিস", "Office", 34, None), ("অবস্থা", "Status", 14, None),
    ("স্মারক", "Memo", 30, None), ("জমার সময়", "Received (Dhaka)", 17, "dd/mm/yyyy hh:mm"),
    ("প্রাপ্ত স্কোর", "Score", 10, "0.00"), ("সম্ভাব্য", "Possible", 10, "0.00"), ("শতকরা", "Percent", 10, "0.00"),
    ("অবস্থান", "Rank in kind", 10, "0"), ("সতর্কতা", "Warnings", 10, "0"), ("মন্তব্য", "Note", 22, None),
    ("নথির ফোল্ডার", "Documents", 60, None),
]


def _head(ws, row: int, headers: Sequence[tuple[str, str, float, str | None]]) -> None:
    for col, (bn, en, width, _) in enumerate(headers, 1):
        cell = ws.cell(row, col)
        text_cells.put(cell, f"{bn}\n{en}")  # an indicator sheet's headers are office names
        cell.font = Font(name=FONT, size=11, bold=True)
        cell.fill, cell.border = _HEAD_FILL, _BORDER
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[row].height = 32
    ws.freeze_panes = ws.cell(row + 1, 1)


def _title(ws, text: str, line: str, width: int) -> None:
    text_cells.put(ws.cell(1, 1), text)
    text_cells.put(ws.cell(2, 1), line)
    ws.cell(1, 1).font = Font(name=FONT, size=14, bold=True)
    ws.cell(2, 1).font = Font(name=FONT, size=11, color="444444")
    for r in (1, 2):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)


def _put(ws, row: int, col: int, value, fmt: str | None, fill=None) -> None:
    cell = ws.cell(row, col)
    text_cells.put(cell, value)  # offices' names, memos and notes: text, never a formula
    cell.font = Font(name=FONT, size=11)
    cell.border = _BORDER
    cell.alignment = Alignment(wrap_text=isinstance(value, str), vertical="top")
    if fmt and not isinstance(value, str):
        cell.number_format = fmt
    if fill is not None:
        cell.fill = fill


def note(row) -> str:
    notes = []
    if row.status == LATE:
        notes.append("শেষ তারিখের পরে জমা")
    if row.listed is False:
        notes.append("তালিকায় নেই")
    return "; ".join(notes)


def write_workbook(summary: Summary, today: dt.date) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "সারসংক্ষেপ"
    _title(ws, title(summary), deadline_line(summary, today), len(_COLUMNS))
    _head(ws, HEAD_ROW, _COLUMNS)
    for n, row in enumerate(summary.rows, 1):
        r = HEAD_ROW + n
        fill = _MISSING_FILL if row.status == MISSING else _LATE_FILL if row.status == LATE else None
        values = [n, row.kind_bn, row.office, STATUS_BN[row.status], row.memo,
                  row.received.replace(tzinfo=None) if row.received else None, row.total, row.possible, row.percent,
                  row.rank, None if row.status == MISSING else row.warnings, note(row), row.documents]
        for col, (value, (_, _, _, fmt)) in enumerate(zip(values, _COLUMNS), 1):
            _put(ws, r, col, value, fmt, fill if col == 4 else None)
    last = HEAD_ROW + max(1, len(summary.rows))
    ws.auto_filter.ref = f"A{HEAD_ROW}:{get_column_letter(len(_COLUMNS))}{last}"
    for kind in summary.kinds:
        _indicator_sheet(wb, summary, kind, today)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _indicator_sheet(wb, summary: Summary, kind: str, today: dt.date) -> None:
    """Each indicator of one kind across the offices: how many reached full marks, how many missed, and each
    office's score; the indicator most offices missed first."""
    ws = wb.create_sheet(f"সূচক {kind}"[:31])
    offices = summary.offices(kind)
    headers = [("সূচক", "Indicator", 12, None), ("মান", "Weight", 8, "0.00"), ("গণনায়", "Counted", 9, "0"),
               ("পূর্ণ নম্বর", "Full marks", 10, "0"), ("কম পেয়েছে", "Missed", 10, "0"), ("শূন্য", "Zero", 8, "0"),
               ("গড় অর্জন %", "Average % of weight", 12, "0.00"),
               *((office, "score", 16, "0.00") for office in offices)]
    plan = kinds.KINDS[kind].plan
    _title(ws, f"{plan} {summary.fiscal_year.long_label}: {summary.period.genitive} সূচকভিত্তিক অর্জন",
           "প্রতিটি অফিসের প্রাপ্ত স্কোর; '-' = এই প্রতিবেদনে গণনায় নেই (এখনো সময় হয়নি বা প্রযোজ্য নয়)। "
           "যে সূচকে সবচেয়ে বেশি অফিস পূর্ণ নম্বর পায়নি, সেটি প্রথমে।", min(len(headers), 12))
    _head(ws, HEAD_ROW, headers)
    indicators = summary.indicators(kind)
    for n, ind in enumerate(indicators, 1):
        r = HEAD_ROW + n
        values = [ind.number, ind.weight, len(ind.counted), ind.full, ind.missed, ind.zero, ind.average_percent]
        values += [("-" if ind.scores.get(o) is None else ind.scores[o]) if o in ind.scores else None for o in offices]
        for col, (value, (_, _, _, fmt)) in enumerate(zip(values, headers), 1):
            _put(ws, r, col, value, fmt, _MISSING_FILL if col == 5 and ind.missed else None)
    ws.auto_filter.ref = f"A{HEAD_ROW}:{get_column_letter(len(headers))}{HEAD_ROW + max(1, len(indicators))}"


# Word document -------------------------------------------------------------------------------

TABLE_PT = 9
# (header, width in cm, centred)
_ANNEX_COLUMNS = [("ক্রমিক", 1.2, True), ("অফিস", 6.6, False), ("স্মারক ও জমার তারিখ", 6.2, False),
                  ("প্রাপ্ত স্কোর", 2.0, True), ("সম্ভাব্য স্কোর", 2.0, True), ("শতকরা হার", 2.0, True),
                  ("ধরনের মধ্যে অবস্থান", 2.0, True), ("সতর্কতা", 1.8, True), ("মন্তব্য", 3.2, False)]


def _text_row(row, n: int) -> list[str]:
    if row.status == MISSING:
        return [bangla.to_bangla_digits(n), row.office, "-", "-", "-", "-", "-", "-", STATUS_BN[MISSING]]
    received = bangla.format_short_date(row.received.date()) if row.received else ""
    shown = lambda x: "-" if x is None else format_number(x)  # noqa: E731
    remark = "; ".join(p for p in (STATUS_BN[LATE] if row.status == LATE else "", "তালিকায় নেই" if row.listed is False else "") if p)
    return [bangla.to_bangla_digits(n), row.office, f"{row.memo or ''}\n{received}", shown(row.total), shown(row.possible),
            "-" if row.percent is None else format_number(row.percent) + "%",
            "-" if row.rank is None else bangla.to_bangla_digits(row.rank), bangla.to_bangla_digits(row.warnings), remark]


def _para(container, text: str = "", *, size: float = TABLE_PT, bold: bool = False, center: bool = False,
          first: bool = False, space_after: float = 0):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = container.paragraphs[0] if first and container.paragraphs else container.add_paragraph()
    lines = text.split("\n")
    for i, line in enumerate(lines):
        run = p.add_run(line)
        wordml.style_run(run, size=size, bold=bold)
        if i < len(lines) - 1:
            run.add_break()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(space_after)
    p.paragraph_format.space_before = Pt(0)
    return p


def _landscape(doc, *, new_section: bool):
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Cm

    section = doc.add_section(WD_SECTION.NEW_PAGE) if new_section else doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = section.left_margin = section.right_margin = Cm(1.27)
    return section


def _annex(doc, summary: Summary, office: str, signatories: list[str], today: dt.date, *, first: bool) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT


    plan = kinds.KINDS[summary.kind].plan if summary.kind in kinds.KINDS else "সুশাসনমূলক কর্মপরিকল্পনা"
    fy, period = summary.fiscal_year, summary.period
    _para(doc, f"{plan} {fy.long_label}", size=12, bold=True, center=True, first=first)
    if office:
        _para(doc, office, size=12, bold=True, center=True)
    _para(doc, f"আওতাধীন অফিসসমূহের {period.genitive} ({bangla.month_range(period, fy, joiner=' হতে ')}) প্রতিবেদন "
               "জমা ও স্কোরের সারসংক্ষেপ", size=11, bold=True, center=True)
    _para(doc, deadline_line(summary, today), size=10, center=True, space_after=4)
    groups = [(k, [r for r in summary.rows if r.kind == k]) for k in dict.fromkeys(r.kind for r in summary.rows)]
    sections = len(groups) > 1 or summary.kind is None
    body = sum(len(rows) for _, rows in groups) + (len(groups) if sections else 0)
    table = doc.add_table(rows=2 + body, cols=len(_ANNEX_COLUMNS))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    wordml.table_borders(table, size=4)
    wordml.cell_margins(table)
    wordml.fixed_layout(table, [w for _, w, _ in _ANNEX_COLUMNS])
    head, numbers = table.rows[0], table.rows[1]
    for i, (label, _, _) in enumerate(_ANNEX_COLUMNS):
        _para(head.cells[i], label, bold=True, center=True, first=True)
        _para(numbers.cells[i], f"({bangla.to_bangla_digits(i + 1)})", center=True, first=True)
    for r in (head, numbers):
        wordml.repeat_header(r)
        for cell in r.cells:
            wordml.valign(cell, "center")
            wordml.shade(cell, "EDEDED")
    body_rows = iter(list(table.rows)[2:])  # python-docx builds table.rows anew on each access
    for kind, rows in groups:
        if sections:
            line = next(body_rows)
            cells = line.cells
            merged = cells[0].merge(cells[-1])
            name = kinds.KINDS[kind].plan if kind in kinds.KINDS else "ধরন অজানা"
            _para(merged, name, bold=True, first=True)
            wordml.cant_split(line)
        for n, row in enumerate(rows, 1):
            line = next(body_rows)
            for i, (cell, text, (_, _, centred)) in enumerate(zip(line.cells, _text_row(row, n), _ANNEX_COLUMNS)):
                _para(cell, text, center=centred, first=True, bold=row.status == MISSING and i == len(_ANNEX_COLUMNS) - 1)
            wordml.cant_split(line)
    if not summary.rows:
        _para(doc, "এই সময়ের কোনো প্রতিবেদন পাওয়া যায়নি।", size=11)
    _para(doc, "স্কোর: প্রতিটি অফিসের বর্তমান (সর্বশেষ স্মারকের) প্রতিবেদন থেকে সার্ভিসের হিসাব করা স্কোর; "
               "অবস্থান একই ধরনের প্রতিবেদনের মধ্যে শতকরা হার অনুযায়ী (সমান হারে একই অবস্থান)।", size=10)
    if signatories:
        _para(doc, "", space_after=14)
        for line in signature_lines(signatories, office):
            p = _para(doc, line, size=10)
            _tabs(p)


def _tabs(paragraph) -> None:
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Cm

    width = 27.0
    for k in range(3):
        paragraph.paragraph_format.tab_stops.add_tab_stop(Cm(width * (2 * k + 1) / 6), WD_TAB_ALIGNMENT.CENTER)


def write_document(summary: Summary, today: dt.date, letter: bytes | None = None, office: str = "",
                   signatories: list[str] | None = None) -> bytes:
    """The letter (rendered already, from the receiving office's letter sheet) and the annex in a landscape
    section after it; without a letter, the annex alone."""
    from docx import Document

    if letter is not None:
        doc = Document(io.BytesIO(letter))
        _landscape(doc, new_section=True)
        _annex(doc, summary, office, signatories or [], today, first=False)
    else:
        doc = Document()
        wordml.set_document_defaults(doc, size=TABLE_PT)
        wordml.add_font_fallbacks(doc)
        _landscape(doc, new_section=False)
        props = doc.core_properties
        props.author = props.last_modified_by = "gen"
        props.title = "Summary"
        _annex(doc, summary, office, signatories or [], today, first=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# The receiving office's letter --------------------------------------------------------------------


class LetterError(Refused):
    """The receiving office's letter sheet has errors: every one of them is in `findings`."""


def read_letter(path: Path, summary: Summary, today: dt.date) -> Report:
    """The receiving office's letter sheet, read and checked like an office's (the plan sheet is not
    needed); a blank fiscal year or period is the summary's. LetterError with the findings when it has errors."""
    try:
        raw = reading.read(Path(path))
    except WorkbookError as e:
        raise LetterError([e.finding]) from None
    letter = dict(raw.letter)
    for key, value in (("fiscal_year", summary.fiscal_year.long_label), ("period", summary.period.name)):
        if key in letter and letter[key].value in (None, ""):
            letter[key] = Cell(value, letter[key].ref)
    raw = replace(raw, letter=letter)
    report, findings = validate.check(raw, today=today)
    errors = [f for f in findings if f.severity == "error" and (f.sheet is None or f.sheet == raw.letter_sheet)]
    if report is not None and not report.kind.scored:
        errors.append(Finding("error", "not-a-letter-sheet",
                              "এটি সভার কার্যবিবরণীর ছক; সারসংক্ষেপের পত্রের জন্য কোনো কর্মপরিকল্পনার ছকের 'পত্র' শিট পূরণ করুন।",
                              "This is a meeting-minutes workbook; fill the 'পত্র' sheet of a plan workbook for the "
                              "summary's letter.", raw.letter_sheet, None))
    if report is not None and not errors:
        got = {"fiscal_year": report.fiscal_year and report.fiscal_year.slug, "period": report.period and report.period.id}
        want = {"fiscal_year": summary.fiscal_year.slug, "period": summary.period.id}
        for key, what in (("fiscal_year", "অর্থবছর"), ("period", "সময়কাল")):
            if got[key] and got[key] != want[key]:
                errors.append(Finding(
                    "error", "letter-period-differs",
                    f"পত্রের {what} সারসংক্ষেপের সাথে মেলে না: পত্রে '{report.get(key)}'। ঘরটি ফাঁকা রাখুন বা ঠিক করুন।",
                    f"The letter's {key.replace('_', ' ')} differs from the summary's: '{report.get(key)}'. Leave the "
                    "cell blank or correct it.", raw.letter_sheet, report.refs.get(key)))
    if errors or report is None:
        raise LetterError(errors)
    return report


def summary_wording(report: Report, summary: Summary) -> Report:
    """The letter with its subject and body, where the sheet leaves them blank, in the summary's own wording."""
    kind = kinds.KINDS.get(summary.kind or "") or report.kind
    fy, period = summary.fiscal_year, summary.period
    plan_fy = f"{kind.plan} {fy.label} এর {period.genitive}"
    counts = {s: sum(1 for r in summary.rows if r.status == s) for s in STATUS_BN}
    fields = dict(report.fields)
    if not report.get("subject"):
        fields["subject"] = f"{plan_fy} অগ্রগতি প্রতিবেদনের সমন্বিত সারসংক্ষেপ প্রেরণ প্রসঙ্গে।"
    if not report.get("body"):
        opening = "উপর্যুক্ত বিষয় ও সূত্রের প্রেক্ষিতে" if report.get("reference") else "উপর্যুক্ত বিষয়ের প্রেক্ষিতে"
        tally = (f"মোট {bangla.to_bangla_digits(len(summary.rows))}টি প্রতিবেদনের মধ্যে "
                 f"{bangla.to_bangla_digits(counts['submitted'])}টি যথাসময়ে ও {bangla.to_bangla_digits(counts['late'])}টি "
                 f"বিলম্বে জমা হয়েছে")
        tally += f" এবং {bangla.to_bangla_digits(counts['missing'])}টি জমা হয়নি।" if counts["missing"] else "।"
        fields["body"] = (
            f"{opening}, এ দপ্তরের আওতাধীন অফিসসমূহের {plan_fy} ({bangla.month_range(period, fy)}) অগ্রগতি "
            f"প্রতিবেদন জমার অবস্থা, প্রাপ্ত স্কোর ও অবস্থানের সমন্বিত সারসংক্ষেপ সদয় অবগতি ও প্রয়োজনীয় "
            f"ব্যবস্থা গ্রহণের জন্য এতদসঙ্গে প্রেরণ করা হলো। {tally}")
    return replace(report, fields=fields)


def content_hash(report: Report, summary: Summary, dated: dt.date | None = None) -> str:
    """What the letter says and what the table shows: the same summary again keeps its memo number. `dated`:
    the day it is made (`--date`, else today), which the document prints (the letter's date when its issue_date
    is blank, and the table's "prepared on" always): another day's summary is another document, with its own memo."""
    rows = [[r.kind, r.office, r.status, r.memo, r.total, r.possible, r.rank] for r in summary.rows]
    data = {"letter": sorted(report.fields.items()), "rows": rows, "fy": summary.fiscal_year.slug,
            "period": summary.period.id}
    if dated is not None:
        data["dated"] = dated.isoformat()
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, default=str).encode()).hexdigest()


def write(summary: Summary, *, xlsx: Path | None = None, docx: Path | None = None, letter: Path | None = None,
          state_dir: Path, today: dt.date, replace: bool = False) -> tuple[list[Path], str | None, list[Finding]]:
    """Write the workbook and the document asked for; (the paths written, the letter's memo, warnings on the letter
    sheet). The letter takes
    its memo number from the register like an office's letter (the same summary again keeps its number). No
    file is written over unless `replace` (FileExistsError naming it: a letter's memo goes back to the register).
    LetterError for a letter sheet with errors; store.WriteError when a file cannot be written."""
    put = _write if replace else _write_new
    written: list[Path] = []
    memo: str | None = None
    notes: list[Finding] = []
    if docx is not None and letter is None:
        written.append(put(docx, write_document(summary, today)))
    elif docx is not None and letter is not None:
        memo, notes = _write_letter(summary, docx, letter, state_dir, today, put, written)
    if xlsx is not None:  # after the letter: a letter sheet refused leaves no file in the way of the next try
        written.append(put(xlsx, write_workbook(summary, today)))
    return written, memo, notes


def _write_letter(summary: Summary, docx: Path, letter: Path, state_dir: Path, today: dt.date, put,
                  written: list[Path]) -> tuple[str, list[Finding]]:
    """The receiving office's letter with the summary as its annex, under a memo from the register; its memo, and
    a warning when the register kept another separator than the one typed (as gen build says)."""
    report = summary_wording(read_letter(letter, summary, today), summary)
    prefix = register_prefix(report.get("memo_prefix"))
    digest = content_hash(report, summary, today)
    meta: dict[str, Any] = dict(source=f"summary {Path(letter).name}", kind=report.kind.id, office=report.office,
                                fiscal_year=summary.fiscal_year.slug, period=summary.period.id)
    with Register(state_dir) as register:
        try:
            with register.reserved(prefix, report.memo_serial, digest, separator=report.get("memo_separator"),
                                   **meta) as held:
                memo = held.number()
                printed = dataclasses.replace(report, fields={**report.fields, "memo_separator": held.separator})
                job = Job(printed, ScoreCard(), memo, report.issue_date or today)
                document = write_document(summary, today, registry.render(LETTER, job), report.office,
                                          report.lines("annex_signatories"))
                written.append(put(docx, document, store.WriteError))
        except SerialTaken as taken:
            raise LetterError([serial_taken(report, prefix, taken.entry)]) from None
    return memo, separator_kept(report, held.separator, Path(letter).name)


def _write_new(path: Path, data: bytes, error: Callable[[Path, OSError], PlaceError] = store.OutputError) -> Path:
    """Write a file that must not be there: whole, and never over another (FileExistsError); `error` (the letter's
    is store.WriteError: its memo goes back) when it cannot be written."""
    path = Path(path)
    try:
        tmp = store.staged(data, path.parent, suffix=path.suffix)
        try:
            if not store.link_new(tmp, path, data):
                raise FileExistsError(errno.EEXIST, "a file is there already", str(path))
        finally:
            Path(tmp).unlink(missing_ok=True)
    except FileExistsError:
        raise
    except OSError as e:
        raise error(path, e) from None
    return path


def _write(path: Path, data: bytes, error: Callable[[Path, OSError], PlaceError] = store.OutputError) -> Path:
    try:
        store.write_atomic(Path(path), data, durable=False)
    except OSError as e:
        raise error(path, e) from None
    return Path(path)
