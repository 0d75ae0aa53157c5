"""The receiving office's roster: the offices that must report to it, read from a text or CSV file (one
office a line, the first column of a CSV) or a workbook (the first column of its first sheet).

Every roster is treated as hostile: its size is checked before it is read, a workbook's package is
checked before any XML is parsed, and a file that cannot be read gets a message in Bangla with English
beneath that names the file and the line or cell."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from pathlib import Path

from generator.findings import GenError
from generator.xlsx import package
from generator.xlsx.errors import WorkbookError
from generator.text import bijoy, identity
from generator.text.bangla import to_bangla_digits

MAX_TEXT_BYTES = 1 * 2**20  # a thousand offices' names are some 60 KB
MAX_OFFICES = 5000
MAX_NAME_CHARS = 300
# a first line that only names the column (any case, Bangla or English) is a header, not an office
HEADERS = {"office", "offices", "office name", "office names", "office_name", "name", "names", "office list",
           "list of offices", "roster", "অফিস", "অফিসের নাম", "অফিসসমূহ", "অফিসের তালিকা", "অফিস তালিকা", "দপ্তর",
           "দপ্তরের নাম", "দপ্তরসমূহ", "দপ্তরের তালিকা", "কার্যালয়", "কার্যালয়ের নাম", "কার্যালয়সমূহ", "কার্যালয়ের তালিকা",
           "নাম", "দপ্তর/সংস্থা", "দপ্তর/সংস্থার নাম"}
# a list numbered by hand ("১. খুলনা…", "(2) Khulna…", after office_key's Bangla digits): the number is not the name
_SERIAL = re.compile(r"^\(?[০-৯]{1,4}[.)।]\s*(?=[^\W\d_])(?!নং)")  # not '৭. নং ওয়ার্ড': the number is its name
_JOINERS = "\u200c\u200d\ufeff"


class RosterError(GenError):
    """A roster that cannot be used; `bn` and `en` say why and where."""

    def __init__(self, bn: str, en: str):
        super().__init__("bad-roster", bn, en)


def office_key(name: str) -> str:
    """An office name as compared between the roster and the ledger: its identity key (NFC, no invisible
    characters, spaces of any kind collapsed to one and trimmed, digits of any script alike, khanda ta typed
    either way). Nothing else is forgiven (no guessing at spellings)."""
    return identity.key(name, digits="bangla", folded=True)


def read(path: Path) -> list[str]:
    """The offices named in the roster, in its order, each once (as first written, spaces tidied)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise IsADirectoryError(path)
    except OSError as e:
        raise RosterError(f"অফিসের তালিকা {path} পড়া যাচ্ছে না ({e.strerror or e})।",
                          f"The roster {path} cannot be read ({e.strerror or e}).") from None
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        names = _from_workbook(path)
    else:
        if size > MAX_TEXT_BYTES:
            raise RosterError(
                f"অফিসের তালিকা {path} অনেক বড় ({to_bangla_digits(size)} বাইট); সর্বোচ্চ "
                f"{to_bangla_digits(MAX_TEXT_BYTES)} বাইট। প্রতি লাইনে একটি অফিসের নাম লিখুন।",
                f"The roster {path} is too large ({size} bytes); at most {MAX_TEXT_BYTES}. "
                "Write one office name a line.")
        names = _from_text(path, path.read_bytes())
    out, seen = [], set()
    for where, typed in names:
        name = _SERIAL.sub("", office_key(typed).strip(_JOINERS + " "))
        if not name:
            continue
        _refuse_unless_a_name(path, where, typed.strip(), name)
        if len(name) > MAX_NAME_CHARS:
            raise RosterError(f"{path} {where}: অফিসের নাম অনেক লম্বা ({to_bangla_digits(len(name))} অক্ষর)।",
                              f"{path} {where}: the office name is too long ({len(name)} characters).")
        if name not in seen:
            seen.add(name)
            out.append(name)
        if len(out) > MAX_OFFICES + _header(out):
            raise RosterError(f"{path}: তালিকায় {to_bangla_digits(MAX_OFFICES)}টির বেশি অফিস।",
                              f"{path}: more than {MAX_OFFICES} offices in the roster.")
    if _header(out):
        out = out[1:]
    if not out:
        raise RosterError(f"অফিসের তালিকা {path}-এ কোনো অফিসের নাম নেই। প্রতি লাইনে একটি অফিসের নাম লিখুন।",
                          f"The roster {path} names no office. Write one office name a line.")
    return out


