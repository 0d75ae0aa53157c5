"""Checks an .xlsx package before any XML is parsed.

An .xlsx file is a zip of XML parts, and every file that reaches the service may be hostile. Both
readers trust it: python-calamine sizes a sheet by its farthest value (one value in XFD1048576 asks
for 512 GB and aborts the process, past any `except`), openpyxl pads rows up to the declared
`<dimension>` and, loading a whole workbook, makes a cell object for every cell of a merged or
hyperlinked range; and a part that unpacks to a thousand times its size fills memory before either
has read a cell. `check` looks at the package with its own bounded means first:

1. the file's size, by stat, before it is opened;
2. the zip's directory: number of parts, their names (no duplicates, nothing absolute or absurd),
   no encrypted entries, only stored or deflated data, the declared sizes and ratios;
3. every part unpacked by streaming, counting the bytes that really come out (a header that lies
   about the size is caught), with a CRC check, never holding a whole part;
4. every worksheet read by a streaming XML parser that refuses a DOCTYPE (no entity tricks): the
   cells of the sheets the service reads must lie within MAX_ROW × MAX_COL when they hold
   something (a value, an inline string or a formula), and the cells of all sheets, with those of
   merged or hyperlinked ranges, must number at most MAX_CELLS;
5. the text the sheets read would make, each shared string counted every time a cell uses it, must
   stay within MAX_TEXT characters: calamine makes a string of its own for every cell, so a 50 KB
   file whose 16 000 cells each use one 30 000-character shared string would ask for gigabytes.

A far `<dimension>` or a far cell with only a style in it is not refused (Excel writes
`A1:XFD1048576` after a whole row or column is formatted): `check` returns, for each sheet read,
the extent of the cells that hold something (calamine's range ends there: it is sized by values; the
openpyxl fallback is told to read no further).
"""

from __future__ import annotations

import array
import functools
import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from generator.spec.carried import CARRIED_SHEET
from generator.spec.kinds import READ_SHEETS as KIND_SHEETS
from generator.text.bangla import to_bangla_digits
from generator.xlsx.errors import WorkbookError, empty_file, not_a_workbook
from generator.spec.codes import BAD_PACKAGE, FAR_CELL, TOO_LARGE, TOO_MANY_CELLS, TOO_MANY_PARTS, ZIP_BOMB

MAX_FILE_BYTES = 20 * 2**20  # a filled workbook is some 15–50 KB; pictures of signatures may add a few MB
MAX_PARTS = 1000  # Excel writes 10–40 parts; each picture, comment or chart adds one or two
MAX_UNCOMPRESSED = 50 * 2**20  # all parts unpacked; ours are about 100 KB
MAX_RATIO = 100  # unpacked : packed, for a part over RATIO_FLOOR; sheet XML packs about 10:1
RATIO_FLOOR = 2**20
MAX_ROW = 5000  # a plan has at most 1000 rows (reading.MAX_PLAN_ROWS); the letter sheet some 50
MAX_COL = 200  # column GR; the widest sheet has 16 columns
MAX_CELLS = 250_000  # <c>, <row> and merged/hyperlinked cells over all sheets: openpyxl, loading the
# whole workbook to mark it up, needs some 400 bytes for each (250 000 ≈ 100 MB, 2 s)
MAX_NAME = 255  # bytes of a part name
MAX_STRINGS = 1_000_000  # shared strings a workbook may say it holds (ours: a few hundred)
MAX_TEXT = 10_000_000  # characters of the sheets read, shared strings expanded (our largest example holds some 9 000)
MAX_SHEETS = 1000  # <sheet> entries in a workbook (ours: three or four)
MAX_FORMAT = 255  # characters of a number format: Excel's own bound
MAX_XFS = 64_000  # cell styles: Excel's own bound
MAX_STYLES = 8 * 2**20  # bytes of xl/styles.xml, read before the sheets for their number formats
READ_SHEETS = KIND_SHEETS | {CARRIED_SHEET}
_CHUNK = 64 * 1024  # packed bytes read at a time
_OUT = 256 * 1024  # unpacked bytes produced at a time
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_DOCTYPE = tuple("<!DOCTYPE".encode(e) for e in ("utf-8", "utf-16-le", "utf-16-be"))
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f\\]|^/|^[A-Za-z]:|(^|/)\.\.?(/|$)|//")
ELEMENT = rb"<(?:[^\s<>/:=\"'!?]+:)?"  # an element's start, any prefix (Bangla letters too: readers ignore it)
_OTHER_FORMATS = {"content.xml", "mimetype", "xl/workbook.bin"}  # an .ods, an .xlsb
_PERCENT_IDS = {9, 10}  # Excel's built-in number formats 0% and 0.00%


@dataclass(frozen=True)
class Extent:
    """The last row and column (1-based) of a sheet that hold something; 0 when it holds nothing."""

    rows: int = 0
    cols: int = 0


@dataclass
class Scan:
    """What the one pass over the package found, for each sheet read (by sheet name): how far its cells go,
    which cells hold a formula (and whether Excel saved its result), which hold an error value (#REF!,
    #DIV/0!, …) and which are formatted as a percentage. The reader needs nothing else from the XML."""

    extents: dict[str, Extent] = field(default_factory=dict)
    formulas: dict[str, dict[str, bool]] = field(default_factory=dict)  # sheet → cell → has a saved result
    errors: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet → cell → '#REF!'
    percent: dict[str, set[str]] = field(default_factory=dict)  # sheet → cells with a % number format


def too_large(size: int) -> WorkbookError:
    return _error(
        TOO_LARGE,
        f"ফাইলটি অনেক বড় ({_mb(size)} MB); সর্বোচ্চ {to_bangla_digits(MAX_FILE_BYTES // 2**20)} MB গ্রহণ করা হয়। "
        "ছবি বা অপ্রয়োজনীয় শিট মুছে আবার জমা দিন।",
        f"The file is too large ({size / 2**20:.1f} MB); at most {MAX_FILE_BYTES // 2**20} MB is accepted. "
        "Delete pictures or sheets that are not needed and submit again.",
    )


