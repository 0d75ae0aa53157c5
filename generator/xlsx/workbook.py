"""The standardized workbook: write blank templates, fill them by key, read them back."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineError, CalamineWorkbook

from generator.xlsx import carried, package
from generator.spec import fields, kinds
from generator.spec.fields import Field
from generator.text.bangla import PERIODS, to_bangla_digits
from generator.xlsx import print_setup
from generator.model import GUIDE_SHEET, LETTER_SHEET, PLAN_SHEET, Cell, RawWorkbook

TEMPLATE_VERSION = 1
FIRST_DATA_ROW = 4
BLANK_ROWS = 60
MAX_PLAN_ROWS = 1000
FONT = "Nikosh"


SECTIONS = fields.LETTER
FIELDS: dict[str, Field] = {f.key: f for _, fs in SECTIONS for f in fs}
ALL_FIELDS: dict[str, Field] = {f.key: f for kind in kinds.KINDS.values() for _, fs in kind.fields for f in fs}
KEY_VALUE_SHEETS = tuple(dict.fromkeys(k.sheets[0] for k in kinds.KINDS.values()))


def fields_of(kind: kinds.Kind) -> dict[str, Field]:
    return {f.key: f for _, fs in kind.fields for f in fs}


class WorkbookError(Exception):
    """The file cannot be read as one of our workbooks; `bn` and `en` say why."""

    def __init__(self, code: str, bn: str, en: str, sheet: str | None = None, cell: str | None = None):
        super().__init__(en)
        self.code, self.bn, self.en, self.sheet, self.cell = code, bn, en, sheet, cell


# Writing --------------------------------------------------------------------------------

_thin = Side(style="thin", color="999999")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
_INPUT_FILL = PatternFill("solid", fgColor="FFEB84")  # clearly yellow on screen, light enough to print over
_WRAP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)


def _font(**kw) -> Font:
    return Font(name=FONT, size=kw.pop("size", 12), **kw)


def blank_workbook(kind: kinds.Kind) -> Workbook:
    wb = Workbook()
    _letter_sheet(wb.active, kind)
    _plan_sheet(wb.create_sheet(kind.sheets[1]), kind)
    _guide_sheet(wb.create_sheet(GUIDE_SHEET), kind)
    wb.active = 2
    return wb


def _letter_sheet(ws, kind: kinds.Kind) -> None:
    ws.title = kind.sheets[0]
    ws.sheet_properties.tabColor = "1F4E79"
    for col, width in zip("ABC", (18, 42, 70)):
        ws.column_dimensions[col].width = width
    ws.column_dimensions["A"].hidden = True
    ws.append(["key", "বিষয় (Field)", "আপনার তথ্য (Your entry)"])
    for cell in ws[1]:
        cell.font = _font(bold=True)
        cell.fill = _HEAD_FILL
    ws.freeze_panes = "C2"
    period_list = DataValidation(
        type="list", formula1='"' + ",".join(p.name for p in PERIODS if p.id in kind.periods) + '"',
        allow_blank=False, showErrorMessage=True,
        errorTitle="সময়কাল", error="তালিকা থেকে একটি সময়কাল বাছুন। Pick a period from the list.",
    )
    ws.add_data_validation(period_list)
    for title, section in kind.fields:
        ws.append(["", title, ""])
        row = ws.max_row
        for cell in ws[row]:
            cell.fill = _SECTION_FILL
            cell.font = _font(bold=True, color="1F4E79")
        for f in section:
            label = f.label + (" *" if f.required else "") + (f"\n({f.hint})" if f.hint else "")
            ws.append([f.key, label, None])
            row = ws.max_row
            ws.row_dimensions[row].height = max(2, f.lines + (1 if f.hint else 0)) * 17
            ws.cell(row, 1).font = Font(name="Consolas", size=9, color="808080")
            ws.cell(row, 2).font = _font(bold=f.required)
            ws.cell(row, 2).alignment = _WRAP
            value = ws.cell(row, 3)
            value.font = _font()
            value.alignment = _WRAP
            value.border = _BORDER
            value.number_format = "dd/mm/yyyy" if f.kind == "date" else "@"
            if f.key == "kind":
                value.value = kind.id
            elif f.key == "template_version":
                value.value = TEMPLATE_VERSION
                value.number_format = "0"
            else:
                value.protection = _UNLOCKED
                value.fill = _INPUT_FILL
            if f.kind == "period":
                period_list.add(value)
            if f.key == "fiscal_year":
                print_setup.fiscal_year_list(ws, value)
    print_setup.letter_sheet(ws)
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.formatColumns = False


DROPDOWNS = (  # plan columns with a list to pick from: key, words, title, message on a wrong entry
    ("unit", kinds.UNITS, "একক", "তালিকা থেকে একটি একক বাছুন। Pick a unit from the list."),
    ("counting", kinds.COUNTING, "গণনা পদ্ধতি",
     "তালিকা থেকে একটি গণনা পদ্ধতি বাছুন, অথবা ফাঁকা রাখুন। Pick a counting method from the list, or leave it blank."),
)


def _plan_sheet(ws, kind: kinds.Kind) -> None:
    ws.sheet_properties.tabColor = "548235"
    cols = [kinds.COLUMNS[k] for k in kind.columns]
    first = kind.first_row
    last = first + BLANK_ROWS - 1
    for i, col in enumerate(cols, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = col.xlsx_width
        key = ws.cell(1, i, col.key)
        key.font = Font(name="Consolas", size=9, color="808080")
        header = col.header.replace("{{ fy }}", "").strip()
        if col.group:
            header = f"{col.group.replace('{{ fy }}', '').strip()}: {col.header} ({col.subheader})"
        head = ws.cell(2, i, header + (f"\n({col.hint})" if col.hint else ""))
        head.font = _font(bold=True, size=11)
        head.fill = _HEAD_FILL
        head.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        head.border = _BORDER
        if first > 3:
            num = ws.cell(3, i, f"({to_bangla_digits(i)})")
            num.font = _font(size=10)
            num.alignment = Alignment(horizontal="center")
            num.border = _BORDER
        for r in range(first, last + 1):
            cell = ws.cell(r, i)
            cell.protection = _UNLOCKED
            cell.alignment = _WRAP
            cell.border = _BORDER
            cell.font = _font(size=11)
            cell.number_format = "@"
    ws.row_dimensions[1].hidden = True
    ws.row_dimensions[2].height = print_setup.header_height(ws, 2, len(cols))
    print_setup.plan_sheet(ws, len(cols), first, last)
    ws.freeze_panes = ws.cell(first, 1)
    for key, words, title, error in DROPDOWNS:
        if key not in kind.columns:
            continue
        letter = get_column_letter(kind.columns.index(key) + 1)
        dropdown = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True,
                                  showErrorMessage=True, errorTitle=title, error=error)
        ws.add_data_validation(dropdown)
        dropdown.add(f"{letter}{first}:{letter}{MAX_PLAN_ROWS}")
    ws.protection.sheet = True
    for option in ("formatCells", "formatRows", "formatColumns", "insertRows", "deleteRows"):
        setattr(ws.protection, option, False)


GUIDE = [  # {letter} and {table} are the kind's two sheets
    ("এই ছক কীভাবে পূরণ করবেন", "How to fill this workbook"),
    ("১. '{letter}' শিটে হলুদ ঘরগুলো পূরণ করুন। * চিহ্নিত ঘর আবশ্যক।",
     "1. Fill the yellow cells of sheet '{letter}'. Cells marked * are required."),
    ("২. '{table}' শিটে প্রতিটি সূচক (বা সিদ্ধান্ত) একটি সারিতে লিখুন। ক্ষেত্র ও কার্যক্রম একাধিক সারিতে একই হলে শুধু প্রথম সারিতে লিখুন, নিচের ঘর ফাঁকা রাখুন।",
     "2. On sheet '{table}' write one row per indicator (or decision). Write an area or activity once, on its first row; leave the cells below it empty."),
    ("৩. সংখ্যা বাংলা বা ইংরেজি অঙ্কে লিখতে পারেন (৪ বা 4); শতাংশ ৮০%; তারিখ ০৪/০৫/২০২৩; না থাকলে -।",
     "3. Numbers in Bangla or English digits (৪ or 4); percentages as ৮০%; dates as 04/05/2023; a dash for none."),
    ("৪. লেখা ইউনিকোডে লিখুন (যেমন নিকস ফন্ট)। বিজয়/সুতনি-এমজে ফন্টে লেখা চলবে না।",
     "4. Type in Unicode Bangla (e.g. the Nikosh font), not Bijoy/SutonnyMJ."),
    ("৫. স্মারকের ক্রমিক ফাঁকা রাখলে সার্ভিস রেজিস্টার থেকে পরের নম্বর দেবে; একই ফাইল আবার দিলে একই নম্বর থাকবে।",
     "5. Leave the memo serial blank and the service takes the next number from its register; the same file again keeps its number."),
    ("৬. সারি বা শিটের নাম বদলাবেন না; লুকানো প্রথম কলাম/সারিতে যন্ত্রপাঠ্য কী (key) আছে।",
     "6. Do not rename sheets; the hidden first column/row holds the machine keys the service reads."),
    ("৭. পূরণ শেষে ফাইলটি সংরক্ষণ করুন এবং অফিসের শেয়ার্ড ফোল্ডারে রাখুন, অথবা প্রতিবেদনের ওয়েব পাতায় আপলোড করুন। "
     "কয়েক সেকেন্ডের মধ্যে পত্র ও সংযুক্তি তৈরি হবে; কোনো ঘরে ভুল থাকলে কোন ঘরে কী ভুল তা জানানো হবে।",
     "7. When done, save the file and put it into the office's shared folder, or upload it on the reports web "
     "page. The letter and annex are ready within seconds; if a cell is wrong you are told which one and why."),
]
PLAN_GUIDE = [  # for the plans that are scored: the period and the counting method
    ("৮. অর্জন কলামে লিখুন অর্থবছরের শুরু থেকে এই সময় পর্যন্ত অর্জন (১ জুলাই থেকে প্রতিবেদনের সময়কালের শেষ দিন পর্যন্ত মোট), "
     "শুধু এই ত্রৈমাসিকের নয়। যেমন: বছরে ৪টি সভার লক্ষ্যমাত্রায় ১ম ত্রৈমাসিকে ১টি ও ২য় ত্রৈমাসিকে ১টি সভা হলে "
     "২য় ত্রৈমাসিকের প্রতিবেদনে লিখুন ২। (শুদ্ধাচার ছকে প্রতিটি কোয়ার্টারের কলামে শুধু সেই কোয়ার্টারের অর্জন।)",
     "8. In the achievement column write the achievement from the start of the fiscal year to the end of the "
     "period (1 July to the period's last day), not the quarter's alone: with a target of 4 meetings a year, "
     "1 held in Q1 and 1 in Q2, the Q2 report says 2. (The integrity-strategy workbook has a column per quarter: "
     "each holds that quarter's achievement only.)"),
    ("৯. সমষ্টি পদ্ধতির সূচকে এই সময় পর্যন্ত বার্ষিক লক্ষ্যমাত্রার অংশ দেয়: ১ম ত্রৈমাসিকে ¼, ২য় ত্রৈমাসিক ও অর্ধবার্ষিকে ½, "
     "৩য় ত্রৈমাসিকে ¾, ৪র্থ ত্রৈমাসিক ও বার্ষিকে পুরোটা; সংখ্যা পূর্ণ সংখ্যায় নিচের দিকে ধরা হয় (বছরে ১টি কর্মশালা "
     "৪র্থ ত্রৈমাসিকের আগে দেয় নয়, আগে হয়ে গেলে পূর্ণ নম্বর)।",
     "9. For a summed (সমষ্টি) indicator the part of the annual target due so far is ¼ by Q1, ½ by Q2 and the "
     "half-year, ¾ by Q3, all of it by Q4 and in the annual report; counts are rounded down to whole events (one "
     "workshop a year is not due before Q4, and earns full marks if already held)."),
    ("১০. 'গণনা পদ্ধতি' কলামে বাছুন: সমষ্টি (ত্রৈমাসিকের অর্জন যোগ হয়), গড় (হার বা শতাংশ, যেমন লেখা তেমন তুলনা), "
     "ক্রমপুঞ্জিভূত (চলমান অবস্থা, যাতে আগের অর্জন ধরা আছে; সব সময় পূর্ণ লক্ষ্যমাত্রার সাথে তুলনা), তারিখ (নির্ধারিত "
     "তারিখের মধ্যে সম্পন্ন)। ফাঁকা রাখলে এককের স্বাভাবিক পদ্ধতি: সংখ্যা → সমষ্টি, % → গড়, তারিখ → তারিখ।",
     "10. In the column 'গণনা পদ্ধতি' (counting method) pick: সমষ্টি (sum: quarterly achievements add up), গড় "
     "(average: a rate or percentage, compared as written), ক্রমপুঞ্জিভূত (cumulative: a running level that already "
     "includes earlier periods, always compared with the full target), তারিখ (date: done by the date). Blank means "
     "the unit's default: সংখ্যা → sum, % → average, তারিখ → date."),
]


def _guide_sheet(ws, kind: kinds.Kind) -> None:
    ws.column_dimensions["A"].width = 110
    ws.append([f"{kind.plan} — {kind.report}"])
    ws["A1"].font = _font(bold=True, size=14)
    for bn, en in GUIDE + (PLAN_GUIDE if kind.scorer else []):
        bn, en = (t.format(letter=kind.sheets[0], table=kind.sheets[1]) for t in (bn, en))
        ws.append([bn])
        ws.cell(ws.max_row, 1).font = _font(bold=en == GUIDE[0][1])
        ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True)
        ws.append([en])
        ws.cell(ws.max_row, 1).font = Font(size=10, color="606060", italic=True)
        ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True)


def write_template(kind: kinds.Kind, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    blank_workbook(kind).save(path)
    return path


def fill(template: Path, out: Path, letter: dict[str, object], rows: list[dict[str, object]]) -> Path:
    """Fill a blank workbook by machine keys (column A of `পত্র`, row 1 of the plan sheet)."""
    wb = load_workbook(template)
    ws = wb[next(n for n in wb.sheetnames if n in KEY_VALUE_SHEETS)]
    where = {str(r[0].value).strip(): r[0].row for r in ws.iter_rows(min_col=1, max_col=1) if r[0].value}
    kind = kinds.get(str(ws.cell(where["kind"], 3).value))  # the template's own kind, before any change
    if kind is None:
        raise KeyError(f"no report kind in {template}")
    for key, value in letter.items():
        if key not in where:
            raise KeyError(f"no field {key!r} in {template}")
        ws.cell(where[key], 3, value)
    plan = wb[kind.sheets[1]]
    columns = {str(c.value).strip(): c.column for c in plan[1] if c.value}
    for offset, row in enumerate(rows):
        for key, value in row.items():
            if key not in columns:
                raise KeyError(f"no column {key!r} in {template}")
            plan.cell(kind.first_row + offset, columns[key], value)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return Path(out)


# Reading --------------------------------------------------------------------------------

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls files, and password-protected .xlsx


def _open(path: Path):
    """The workbook opened for reading values, with python-calamine (some 20 times faster than openpyxl),
    and the extent of each sheet the service reads, once the package has been checked."""
    suffix = path.suffix.lower()
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        head = b""
    if head == OLE_SIGNATURE and suffix in (".xlsx", ".xlsm"):
        raise WorkbookError(
            "password-protected",
            "ফাইলটি পাসওয়ার্ড দিয়ে সুরক্ষিত (অথবা পুরোনো .xls ফাইলের নাম বদলে .xlsx করা হয়েছে)। "
            "Excel-এ খুলে পাসওয়ার্ড তুলে দিন (File → Info → Protect Workbook → Encrypt) এবং .xlsx হিসেবে সংরক্ষণ করুন।",
            "The file is password-protected (or an old .xls renamed to .xlsx). Open it in Excel, remove the "
            "password (File → Info → Protect Workbook → Encrypt) and save it as .xlsx.",
        )
    if suffix in (".xls", ".ods", ".csv", ".numbers") or head[:2] != b"PK":
        if suffix in (".xls", ".ods", ".csv", ".numbers"):
            raise WorkbookError(
                "unsupported-format",
                f"ফাইলটি {suffix} ধরনের; Excel-এ খুলে .xlsx হিসেবে সংরক্ষণ করুন।",
                f"The file is {suffix}; open it in Excel and save it as .xlsx.",
            )
        raise _not_a_workbook("not a zip file")
    extents = package.check(path)  # before any reader parses a byte of XML
    try:
        return CalamineWorkbook.from_path(str(path)), extents
    except (CalamineError, OSError, ValueError) as exc:
        raise _not_a_workbook(type(exc).__name__) from None


def _not_a_workbook(why: str) -> WorkbookError:
    return WorkbookError(
        "not-a-workbook",
        "ফাইলটি পড়া যাচ্ছে না: এটি .xlsx ওয়ার্কবুক নয় বা নষ্ট হয়ে গেছে। 'gen template' দিয়ে পাওয়া ছকটি পূরণ করে পাঠান।",
        "The file cannot be read: it is not an .xlsx workbook, or it is damaged. "
        "Fill the workbook from 'gen template' and send that.",
    )


def _missing_sheet(name: str) -> WorkbookError:
    return WorkbookError(
        "missing-sheet",
        f"'{name}' নামের শিট পাওয়া যায়নি। 'gen template' দিয়ে পাওয়া ছক ব্যবহার করুন, শিটের নাম বদলাবেন না।",
        f"Sheet '{name}' is missing. Use the workbook from 'gen template' and keep its sheet names.",
        sheet=name,
    )


def _extent(extents: dict[str, package.Extent], sheet: str) -> package.Extent:
    """How far to read a sheet: where its last cell holding something is, as the package check found;
    for a sheet it did not map, as far as any cell may be."""
    return extents.get(sheet) or package.Extent(package.MAX_ROW, package.MAX_COL)


def _rows(wb, path: Path, name: str, extent: package.Extent) -> list[list]:
    # calamine sizes a sheet by its farthest value, which the package check has bounded
    try:
        return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (CalamineError, ValueError) as exc:
        raise _not_a_workbook(type(exc).__name__) from None
    except BaseException as exc:
        # calamine panics (pyo3's PanicException, a BaseException) on a number it cannot turn into a
        # date, such as -6e162 in a date-formatted cell; openpyxl reads that cell as an error value.
        if type(exc).__name__ != "PanicException":
            raise
        return _rows_by_openpyxl(path, name, extent)


def _rows_by_openpyxl(path: Path, name: str, extent: package.Extent) -> list[list]:
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "marked as a date but ... outside the limits"
            # bounded by the cells that hold something, not by the declared <dimension> (often A1:XFD1048576)
            rows = [["" if v is None else v for v in row]
                    for row in wb[name].iter_rows(max_row=max(extent.rows, 1), max_col=max(extent.cols, 1),
                                                  values_only=True)]
    finally:
        wb.close()
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def _value(v):
    return None if v == "" else v


def read(path: Path) -> RawWorkbook:
    """Read every cell the service needs, once. Raises WorkbookError for unusable files."""
    path = Path(path)
    wb, extents = _open(path)
    sheets = list(wb.sheet_names)
    letter_sheet = next((n for n in KEY_VALUE_SHEETS if n in sheets), None)
    if letter_sheet is None:
        raise _missing_sheet(LETTER_SHEET)
    letter, letter_rows = {}, {}
    rows = _rows(wb, path, letter_sheet, _extent(extents, letter_sheet))
    key_col, value_col = _letter_layout(rows)
    value_letter = get_column_letter(value_col + 1)
    for number, row in enumerate(rows, start=1):
        key = row[key_col] if len(row) > key_col else None
        if not isinstance(key, str) or key.strip() not in ALL_FIELDS or key.strip() in letter:
            continue
        letter[key.strip()] = Cell(_value(row[value_col]) if len(row) > value_col else None, f"{value_letter}{number}")
        letter_rows[key.strip()] = number
    kind = kinds.get(str(letter["kind"].value)) if "kind" in letter else None
    table_sheet, first_row = (kind.sheets[1], kind.first_row) if kind else (PLAN_SHEET, FIRST_DATA_ROW)
    if table_sheet not in sheets:
        if kind is None:
            return RawWorkbook(str(path), letter, letter_rows, {}, [], sheets, letter_sheet, table_sheet)
        raise _missing_sheet(table_sheet)
    table_rows = _rows(wb, path, table_sheet, _extent(extents, table_sheet))
    plan_columns, plan_rows = _read_plan(table_rows, table_sheet, first_row)
    raw = RawWorkbook(str(path), letter, letter_rows, plan_columns, plan_rows, sheets, letter_sheet, table_sheet)
    raw.uncomputed = _formulas_without_values(path, raw, extents)
    if carried.CARRIED_SHEET in sheets:  # a next-period workbook: what `gen next` carried in
        raw.carried = carried.parse(_rows(wb, path, carried.CARRIED_SHEET, _extent(extents, carried.CARRIED_SHEET)))
    _mark_percent_formats(path, raw, extents)
    return raw


_NOT_PERCENT = {"area_weight", "weight", "self_score"}
_COUNT_OR_DATE = {"সংখ্যা", "তারিখ"}


def _mark_percent_formats(path: Path, raw: RawWorkbook, extents: dict[str, package.Extent]) -> None:
    """calamine gives 95% as the bare number 0.95: look up the format of such numbers (a pasted or
    reformatted cell) with openpyxl, only when the plan holds one."""
    candidates = {c.ref: (i, key) for i, (_, cells) in enumerate(raw.plan_rows)
                  if str(getattr(cells.get("unit"), "value", "%")).strip() not in _COUNT_OR_DATE
                  for key, c in cells.items()
                  if key not in _NOT_PERCENT and isinstance(c.value, (int, float)) and not isinstance(c.value, bool)
                  and 0 < c.value <= 2}
    if not candidates:
        return
    wb = load_workbook(path, read_only=True)
    try:
        ws = wb[raw.table_sheet]
        last_col = max(_extent(extents, raw.table_sheet).cols, 1)
        for row in ws.iter_rows(min_row=min(n for n, _ in raw.plan_rows), max_row=max(n for n, _ in raw.plan_rows),
                                max_col=last_col):
            for c in row:
                ref = getattr(c, "coordinate", None)
                if ref in candidates and "%" in (c.number_format or ""):
                    i, key = candidates[ref]
                    cell = raw.plan_rows[i][1][key]
                    raw.plan_rows[i][1][key] = Cell(cell.value, cell.ref, percent_format=True)
    finally:
        wb.close()


_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")  # a cell formula, not <formula1> of a dropdown


def _has_formulas(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return any(n.startswith("xl/worksheets/") and _FORMULA.search(z.read(n)) for n in z.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def _formulas_without_values(path: Path, raw: RawWorkbook,
                             extents: dict[str, package.Extent]) -> list[tuple[str, str]]:
    """Formula cells the service reads that carry no computed value (the file was saved by a program
    that does not calculate, so openpyxl sees nothing there)."""
    if not _has_formulas(path):
        return []
    read = {(raw.letter_sheet, c.ref) for c in raw.letter.values() if c.value is not None}
    read |= {(raw.table_sheet, c.ref) for _, cells in raw.plan_rows for c in cells.values()}
    wanted = {(raw.letter_sheet, c.ref) for c in raw.letter.values()}
    first_row = min((n for n, _ in raw.plan_rows), default=FIRST_DATA_ROW)
    out = []
    wb = load_workbook(path, read_only=True, data_only=False)
    try:
        for sheet in (raw.letter_sheet, raw.table_sheet):
            if sheet not in wb.sheetnames:
                continue
            ws = wb[sheet]
            ws.reset_dimensions()
            extent = _extent(extents, sheet)  # a formula cell counts as holding something
            rows = ws.iter_rows(max_row=max(extent.rows, 1), max_col=max(extent.cols, 1))
            for number, row in enumerate(rows, start=1):
                for i, c in enumerate(row):
                    if not (isinstance(c.value, str) and c.value.startswith("=")):
                        continue
                    ref = f"{get_column_letter(i + 1)}{number}"
                    in_plan = (sheet == raw.table_sheet and number >= first_row
                               and ref[: -len(str(number))] in raw.plan_columns.values())
                    if ((sheet, ref) in wanted or in_plan) and (sheet, ref) not in read:
                        out.append((sheet, ref))
    finally:
        wb.close()
    return out


def _letter_layout(rows: list[list]) -> tuple[int, int]:
    """(key column, value column) of the letter sheet, 0-based, found by its header row ('key', …,
    'আপনার তথ্য (Your entry)'): a column the office inserted does not lose every field."""
    for row in rows[:10]:
        texts = [v.strip() if isinstance(v, str) else "" for v in row]
        if "key" in texts:
            key = texts.index("key")
            value = next((i for i, t in enumerate(texts) if "Your entry" in t or "আপনার তথ্য" in t), key + 2)
            return key, value
    return 0, 2


def _read_plan(rows: list[list], sheet: str, first_row: int) -> tuple[dict[str, str], list[tuple[int, dict[str, Cell]]]]:
    # the key row is row 1 of the template; a row the office inserted above it moves everything down
    known = [sum(isinstance(v, str) and v.strip() in kinds.COLUMNS for v in row) for row in rows[:10]]
    shift = next((i for i, n in enumerate(known) if n >= 2), 0)
    header = rows[shift] if rows else []
    keys = {i: v.strip() for i, v in enumerate(header) if isinstance(v, str) and v.strip() in kinds.COLUMNS}
    columns = {key: get_column_letter(i + 1) for i, key in keys.items()}
    out: list[tuple[int, dict[str, Cell]]] = []
    first_row += shift
    for number, row in enumerate(rows[first_row - 1:], start=first_row):
        cells = {}
        for i, key in keys.items():
            v = row[i] if i < len(row) else ""
            if v is not None and str(v).strip() != "":
                cells[key] = Cell(v, f"{columns[key]}{number}")
        if cells:
            if len(out) >= MAX_PLAN_ROWS:
                raise WorkbookError(
                    "too-many-rows",
                    f"'{sheet}' শিটে {to_bangla_digits(MAX_PLAN_ROWS)}টির বেশি সারি; একটি কর্মপরিকল্পনা এত বড় হয় না। অপ্রয়োজনীয় সারি মুছুন।",
                    f"Sheet '{sheet}' has more than {MAX_PLAN_ROWS} rows; no plan is that long. Delete the stray rows.",
                    sheet=sheet,
                )
            out.append((number, cells))
    return columns, out


def annotate(source: Path, findings) -> bytes | None:
    """A copy of the workbook with each bad cell filled red and its message as a comment.

    The original file is only read. None when the file cannot be opened at all, or when its package
    was refused (openpyxl loads every cell of every sheet: a refused file could fill memory)."""
    try:
        package.check(source)
        wb = load_workbook(source)
    except Exception:  # unreadable files were already reported; there is nothing to mark up
        return None
    red = PatternFill("solid", fgColor="FF9999")
    for f in findings:
        if f.sheet not in wb.sheetnames or not f.cell:
            continue
        try:
            cell = wb[f.sheet][f.cell]
        except (ValueError, KeyError):
            continue
        if not hasattr(cell, "fill") or isinstance(cell, tuple):
            continue
        cell.fill = red
        text = f.message if cell.comment is None else cell.comment.text + "\n\n" + f.message
        cell.comment = Comment(text, "gen", width=320, height=160)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