def _refuse_unless_a_name(path: Path, where: str, typed: str, name: str) -> None:
    """RosterError naming the line or cell when what is there cannot be an office's name: one that runs over
    lines (a CSV quote left open joins two offices), Bangla typed in Bijoy, or one without a letter (a serial
    number: the first column is not the names)."""
    if "\n" in typed or "\r" in typed:
        raise RosterError(
            f"অফিসের তালিকা {path} {where}: একটি নামে একাধিক লাইন: CSV-তে কোনো উদ্ধৃতিচিহ্ন (\") খোলা থেকে গেলে দুটি অফিস এক হয়ে যায়। "
            "উদ্ধৃতিচিহ্নটি বন্ধ করুন বা মুছে দিন।",
            f"The roster {path} {where}: a name runs over more than one line: a quote (\") left open in a CSV joins two "
            "offices. Close the quote or remove it.")
    if bijoy.looks_like_bijoy(name):
        raise RosterError(
            f"অফিসের তালিকা {path} {where}: '{name}' বিজয়ে লেখা মনে হচ্ছে; ইউনিকোডে রূপান্তর করে আবার দিন (অফিসের নাম ইউনিকোড "
            "বাংলায় মেলানো হয়)।",
            f"The roster {path} {where}: '{name}' looks typed in Bijoy; convert it to Unicode and give it again (office names "
            "are matched in Unicode Bangla).")
    if not any(ch.isalpha() for ch in name):
        raise RosterError(
            f"অফিসের তালিকা {path} {where}: '{name}' কোনো অফিসের নাম নয় (কোনো অক্ষর নেই): তালিকার প্রথম কলামে অফিসের নাম থাকতে হবে, "
            "ক্রমিক নম্বর নয়।",
            f"The roster {path} {where}: '{name}' is not an office's name (it has no letter): the roster's first column must "
            "hold the names, not serial numbers.")


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without the BOM Notepad writes) or UTF-16 with its BOM (Excel's 'Unicode text');
    anything else is refused rather than guessed."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise RosterError(
            f"অফিসের তালিকা {path}, লাইন {to_bangla_digits(line)}: লেখাটি ইউনিকোড (UTF-8) নয়। বিজয়ে লেখা হলে "
            "ইউনিকোডে রূপান্তর করুন; Notepad-এ 'Save as' → Encoding: UTF-8 দিয়ে সংরক্ষণ করুন।",
            f"The roster {path}, line {line}: the text is not Unicode (UTF-8). If it was typed in Bijoy, convert "
            "it to Unicode; in Notepad use 'Save as' with Encoding: UTF-8.") from None
    if "\x00" in text:
        raise RosterError(f"অফিসের তালিকা {path} লেখার ফাইল নয়।", f"The roster {path} is not a text file.")
    return text


def _header(names: list[str]) -> bool:
    """Whether the first line only names the column."""
    return bool(names) and names[0].casefold().rstrip(":- ") in HEADERS


def _from_text(path: Path, data: bytes) -> list[tuple[str, str]]:
    text = _decode(path, data)
    if path.suffix.lower() != ".csv":  # Excel's "Unicode text" is a tab between columns: the first is the names
        return [(f"line {n}", line.split("\t", 1)[0]) for n, line in enumerate(text.splitlines(), 1)]
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=_delimiter(text)))
        return [(f"line {n}", row[0] if row else "") for n, row in enumerate(rows, 1)]
    except csv.Error as e:
        raise RosterError(f"অফিসের তালিকা {path} CSV হিসেবে পড়া যাচ্ছে না ({e})।",
                          f"The roster {path} cannot be read as CSV ({e}).") from None


def _delimiter(text: str) -> str:
    """';' for a CSV saved where ',' is the decimal mark: one where every line holds the same number of semicolons
    outside quotes (its columns), at least one (an office's name may hold a comma, or now and then a ';')."""
    counts = {sum(1 for row in csv.reader([line], delimiter=";") for _ in row) - 1
              for line in text.splitlines() if line.strip()}
    return ";" if len(counts) == 1 and counts.pop() >= 1 else ","


class _EverySheet:
    def __contains__(self, name: object) -> bool:
        return True


def _from_workbook(path: Path) -> list[tuple[str, str]]:
    from python_calamine import CalamineWorkbook

    try:
        data, found = package.scanned(path, sheets=_EverySheet())  # size, zip bombs, far cells: before any XML
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        first = wb.sheet_names[0]
        extent = found.extents.get(first)
        rows = wb.get_sheet_by_name(first).to_python(skip_empty_area=False) if extent and extent.rows else []
    except WorkbookError as e:
        raise RosterError(f"অফিসের তালিকা {path}: {e.bn}", f"The roster {path}: {e.en}") from None
    except Exception as e:  # calamine's own errors: a damaged file
        raise RosterError(f"অফিসের তালিকা {path} পড়া যাচ্ছে না: ফাইলটি নষ্ট বা .xlsx নয় ({type(e).__name__})।",
                          f"The roster {path} cannot be read: it is damaged or not an .xlsx ({type(e).__name__}).") from None
    in_first_column = sorted(int(ref[1:]) for ref, saved in found.formulas.get(first, {}).items()
                             if re.fullmatch(r"A\d+", ref) and not saved)  # a formula saved with no result
    for n in in_first_column:  # calamine reads such a cell as empty, and leaves out empty rows at the end
        if n > len(rows) or not rows[n - 1] or rows[n - 1][0] in (None, ""):
            raise RosterError(
                f"অফিসের তালিকা {path} {first}!A{n}: এই ঘরে সূত্র (formula) আছে কিন্তু হিসাব করা মান নেই; Excel বা LibreOffice-এ খুলে "
                "আবার সংরক্ষণ করুন, অথবা সূত্রের বদলে নাম লিখুন।",
                f"The roster {path} {first}!A{n}: this cell holds a formula with no computed value; open the file in Excel or "
                "LibreOffice and save it again, or type the name instead.")
    out = []
    for n, row in enumerate(rows, 1):
        value, where = row[0] if row else "", f"{first}!A{n}"
        if isinstance(value, (bool, dt.date, dt.time, dt.timedelta)):
            raise RosterError(
                f"অফিসের তালিকা {path} {where}: এই ঘরে তারিখ বা হ্যাঁ/না মান, অফিসের নাম নয়: তালিকার প্রথম কলামে অফিসের নাম লিখুন।",
                f"The roster {path} {where}: this cell holds a date or a true/false value, not an office's name: write the "
                "names in the roster's first column.")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out.append((where, "" if value is None else str(value)))
    return out