def check(path: Path, sheets=READ_SHEETS) -> dict[str, Extent]:
    """The package of the file at `path` checked (its size by stat first); the extent of each of `sheets` it
    has. WorkbookError for a package no reader should open."""
    return scanned(path, sheets)[1].extents


def scanned(path: Path, sheets=READ_SHEETS) -> tuple[bytes, Scan]:
    """The bytes of the file at `path` (its size checked by stat before they are read) and their scan.
    WorkbookError for a package no reader should open."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise too_large(size)
        data = path.read_bytes()
    except OSError as exc:
        raise not_a_workbook(type(exc).__name__) from None
    return data, scan(data, sheets)


def scan(data: bytes, sheets=READ_SHEETS) -> Scan:
    """Raise WorkbookError for a package no reader should open; else what the readers need to know of it."""
    size = len(data)
    if size > MAX_FILE_BYTES:
        raise too_large(size)
    if size == 0:
        raise empty_file()
    entries = _plain_end(data)
    f = io.BytesIO(data)
    try:
        infos = zipfile.ZipFile(f).infolist()  # the directory only: zipfile never unpacks a part here
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error) as exc:
        raise not_a_workbook(type(exc).__name__) from None
    if len(infos) != entries:
        raise _bad_package("its directory and its end record disagree")
    _check_directory(infos, size)
    parts = {i.filename: i for i in infos}
    other = [i.filename for i in infos if i.filename.lower() in _OTHER_FORMATS]
    if other:  # calamine, failing to open an .xlsx, tries each of these: never let it
        raise _bad_package(f"it holds {other[0][:80]!r}, a part of another kind of file")
    reader = _Reader(f, size)
    names, styles, strings = _sheet_parts(reader, parts)  # part → sheet names; the styles and shared strings parts
    percent_styles = _percent_styles(reader, parts, styles)
    found = Scan()
    cells = [0]
    sheets_read: list[tuple[zipfile.ZipInfo, str]] = []  # for the shared text they use
    shared: dict[str, list[bytes]] = {}  # a shared strings part, as it is unpacked
    for info in infos:
        sheet_scan: _SheetScan | _QuickScan | None = None
        fast = None
        if info.filename not in names and info.filename.lower().startswith("xl/worksheets/") \
                and info.filename.lower().endswith(".xml"):
            # a sheet no workbook part names: a reader resolving names its own way could still read it
            sheet_scan = _SheetScan(info.filename, True, cells, percent_styles)
        elif info.filename in names:
            shown = names[info.filename][0]
            read = [s for s in names[info.filename] if s in sheets]
            fast = _QuickScan(read[0] if read else shown, bool(read), cells, percent_styles)
            before = (reader.total, cells[0])
            reader.unpack(info, fast, sheet=fast.sheet)
            if fast.close():
                sheet_scan = fast
            else:  # something unusual, a formula, an error value or a percentage: follow the XML exactly
                reader.total, cells[0] = before
                sheet_scan = _SheetScan(fast.sheet, fast.read, cells, percent_styles)
        if sheet_scan is not None and sheet_scan is not fast:
            reader.unpack(info, sheet_scan, sheet=sheet_scan.sheet)
        elif sheet_scan is None:
            reader.unpack(info, shared.setdefault(info.filename, []).append if info.filename in strings else None)
        if sheet_scan is not None:
            sheet_scan.close()
            if sheet_scan.read:
                sheets_read.append((info, sheet_scan.sheet))
            for s in names[info.filename] if info.filename in names else ():
                if s in sheets:
                    found.extents[s] = Extent(sheet_scan.rows, sheet_scan.cols)
                    if isinstance(sheet_scan, _SheetScan):
                        found.formulas[s], found.errors[s], found.percent[s] = (
                            sheet_scan.formulas, sheet_scan.errors, sheet_scan.percent)
    for name in strings:  # one that was also a sheet was scanned as a sheet: read once more, as strings
        text = b"".join(shared[name]) if name in shared else _small(reader, parts, name, MAX_UNCOMPRESSED)
        if text is not None:
            _check_shared_text(reader, name, text, sheets_read, cells[0])
    return found


def _plain_end(data: bytes) -> int:
    """The number of entries the zip's end record says, when it ends the file as Excel and LibreOffice write it:
    at the very end, with no comment, no zip64 record, nothing before the first entry. Python's zipfile and the Rust
    zip reader calamine uses search for the end record differently (a comment that lies about its length, a zip64
    record one believes and one does not): with one plain ending there is one reading of the file."""
    end = data[-22:]
    if len(data) < 22 or end[:4] != b"PK\x05\x06":
        raise not_a_workbook("no end of the zip at the end of the file")
    disk, directory_disk, here, entries, size, offset, comment = struct.unpack("<HHHHIIH", end[4:])
    if comment or disk or directory_disk or here != entries or offset + size != len(data) - 22 \
            or data[-42:-38] == b"PK\x06\x07" or b"PK\x06\x06" in data[-22 - 56 - 20:-22]:
        raise _bad_package("its zip ends in an unusual way (a comment, zip64, or data before or after it)")
    return entries


# The zip's directory ---------------------------------------------------------------------


def _check_directory(infos, size: int) -> None:
    if len(infos) > MAX_PARTS:
        raise _error(
            TOO_MANY_PARTS,
            f"ফাইলটির ভেতরে {to_bangla_digits(len(infos))}টি অংশ আছে; একটি ছকে এত অংশ থাকে না "
            f"(সর্বোচ্চ {to_bangla_digits(MAX_PARTS)})। 'gen template' দিয়ে পাওয়া ছকে তথ্য লিখে জমা দিন।",
            f"The file holds {len(infos)} parts; no workbook of ours has that many (at most {MAX_PARTS}). "
            "Fill the workbook from 'gen template' and submit that.",
        )
    seen = set()
    for info in infos:
        name = info.filename
        if not name or len(name.encode("utf-8", "surrogateescape")) > MAX_NAME or _BAD_NAME.search(name):
            raise _bad_package(f"a part has an impossible name: {name[:80]!r}")
        if name.lower() in seen:
            raise _bad_package(f"two parts have the same name: {name[:80]!r}")
        seen.add(name.lower())
        if info.flag_bits & 0x1:
            raise _bad_package(f"part {name[:80]!r} is encrypted")
        if not info.flag_bits & 0x800 and not name.isascii():  # read as CP437 here, as UTF-8 by calamine's zip
            raise _bad_package(f"part {name[:80]!r} has a name in no stated encoding")
        if _renames(info.extra):
            raise _bad_package(f"part {name[:80]!r} carries a second name")
        if info.compress_type not in (0, 8):  # stored, deflated: all that Excel and LibreOffice write
            raise _bad_package(f"part {name[:80]!r} uses compression method {info.compress_type}")
        if info.compress_type == 0 and info.compress_size != info.file_size:
            raise not_a_workbook("stored part sizes differ")
        if info.header_offset + info.compress_size > size:
            raise not_a_workbook("part beyond the end of the file")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _zip_bomb(name, info.file_size, info.compress_size)
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        packed = sum(i.compress_size for i in infos)
        if total > MAX_RATIO * max(packed, 1):
            raise _zip_bomb(None, total, packed)
        raise _too_large_unpacked(total)


def _renames(extra: bytes) -> bool:
    """Whether a zip entry's extra fields hold Info-ZIP's Unicode path (0x7075) or comment (0x6375): a name that
    Rust's zip reader takes instead of the entry's own, and Python's does not."""
    at = 0
    while at + 4 <= len(extra):
        kind, size = struct.unpack("<HH", extra[at:at + 4])
        if kind in (0x7075, 0x6375):
            return True
        at += 4 + size
    return False


