"""Reading a workbook: every cell the service needs, by machine key, from the bytes read once.

The package is checked first (generator.xlsx.package: size, zip bombs, far cells, and what later stages need:
formulas, error values, percent formats); python-calamine then reads the values, some 20 times faster
than openpyxl, bounded by the extents the check found.
"""

from __future__ import annotations

import io
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from generator.model import Cell, RawWorkbook
from generator.spec import kinds
from generator.spec.carried import CARRIED_SHEET
from generator.spec.kinds import ALL_FIELDS, KEY_VALUE_SHEETS
from generator.spec.sheets import FIRST_DATA_ROW, LETTER_SHEET, PLAN_SHEET
from generator.text.bangla import to_bangla_digits
from generator.xlsx import carried, package
from generator.xlsx.errors import WorkbookError, empty_file, missing_sheet, not_a_workbook
from generator.xlsx.source import Source, load

MAX_PLAN_ROWS = 1000
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls files, and password-protected .xlsx
PASSWORD_PROTECTED = (
    "ফাইলটি পাসওয়ার্ড দিয়ে সুরক্ষিত (অথবা পুরোনো .xls ফাইলের নাম বদলে .xlsx করা হয়েছে)। "
    "Excel-এ খুলে পাসওয়ার্ড তুলে দিন (File → Info → Protect Workbook → Encrypt) এবং .xlsx হিসেবে সংরক্ষণ করুন।",
    "The file is password-protected (or an old .xls renamed to .xlsx). Open it in Excel, remove the "
    "password (File → Info → Protect Workbook → Encrypt) and save it as .xlsx.",
)
OTHER_FORMATS = (".xls", ".ods", ".csv", ".numbers")


def read(source: Path | Source) -> RawWorkbook:
    """Read every cell the service needs, from a file or its bytes read once. WorkbookError for unusable files."""
    if not isinstance(source, Source):
        try:
            source = load(Path(source))
        except OSError as exc:
            raise not_a_workbook(type(exc).__name__) from None
    data, path = source.data, source.path
    if data is None:
        raise package.too_large(source.size)
    _format(path, data)
    scan = package.scan(data)  # before any reader parses a byte of XML
    try:
        with _panic_unsaid():  # (it reads the shared strings as it opens)
            wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, OSError, ValueError) as exc:
        raise not_a_workbook(type(exc).__name__) from None
    sheets = list(wb.sheet_names)
    letter_sheet = next((n for n in KEY_VALUE_SHEETS if n in sheets), None)
    if letter_sheet is None:
        raise missing_sheet(LETTER_SHEET)
    letter: dict[str, Cell] = {}
    letter_rows: dict[str, int] = {}
    repeated: list[tuple[str, str, str]] = []
    rows = _rows(wb, data, letter_sheet, _extent(scan, letter_sheet))
    key_col, value_col = _letter_layout(rows)
    key_letter, value_letter = get_column_letter(key_col + 1), get_column_letter(value_col + 1)
    for number, row in enumerate(rows, start=1):
        key = row[key_col] if len(row) > key_col else None
        if not isinstance(key, str) or key.strip() not in ALL_FIELDS:
            continue
        if key.strip() in letter:  # the first is read; the checks refuse the workbook at this one
            repeated.append((key.strip(), f"{key_letter}{letter_rows[key.strip()]}", f"{key_letter}{number}"))
            continue
        letter[key.strip()] = Cell(_value(row[value_col]) if len(row) > value_col else None, f"{value_letter}{number}")
        letter_rows[key.strip()] = number
    kind = kinds.get(str(letter["kind"].value)) if "kind" in letter else None
    table_sheet, first_row = (kind.sheets[1], kind.first_row) if kind else (PLAN_SHEET, FIRST_DATA_ROW)
    if table_sheet not in sheets:
        if kind is None:
            return RawWorkbook(str(path), letter, letter_rows, {}, [], sheets, letter_sheet, table_sheet)
        raise missing_sheet(table_sheet)
    table_rows = _rows(wb, data, table_sheet, _extent(scan, table_sheet))
    plan_columns, plan_rows = _read_plan(table_rows, table_sheet, first_row, scan.percent.get(table_sheet, set()))
    raw = RawWorkbook(str(path), letter, letter_rows, plan_columns, plan_rows, sheets, letter_sheet, table_sheet,
                      repeated=repeated)
    raw.error_values = _error_values(scan, raw)
    shown = {(sheet, ref) for sheet, ref, _, _ in raw.error_values}
    raw.uncomputed = [c for c in _formulas_without_values(scan, raw) if c not in shown]
    if CARRIED_SHEET in sheets:  # a next-period workbook: what `gen next` carried in
        raw.carried = carried.parse(_rows(wb, data, CARRIED_SHEET, _extent(scan, CARRIED_SHEET)))
    return raw


def get_column_letter(n: int) -> str:
    """1 → A, 27 → AA (openpyxl's, without importing openpyxl on the build's path)."""
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _format(path: Path, data: bytes) -> None:
    """Refuse, by name and first bytes, what is not an .xlsx at all."""
    suffix, head = path.suffix.lower(), data[:8]
    if head == OLE_SIGNATURE and suffix in (".xlsx", ".xlsm"):
        raise WorkbookError("password-protected", *PASSWORD_PROTECTED)
    if suffix in OTHER_FORMATS:
        raise WorkbookError(
            "unsupported-format",
            f"ফাইলটি {suffix} ধরনের; Excel-এ খুলে .xlsx হিসেবে সংরক্ষণ করুন।",
            f"The file is {suffix}; open it in Excel and save it as .xlsx.",
        )
    if not data:
        raise empty_file()
    if head[:2] != b"PK":
        raise not_a_workbook("not a zip file")