# Unpacking, bounded ------------------------------------------------------------------------


class _Reader:
    """Unpacks parts from their raw bytes, counting what comes out, whatever the headers say."""

    def __init__(self, f, size: int):
        self.f, self.size, self.total = f, size, 0

    def raw(self, info):
        self.f.seek(info.header_offset)
        head = self.f.read(30)
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise not_a_workbook("bad local header")
        flags, = struct.unpack("<H", head[6:8])
        if flags & 0x1:
            raise _bad_package(f"part {info.filename[:80]!r} is encrypted")
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        self.f.seek(info.header_offset + 30 + name_len)
        if _renames(self.f.read(extra_len)):
            raise _bad_package(f"part {info.filename[:80]!r} carries a second name")
        start = info.header_offset + 30 + name_len + extra_len
        if start + info.compress_size > self.size:
            raise not_a_workbook("part beyond the end of the file")
        self.f.seek(start)
        left = info.compress_size
        while left:
            chunk = self.f.read(min(_CHUNK, left))
            if not chunk:
                raise not_a_workbook("truncated part")
            left -= len(chunk)
            yield chunk

    def unpack(self, info, sink=None, limit: int = MAX_UNCOMPRESSED, sheet: str | None = None) -> int:
        """Unpack one part, feeding `sink` (a callable) each piece; return its unpacked size."""
        name, n, crc = info.filename, 0, 0
        xml = name.lower().endswith(_XML_SUFFIXES)
        tail = b""

        def emit(data: bytes) -> None:
            nonlocal n, crc, tail
            if not data:
                return
            n += len(data)
            self.total += len(data)
            if n > info.file_size:  # the header said less: a reader trusting it would be fooled
                raise _zip_bomb(name, None, info.compress_size)
            if n > RATIO_FLOOR and n > MAX_RATIO * max(info.compress_size, 1):
                raise _zip_bomb(name, n, info.compress_size)
            if self.total > MAX_UNCOMPRESSED or n > limit:
                raise _too_large_unpacked(self.total)
            crc = zlib.crc32(data, crc)
            if xml and n == len(data) and (data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]):
                # UTF-16 or UTF-32 XML: no scan here can read it, and Excel never writes it
                raise _bad_package(f"part {name[:80]!r} is not UTF-8 XML")
            if xml:
                window = tail + data[:32]
                if any(d in data or d in window for d in _DOCTYPE):
                    raise _doctype(name, sheet)
                tail = data[-32:]
            if sink is not None:
                sink(data)

        if info.compress_type == 0:
            for chunk in self.raw(info):
                emit(chunk)
        else:
            d = zlib.decompressobj(-15)
            try:
                for chunk in self.raw(info):
                    while chunk:
                        out = d.decompress(chunk, _OUT)
                        emit(out)
                        chunk = d.unconsumed_tail
                        while len(out) == _OUT and not chunk and not d.eof:  # output still held back
                            out = d.decompress(b"", _OUT)
                            emit(out)
                        if d.eof:
                            break
                    if d.eof:
                        break
            except zlib.error:
                raise not_a_workbook("damaged part") from None
            if not d.eof:
                raise not_a_workbook("truncated part")
        if n != info.file_size or crc != info.CRC:
            raise not_a_workbook("bad CRC or size")
        return n

    def read(self, info, limit: int) -> bytes:
        pieces: list[bytes] = []
        self.unpack(info, pieces.append, limit)
        return b"".join(pieces)


# Which part is which sheet ----------------------------------------------------------------


def _small(reader: _Reader, parts: dict, name: str, limit: int = MAX_STYLES) -> bytes | None:
    """A small part unpacked ahead of the pass over every part (which counts it again), or after it."""
    info = {n.lower(): i for n, i in parts.items()}.get(name.lower())
    if info is None:
        return None
    saved = reader.total
    data = reader.read(info, limit=limit)
    reader.total = saved
    return data


def _sheet_parts(reader: _Reader, parts: dict) -> tuple[dict[str, list[str]], list[str], list[str]]:
    """Worksheet part → the sheet names that point at it, the workbook's styles part and its shared strings
    parts. Both readers' ways of finding the workbook part are followed (calamine: xl/workbook.xml; openpyxl: the
    package relationships), and of finding the shared strings (xl/sharedStrings.xml; the relationships)."""
    by_lower = {name.lower(): info for name, info in parts.items()}

    def small(name):
        return _small(reader, parts, name)

    def relationships(name: str, owner: str) -> list[dict]:
        data = small(name)
        if data is None:
            return []
        if b"&" in data:  # calamine takes a Target or Id as written, entities and all; the parser decodes them
            raise _bad_package(f"{name[:80]!r} writes a name with an entity")
        return _elements(data, owner, "Relationship")

    books = ["xl/workbook.xml"]
    for rel in relationships("_rels/.rels", "_rels/.rels"):
        if rel.get("Type", "").endswith("/officeDocument") and rel.get("Target"):
            books.append(_resolve("", rel["Target"]))
            books.append(posixpath.join(posixpath.dirname(books[-1]), "workbook.xml"))  # calamine's way
    out: dict[str, list[str]] = {}
    seen: set[tuple[str, str]] = set()
    styles: list[str] = []  # the styles parts either reader may read: the relationship's first
    strings: list[str] = []

    def string_part(name: str) -> None:
        part = by_lower.get(name.lower())
        if part is not None and part.filename not in strings:
            strings.append(part.filename)

    string_part("xl/sharedStrings.xml")
    for book in dict.fromkeys(books):
        data = small(book)
        if data is None:
            continue
        folder, base = posixpath.split(book)
        string_part(posixpath.join(folder, "sharedStrings.xml"))  # calamine's way: by name, beside the workbook
        targets: dict[str, list[str]] = {}  # each Id → every part either reader could take it for
        for rel in relationships(posixpath.join(folder, "_rels", base + ".rels"), book):
            if not (rel.get("Id") and rel.get("Target")):
                continue
            found = _targets(folder, rel["Target"])  # External or not, with its #fragment or without
            targets.setdefault(rel["Id"], []).extend(found)
            if rel.get("Type", "").endswith("/styles") and not styles and rel.get("TargetMode") != "External":
                styles.append(found[-1])
            if rel.get("Type", "").endswith("/sharedStrings"):
                for target in found:
                    string_part(target)
        sheets = _elements(data, book, "sheet")
        if len(sheets) > MAX_SHEETS:
            raise _bad_package(f"its workbook names {len(sheets)} sheets")
        for sheet in sheets:
            ids = [v for k, v in sheet.items() if k == "id" or k.endswith(" id")]  # r:id, or an id as calamine reads
            for part in (by_lower.get(t.lower()) for rid in ids for t in targets.get(rid, ())):
                if part is not None and sheet.get("name") and (part.filename, sheet["name"]) not in seen:
                    seen.add((part.filename, sheet["name"]))
                    out.setdefault(part.filename, []).append(sheet["name"])
        styles.append(posixpath.join(folder, "styles.xml"))  # calamine's way: by name, beside the workbook
    return out, list(dict.fromkeys([*styles, "xl/styles.xml"])), strings


def _percent_styles(reader: _Reader, parts: dict, styles: list[str]) -> frozenset[str]:
    """The cell style indexes (the `s` of a cell) whose number format shows a percentage: Excel's built-in
    0% and 0.00%, or a format of the workbook's own with a % in it (as openpyxl and Excel read it), from the
    first of `styles` there is. Every one is held to Excel's own bounds (calamine reads each format once for
    each style using it: 20 000 styles of a 1 MB format took it 38 s)."""
    read = [_style_formats(name, data) for name in styles if (data := _small(reader, parts, name)) is not None]
    if not read:
        return frozenset()
    own, xfs = read[0]
    return frozenset(str(i) for i, fmt in enumerate(xfs)
                     if (fmt.isdigit() and int(fmt) in _PERCENT_IDS) or own.get(fmt, False))


def _style_formats(name: str, data: bytes) -> tuple[dict[str, bool], list[str]]:
    """A styles part's own number formats (→ whether each shows a percentage) and each cell style's format."""
    own: dict[str, bool] = {}
    xfs: list[str] = []
    depth = {"cellXfs": False}

    def start(tag, attrs):
        local = tag.rpartition(" ")[2]
        if local == "numFmt" and attrs.get("numFmtId"):
            code = attrs.get("formatCode", "")
            if len(code) > MAX_FORMAT:
                raise _bad_package(f"a number format of {len(code)} characters in {name[:80]!r}")
            own[attrs["numFmtId"]] = "%" in code
        elif local == "cellXfs":
            depth["cellXfs"] = True
        elif local == "xf" and depth["cellXfs"]:
            xfs.append(attrs.get("numFmtId", "0"))
            if len(xfs) > MAX_XFS:
                raise _bad_package(f"more than {MAX_XFS} cell styles in {name[:80]!r}")

    def end(tag):
        if tag.rpartition(" ")[2] == "cellXfs":
            depth["cellXfs"] = False

    p = _parser(name, start, end)
    try:
        p.Parse(data, True)
    except expat.ExpatError as exc:
        raise not_a_workbook(f"bad XML in the styles: {exc}") from None
    return own, xfs


def _resolve(folder: str, target: str) -> str:
    return _targets(folder, target)[-1]


def _targets(folder: str, target: str) -> list[str]:
    """The part a relationship's target names, as a reader keeping its #fragment and one dropping it would find it."""
    return [posixpath.normpath(t.lstrip("/") if t.startswith("/") else posixpath.join(folder, t))
            for t in dict.fromkeys((target, target.split("#")[0]))]


def _elements(data: bytes, part: str, local: str) -> list[dict]:
    found = []

    def start(name, attrs):
        if name.rpartition(" ")[2] == local:
            found.append(attrs)

    _parse([data], part, start)
    return found