def _extent(scan: package.Scan, sheet: str) -> package.Extent:
    """How far to read a sheet: where its last cell holding something is, as the package check found;
    for a sheet it did not map, as far as any cell may be."""
    return scan.extents.get(sheet) or package.Extent(package.MAX_ROW, package.MAX_COL)


def _rows(wb, data: bytes, name: str, extent: package.Extent) -> list[list]:
    # calamine sizes a sheet by its farthest value, which the package check has bounded
    try:
        with _panic_unsaid():
            return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (CalamineError, ValueError) as exc:
        raise not_a_workbook(type(exc).__name__) from None
    except BaseException as exc:
        # calamine panics (pyo3's PanicException, a BaseException) on a number it cannot turn into a
        # date, such as -6e162 in a date-formatted cell; openpyxl reads that cell as an error value.
        if type(exc).__name__ != "PanicException":
            raise
        return rows_by_openpyxl(data, name, extent)


@contextmanager
def _panic_unsaid() -> Iterator[None]:
    """Rust prints a panic's message to the process's stderr before pyo3 raises it here, where it is handled: kept
    off the clerk's terminal (a worker's stderr is gen build's). Only in a process of one thread (a worker), where
    nothing else could be writing there meanwhile."""
    if threading.active_count() > 1:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.close(null)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def rows_by_openpyxl(data: bytes, name: str, extent: package.Extent) -> list[list]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
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


_NOT_PERCENT = {"area_weight", "weight", "self_score"}
_COUNT_OR_DATE = {kinds.UNITS[0], kinds.UNITS[2]}


def _percent_cell(cells: dict[str, Cell], key: str, cell: Cell, percent: set[str]) -> Cell:
    """calamine gives 95% as the bare number 0.95: a number in a cell formatted as a percentage (a pasted or
    reformatted cell, as the package check found) is marked so, unless its row counts or dates."""
    if (cell.ref in percent and key not in _NOT_PERCENT and isinstance(cell.value, (int, float))
            and not isinstance(cell.value, bool) and 0 < cell.value <= 2
            and str(getattr(cells.get("unit"), "value", "%")).strip() not in _COUNT_OR_DATE):
        return Cell(cell.value, cell.ref, percent_format=True)
    return cell


def _read_here(raw: RawWorkbook) -> Callable[[str, str], bool]:
    """Whether the service reads a cell: a letter field's value cell, or a plan column's cell below the header."""
    wanted = {(raw.letter_sheet, c.ref) for c in raw.letter.values()}
    first_row = min((n for n, _ in raw.plan_rows), default=FIRST_DATA_ROW)
    plan_letters = set(raw.plan_columns.values())

    def read(sheet: str, ref: str) -> bool:
        at = package._position(ref)
        if at is None:
            return False
        letters = ref.rstrip("0123456789").lstrip("$")
        return (sheet, ref) in wanted or (sheet == raw.table_sheet and at[0] >= first_row and letters in plan_letters)
    return read


def _error_values(scan: package.Scan, raw: RawWorkbook) -> list[tuple[str, str, str, bool]]:
    """(sheet, cell, error value, whether a formula gave it) of every cell the service reads that holds an
    Excel error value (#REF!, #DIV/0!, #N/A …): a reader sees them as empty, so they are named instead."""
    read = _read_here(raw)
    out = [(sheet, ref, value, ref in scan.formulas.get(sheet, {}))
           for sheet in dict.fromkeys((raw.letter_sheet, raw.table_sheet))
           for ref, value in scan.errors.get(sheet, {}).items() if read(sheet, ref)]
    return sorted(out, key=lambda c: (c[0] != raw.letter_sheet, package._position(c[1])))


def _formulas_without_values(scan: package.Scan, raw: RawWorkbook) -> list[tuple[str, str]]:
    """Formula cells the service reads that carry no computed value (the file was saved by a program
    that does not calculate, so no reader sees anything there)."""
    has_value = {(raw.letter_sheet, c.ref) for c in raw.letter.values() if c.value is not None}
    has_value |= {(raw.table_sheet, c.ref) for _, cells in raw.plan_rows for c in cells.values()}
    read = _read_here(raw)
    out = [(sheet, ref) for sheet in dict.fromkeys((raw.letter_sheet, raw.table_sheet))
           for ref in scan.formulas.get(sheet, {}) if read(sheet, ref) and (sheet, ref) not in has_value]
    return sorted(out, key=lambda c: (c[0] != raw.letter_sheet, package._position(c[1])))


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


def _read_plan(rows: list[list], sheet: str, first_row: int,
               percent: set[str]) -> tuple[dict[str, str], list[tuple[int, dict[str, Cell]]]]:
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
            if percent:
                cells = {key: _percent_cell(cells, key, cell, percent) for key, cell in cells.items()}
            out.append((number, cells))
    return columns, out