def _parser(part: str, start, end=None, sheet: str | None = None):
    p = expat.ParserCreate(encoding="utf-8", namespace_separator=" ")  # as calamine: whatever a part declares

    def doctype(*_):
        raise _doctype(part, sheet)

    p.StartDoctypeDeclHandler = doctype
    p.EntityDeclHandler = doctype
    p.StartElementHandler = start
    if end is not None:
        p.EndElementHandler = end
    p.buffer_text = False
    return p


def _parse(chunks, part: str, start) -> None:
    p = _parser(part, start)
    try:
        for chunk in chunks:
            p.Parse(chunk, False)
        p.Parse(b"", True)
    except expat.ExpatError as exc:
        raise not_a_workbook(f"bad XML in {part}: {exc}") from None


# The sheets --------------------------------------------------------------------------------


def _count(cells: list[int], sheet: str, n: int) -> None:
    cells[0] += n
    if cells[0] > MAX_CELLS:
        raise _error(
            TOO_MANY_CELLS,
            f"'{sheet}' শিটে (বা পুরো ফাইলে) {to_bangla_digits(MAX_CELLS)}টির বেশি ঘর ব্যবহার বা ফরম্যাট করা "
            "হয়েছে; একটি ছকে এত ঘর লাগে না। অপ্রয়োজনীয় সারি ও কলাম মুছে আবার জমা দিন।",
            f"Sheet '{sheet}' (or the whole file) uses or formats more than {MAX_CELLS} cells; no workbook "
            "of ours needs that many. Delete the rows and columns that are not needed and submit again.",
            sheet=sheet,
        )


def _span(ref: str) -> int:
    """How many cells openpyxl makes for a merged or hyperlinked range (0 when it cannot place it)."""
    ends = [_position(r) for r in ref.split(":", 1)]
    first, last = ends[0], ends[-1]
    if first is None or last is None:
        return 0
    (r1, c1), (r2, c2) = first, last
    return (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)


class _SheetParser:
    """A worksheet's XML parsed as it is unpacked, piece by piece (`self.parser`, made by the subclass)."""

    sheet: str
    parser: Any

    def __call__(self, data: bytes) -> None:
        try:
            self.parser.Parse(data, False)
        except expat.ExpatError as exc:
            raise not_a_workbook(f"bad XML in sheet {self.sheet}: {exc}") from None

    def close(self) -> None:
        try:
            self.parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise not_a_workbook(f"bad XML in sheet {self.sheet}: {exc}") from None


class _SheetScan(_SheetParser):
    """Follows a worksheet's XML as it is unpacked: where its cells are and what they hold."""

    def __init__(self, sheet: str, read: bool, cells: list[int], percent_styles: frozenset[str] = frozenset()):
        self.sheet, self.read, self.cells, self.percent_styles = sheet, read, cells, percent_styles
        self.rows = self.cols = 0
        self.row = self.col = 0
        self.in_cell = self.filled = self.lost = self.row_lost = False
        self.ref = ""
        self.type = ""  # the cell's t: 'e' for an error value
        self.formula = self.valued = False
        self.text: list[str] | None = None  # the <v> of an error cell, as it is read
        self.formulas: dict[str, bool] = {}
        self.errors: dict[str, str] = {}
        self.percent: set[str] = set()
        self.parser = _parser(sheet, self.start, self.end, sheet)
        self.parser.CharacterDataHandler = self.chars

    def count(self, n: int) -> None:
        _count(self.cells, self.sheet, n)

    def start(self, name, attrs):
        local = name.rpartition(" ")[2]
        if local == "c":
            self.count(1)
            r = attrs.get("r")
            if r is None and self.read:  # placed by each reader its own way (calamine, by the <row>'s r and a count
                raise _unplaced(self.sheet)  # reset only at </row>): Excel and LibreOffice always write it
            at = _position(r)
            self.col = at[1] if at else self.col + 1
            if at:
                self.row = at[0]
            # a reference no reader can place (A0, A99999999999) is taken as far away
            self.lost = (r is not None and at is None) or (r is None and self.row_lost)
            self.ref = r if r is not None else _ref(self.row, self.col)
            self.in_cell, self.filled = True, False
            self.type, self.formula, self.valued, self.text = attrs.get("t", ""), False, False, None
            if attrs.get("s") in self.percent_styles:
                self.percent.add(self.ref)
        elif self.in_cell and local in ("v", "is", "f"):
            self.filled = True
            if local == "f":
                self.formula = True
            elif local == "v" and (self.formula or self.type == "e"):
                self.text = []  # a formula's saved result, or an error value: read its text
            else:
                self.valued = True
        elif local == "row":
            self.count(1)
            r = attrs.get("r")
            good = r is not None and r.isascii() and r.isdigit() and len(r) <= 7
            self.row = int(r) if good else self.row + 1
            self.row_lost = r is not None and not good
            self.col = 0
        elif local in ("mergeCell", "hyperlink") and attrs.get("ref"):
            self.span(attrs["ref"])

    def chars(self, data: str) -> None:
        if self.text is not None and len(self.text) < 64:
            self.text.append(data[:64])

    def end(self, name):
        local = name.rpartition(" ")[2]
        if self.in_cell and local == "v" and self.text is not None:
            text = "".join(self.text).strip()
            # an empty <v> is a saved result when the cell says it is text (t="str"): a formula that came to ""
            # (=IF(B2="","",B2) saved by Excel or LibreOffice); without it, the program that saved never calculated
            self.valued = self.valued or bool(text) or self.type == "str"
            if self.type == "e":
                self.errors[self.ref] = text[:32]
            self.text = None
        if self.in_cell and local == "c":
            self.in_cell = False
            if self.formula:
                self.formulas[self.ref] = self.valued
            if self.filled:
                if self.read and (self.lost or self.row > MAX_ROW or self.col > MAX_COL or self.row < 1):
                    raise _far(self.sheet, self.ref)
                self.rows, self.cols = max(self.rows, self.row), max(self.cols, self.col)

    def span(self, ref: str) -> None:
        """openpyxl makes a cell object for every cell of a merged or hyperlinked range."""
        self.count(_span(ref))


class _QuickScan:
    """The usual case, fast: every cell and row of the sheet carries its reference and lies within bounds.
    Finds the cells' extent and counts them with one regular expression over the unpacked XML, without
    telling filled cells from formatted ones (the extent may then be a little larger, never past the
    bounds). `close` says False when the sheet needs the exact scan (a cell without a reference, or one
    past the bounds, which may be only formatting), and for a sheet the service reads, when it holds a
    formula, an error value or a cell in a percent style (the exact scan records each)."""

    # a start tag read attribute by attribute (a value cannot pass for an attribute), with exactly one r
    _NAME, _VALUE = rb"[A-Za-z_][\w:.-]*", rb"(?:\"[^\"<]*\"|'[^'<]*')"
    _OTHER = rb"(?:\s+(?!r\s*=)" + _NAME + rb"\s*=\s*" + _VALUE + rb")*"
    _OTHER_REF = rb"(?:\s+(?!ref\s*=)" + _NAME + rb"\s*=\s*" + _VALUE + rb")*"
    _PREFIX = ELEMENT
    _CELL = re.compile(_PREFIX + rb"c[\s/>]")
    _CELL_REF = re.compile(_PREFIX + rb"c" + _OTHER + rb"\s+r\s*=\s*([\"'])([A-Z]{1,3})([1-9][0-9]{0,6})\1"
                           + _OTHER + rb"\s*/?>")
    # the same cells as Excel and openpyxl write them (r first, then attributes whose names do not begin with
    # r): where it finds every cell, the full expression would find the same, at a third of the cost
    _CELL_REF_USUAL = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"(?: [a-qs-z][a-zA-Z]*="[^"<]*")*/?>')
    _ROW = re.compile(_PREFIX + rb"row[\s/>]")
    _SPAN_TAG = re.compile(_PREFIX + rb"(?:mergeCell|hyperlink)[\s/>]")
    _SPAN = re.compile(_PREFIX + rb"(?:mergeCell|hyperlink)" + _OTHER_REF + rb"\s+ref\s*=\s*([\"'])([^\"'<]*)\1"
                       + _OTHER_REF + rb"\s*/?>")
    _FORMULA = re.compile(_PREFIX + rb"f[\s/>]")  # a cell formula, not <formula1> of a dropdown
    _ERROR = re.compile(rb"\st\s*=\s*[\"']e[\"']")
    _MAX_TAIL = 64 * 1024

    def __init__(self, sheet: str, read: bool, cells: list[int], percent_styles: frozenset[str] = frozenset()):
        self.sheet, self.read, self.cells = sheet, read, cells
        self.percent = _percent_style(percent_styles)
        self.rows = self.cols = 0
        self.tail = b""
        self.exact = False

    def __call__(self, data: bytes) -> None:
        if self.exact:
            return
        buf = self.tail + data
        cut = buf.rfind(b"<")
        self.tail = buf[cut:] if cut >= 0 else b""
        if len(self.tail) > self._MAX_TAIL:
            self.exact = True
            return
        self._scan(buf[:cut] if cut >= 0 else buf)

    def _scan(self, buf: bytes) -> None:
        # (each plain search first: a regular expression that begins with \s tries every space of the sheet)
        if self.read and (self._FORMULA.search(buf) or ((b'"e"' in buf or b"'e'" in buf) and self._ERROR.search(buf))
                          or (self.percent is not None and self.percent.search(buf))):
            self.exact = True
            return
        cells = len(self._CELL.findall(buf))
        refs = self._CELL_REF_USUAL.findall(buf)
        if len(refs) != cells:
            refs = [(column, row) for _, column, row in self._CELL_REF.findall(buf)]
        spanning = b"mergeCell" in buf or b"hyperlink" in buf
        spans = self._SPAN.findall(buf) if spanning else []
        if cells != len(refs) or (spanning and len(self._SPAN_TAG.findall(buf)) != len(spans)):
            self.exact = True  # a tag the quick reading cannot vouch for: the exact scan places it
            return
        if refs:
            columns, numbers = zip(*refs)
            rows = max(map(int, set(numbers)))
            letters = max(set(columns), key=lambda c: (len(c), c))
            position = _position(letters.decode("ascii") + "1")
            assert position is not None  # the letters matched [A-Z]{1,3}
            cols = position[1]
            if self.read and (rows > MAX_ROW or cols > MAX_COL):
                self.exact = True
                return
            self.rows, self.cols = max(self.rows, rows), max(self.cols, cols)
        spanned = sum(_span(r.decode("ascii", "replace")) for _, r in spans)
        _count(self.cells, self.sheet, cells + len(self._ROW.findall(buf)) + spanned)

    def close(self) -> bool:
        if not self.exact and self.tail:
            self._scan(self.tail)
        return not self.exact


@functools.lru_cache(maxsize=64)
def _percent_style(styles: frozenset[str]) -> re.Pattern[bytes] | None:
    """A cell in one of these styles (the `s` of a cell, as the exact scan reads it), found in one search."""
    if not styles:
        return None
    ids = b"|".join(re.escape(s.encode()) for s in sorted(styles))
    return re.compile(rb"\ss\s*=\s*[\"'](?:" + ids + rb")[\"']")


# Shared text --------------------------------------------------------------------------------


def _check_shared_text(reader: _Reader, name: str, data: bytes, read: list, cells: int) -> None:
    """Raise WorkbookError when the sheets read use the shared strings of part `name` so often that they would
    make more than MAX_TEXT characters, or that says it holds more strings than MAX_STRINGS (calamine makes room
    for them all before it reads one). Only a workbook with a shared string longer than MAX_TEXT / its number of
    cells is followed cell by cell."""
    for said in _UNIQUE_COUNT.findall(data):
        if int(said) > MAX_STRINGS:
            raise _bad_package(f"its shared strings say there are {int(said)} of them")
    if not _holds_longer_than(data, MAX_TEXT // max(cells, 1)):
        return
    lengths = _string_lengths(name, data)
    if not lengths or max(lengths) * cells <= MAX_TEXT:
        return
    used = [0]
    for info, sheet in read:
        saved = reader.total  # counted once already, in the pass over every part
        text = _SharedText(sheet, lengths, used)
        reader.unpack(info, text, sheet=sheet)
        text.close()
        reader.total = saved


# Shared strings as Excel and LibreOffice write them, and nothing else: every string an <si> of text runs (<t>, or
# <r> with empty formatting elements, or a phonetic <rPh>), no comment, CDATA or instruction, no '<' in any text.
_A = rb"(?:\s++[^\s=<>/\"']++\s*+=\s*+(?:\"[^\"<]*+\"|'[^'<]*+'))*+\s*+"  # a tag's attributes, each quoted
_EMPTY = _A + rb"/>"  # an empty element's attributes and end
_T = rb"<t(?:" + _A + rb">[^<]*+</t>|" + _EMPTY + rb")"
_ITEM = (rb"(?:" + _T + rb"|<r>\s*+(?:<rPr>(?:\s*+<[A-Za-z]++" + _EMPTY + rb")*+\s*+</rPr>\s*+|<rPr/>\s*+)?+" + _T
         + rb"\s*+</r>|<rPh" + _A + rb">\s*+" + _T + rb"\s*+</rPh>|<phoneticPr" + _EMPTY + rb")")
_PLAIN_STRINGS = re.compile(rb"\s*+<sst" + _A + rb">(?:\s*+(?:<si>(?:\s*+" + _ITEM + rb")*+\s*+</si>|<si/>))*+\s*+"
                            rb"</sst>\s*+")
_TEXT = re.compile(rb"<t" + _A + rb">([^<]*+)</t>")
_UNIQUE_COUNT = re.compile(rb"uniqueCount\s*+=\s*+[\"']\s*+\+?+0*+([0-9]{7,})")


def _holds_longer_than(data: bytes, limit: int) -> bool:
    """Whether a shared string of `data` may hold more than `limit` characters. Where the part is written as
    Excel and LibreOffice write it (_PLAIN_STRINGS), a string's text is its <t>s' text, each inside its own
    <si>…</si>, whose bytes are at least its characters: only one longer than `limit` bytes is measured.
    Anything else is left to the XML parser."""
    body = data.removeprefix(b"\xef\xbb\xbf")
    if body.startswith(b"<?xml"):
        body = body.partition(b"?>")[2]
    if not _PLAIN_STRINGS.fullmatch(body):
        return True
    for item in body.split(b"</si>"):
        if len(item) > limit and sum(len(t.decode("utf-8", "replace")) for t in _TEXT.findall(item)) > limit:
            return True
    return False


def _string_lengths(name: str, data: bytes) -> array.array:
    """The length in characters of each shared string, by its index, as the XML parser reads it."""
    lengths = array.array("I")
    depth, n = [0], [0]
    sst = [0]  # 1 inside the first <sst>, 2 after it: calamine reads the strings of that one only

    def start(tag, attrs):
        local = tag.rpartition(" ")[2]
        if local == "sst" and sst[0] == 0:
            sst[0] = 1
        elif local == "si" and sst[0] == 1:
            if depth[0]:
                raise _bad_package(f"a shared string inside another in {name[:80]!r}")
            depth[0], n[0] = 1, 0

    def end(tag):
        local = tag.rpartition(" ")[2]
        if local == "si" and depth[0]:
            depth[0] = 0
            lengths.append(min(n[0], 2**32 - 1))
        elif local == "sst" and sst[0] == 1 and not depth[0]:
            sst[0] = 2

    def chars(text):
        if depth[0]:
            n[0] += len(text)

    p = _parser(name, start, end)
    p.CharacterDataHandler = chars
    try:
        p.Parse(data, True)
    except expat.ExpatError as exc:
        raise not_a_workbook(f"bad XML in {name[:80]}: {exc}") from None
    return lengths


_INDEX_CHARS = 64  # of a shared string's index as a cell writes it: a longer one is taken as the worst


class _SharedText(_SheetParser):
    """Follows a sheet's XML, adding up the shared strings its cells use (`used`: over all the sheets read)."""

    def __init__(self, sheet: str, lengths: array.array, used: list[int]):
        self.sheet, self.lengths, self.used = sheet, lengths, used
        self.shared, self.ref = False, ""
        self.text: str | None = None  # the <v> of a cell that uses a shared string, as it is read
        self.pieces = 0  # of that <v>: calamine takes only its first piece of text
        self.row = self.col = 0
        self.parser = _parser(sheet, self.start, self.end, sheet)
        self.parser.CharacterDataHandler = self.chars
        self.parser.CommentHandler = self.parser.ProcessingInstructionHandler = self.odd
        self.parser.StartCdataSectionHandler = self.odd

    def start(self, name, attrs):
        local = name.rpartition(" ")[2]
        if local == "row":
            r = attrs.get("r", "")
            self.row, self.col = int(r) if r.isascii() and r.isdigit() and len(r) <= 7 else self.row + 1, 0
        elif local == "c":
            at = _position(attrs.get("r"))
            self.row, self.col = at if at else (self.row, self.col + 1)
            self.ref = _ref(self.row, self.col)
            self.shared, self.text = attrs.get("t") == "s", None
        elif local == "v" and self.shared:
            self.text, self.pieces = "", 0
        elif self.text is not None:
            self.odd()

    def odd(self, *_) -> None:
        """Something in a <v> besides one piece of text (a comment, CDATA, an entity, an element): a reader taking
        its first piece may read another index than the whole says."""
        if self.text is not None:
            self.pieces += 2

    def chars(self, data: str) -> None:
        if self.text is not None:
            self.pieces += 1
            if len(self.text) <= _INDEX_CHARS:
                self.text += data[:_INDEX_CHARS + 1 - len(self.text)]

    def end(self, name):
        if name.rpartition(" ")[2] != "v" or self.text is None:
            return
        typed, self.text = self.text, None
        index = typed.strip().removeprefix("+").lstrip("0") or "0"  # as a reader may take it: '+007' is 7
        if self.pieces <= 1 and len(typed) <= _INDEX_CHARS and index.isascii() and index.isdigit() and len(index) <= 10:
            used = self.lengths[int(index)] if int(index) < len(self.lengths) else 0
        else:
            used = max(self.lengths)  # an index written some other way: counted as the longest string
        self.used[0] += used
        if self.used[0] > MAX_TEXT:
            raise _shared_text(self.sheet, self.ref)


def _position(ref: str | None) -> tuple[int, int] | None:
    """(row, column), 1-based, of a cell reference such as 'B7'; None when it is not one."""
    m = _REF.fullmatch(ref or "")
    if not m:
        return None
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def _ref(row: int, col: int) -> str:
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


# Messages ---------------------------------------------------------------------------------


def _error(code, bn, en, sheet=None, cell=None):
    return WorkbookError(code, bn, en, sheet, cell)


def _mb(n: int) -> str:
    return to_bangla_digits(f"{n / 2**20:.1f}")


def _zip_bomb(part: str | None, unpacked: int | None, packed: int):
    where_bn = f"ভেতরের অংশ '{part}'" if part else "ভেতরের অংশগুলো"
    where_en = f"part '{part}'" if part else "the parts"
    if unpacked is None:
        how_bn, how_en = "ঘোষিত আকারের চেয়ে বড় হয়ে খোলে", "unpacks to more than its header declares"
    else:
        ratio = unpacked // max(packed, 1)
        how_bn = f"খুললে {to_bangla_digits(ratio)} গুণ বড় হয়"
        how_en = f"unpacks to {ratio} times its packed size"
    return _error(
        ZIP_BOMB,
        f"ফাইলটির {where_bn} অস্বাভাবিকভাবে সংকুচিত ({how_bn}); এটি সাধারণ Excel ফাইল নয়। "
        "Excel-এ খুলে নতুন নামে সংরক্ষণ করে আবার জমা দিন।",
        f"In the file, {where_en} {how_en}: this is not an ordinary Excel file. Open it in Excel, save it under a "
        "new name and submit again.",
    )


def _too_large_unpacked(total: int):
    return _error(
        TOO_LARGE,
        f"ফাইলটির ভেতরের তথ্য খুললে {to_bangla_digits(MAX_UNCOMPRESSED // 2**20)} MB-এর বেশি হয়; একটি ছকে এত তথ্য "
        "থাকে না। ছবি, অপ্রয়োজনীয় শিট ও সারি মুছে আবার জমা দিন।",
        f"The file unpacks to more than {MAX_UNCOMPRESSED // 2**20} MB; no workbook of ours holds that much. "
        "Delete pictures, sheets and rows that are not needed and submit again.",
    )


def _bad_package(why: str):
    return _error(
        BAD_PACKAGE,
        "ফাইলটির গঠন অস্বাভাবিক; এটি Excel-এ সংরক্ষিত সাধারণ .xlsx ফাইল নয়। Excel-এ খুলে .xlsx হিসেবে "
        "আবার সংরক্ষণ করে জমা দিন।",
        f"The file is not an ordinary .xlsx saved by Excel ({why}). Open it in Excel, save it as .xlsx again "
        "and submit that.",
    )


def _doctype(part: str, sheet: str | None = None):
    err = _bad_package(f"{part[:80]} declares a DOCTYPE, which no spreadsheet program writes")
    err.sheet = sheet
    return err


def _shared_text(sheet: str, ref: str):
    crore, millions = MAX_TEXT // 10**7, MAX_TEXT // 10**6
    return _error(
        TOO_LARGE,
        f"'{sheet}' শিটের ঘরগুলোতে একই লেখা এতবার ব্যবহার করা হয়েছে যে পড়তে গেলে {to_bangla_digits(crore)} কোটির "
        f"বেশি অক্ষর হয় ({ref} ঘরে এসে সীমা পেরোয়); একটি ছকে এত লেখা থাকে না। অপ্রয়োজনীয় ঘরের লেখা মুছে, অথবা "
        "'gen template' থেকে নেওয়া নতুন ছকে পূরণ করে আবার জমা দিন।",
        f"Sheet '{sheet}': its cells use the same shared text so often that reading them would make more than "
        f"{millions} million characters (past the limit at cell {ref}); no workbook of ours holds that much. Delete "
        "the text that is not needed, or fill a fresh workbook from 'gen template', and submit again.",
        sheet=sheet, cell=ref,
    )


def _unplaced(sheet: str):
    return _error(
        BAD_PACKAGE,
        f"'{sheet}' শিটের একটি ঘরে তার ঠিকানা (যেমন B7) লেখা নেই; Excel এমন ফাইল লেখে না। ফাইলটি Excel-এ খুলে নতুন নামে "
        ".xlsx হিসেবে সংরক্ষণ করে আবার জমা দিন।",
        f"Sheet '{sheet}' holds a cell without its reference (such as B7); Excel never writes one. Open the file in "
        "Excel, save it as .xlsx under a new name and submit that.",
        sheet=sheet,
    )


def _far(sheet: str, ref: str):
    ref = ref[:40]
    last = _ref(1, MAX_COL)[:-1]
    return _error(
        FAR_CELL,
        f"'{sheet}' শিটের {ref} ঘরে একটি লেখা আছে; ঘরটি মুছে আবার জমা দিন। (সার্ভিস কেবল "
        f"{to_bangla_digits(MAX_ROW)} নম্বর সারি ও {last} কলাম পর্যন্ত পড়ে।)",
        f"Sheet '{sheet}': cell {ref} holds something, far outside the table; delete that cell and submit again. "
        f"(The service reads up to row {MAX_ROW} and column {last}.)",
        sheet=sheet, cell=ref,
    )
