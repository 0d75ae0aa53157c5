"""Hostile workbooks against the package scan's view of a workbook (generator/xlsx/package.py): each hides text or a
far cell where calamine, reading the file its own way, would find it. Made from a filled workbook (`src`) whose plan
sheet is xl/worksheets/sheet2.xml, as examples.write makes it; found by a hostile review of the shared-text limit."""

from __future__ import annotations

import io
import random
import re
import struct
import zipfile
import zlib
from pathlib import Path

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
SHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
PLAN_PART = "xl/worksheets/sheet2.xml"
LONG = "অ" * 100_000


def _parts(src: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(src) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def _write(parts: dict[str, bytes], dst: Path) -> Path:
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return dst


def _column(i: int) -> str:
    name, i = "", i + 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def shared_cells(n: int, v: str = "0", prefix: str = "", width: int = 16, first: int = 70) -> bytes:
    """`n` cells from row `first` on, each using shared string `v` as it is written; `prefix` (e.g. 'ছ:') on their
    row, c and v elements."""
    out = []
    for i in range(n):
        r = first + i // width
        if i % width == 0:
            out.append(f'<{prefix}row r="{r}">')
        out.append(f'<{prefix}c r="{_column(i % width)}{r}" t="s"><{prefix}v>{v}</{prefix}v></{prefix}c>')
        if i % width == width - 1 or i == n - 1:
            out.append(f"</{prefix}row>")
    return "".join(out).encode()


def _strings(body: str) -> bytes:
    return f'<sst xmlns="{NS}" count="1" uniqueCount="1">{body}</sst>'.encode()


def _add_strings(p: dict, data: bytes, part: str = "xl/sharedStrings.xml", rel: bool = True) -> None:
    p[part] = data
    p["[Content_Types].xml"] = p["[Content_Types].xml"].replace(
        b"</Types>", f'<Override PartName="/{part}" ContentType="{SST_TYPE}"/></Types>'.encode())
    if rel:
        rels = "xl/_rels/workbook.xml.rels"
        p[rels] = p[rels].replace(b"</Relationships>", f'<Relationship Id="rIdShared" Type="{SST_REL}" Target="'
                                  f'{part.split("/", 1)[1]}"/></Relationships>'.encode())


def _plan_cells(p: dict, xml: bytes, part: str = PLAN_PART) -> None:
    p[part] = p[part].replace(b"</sheetData>", xml + b"</sheetData>")


def _letters(n: int, seed: int) -> str:  # random letters: text that packs no better than 100:1
    r = random.Random(seed)
    return "".join(r.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))


SST = _strings("{}").decode()  # shared strings, with a `{}` where their <si>s go


def shared_text_bomb(src: Path, dst: Path, cells: int, length: int, part: str = "xl/sharedStrings.xml",
                     strings: str = SST.format("<si><t>{}</t></si>"), index: str = "0") -> Path:
    """The plan sheet with `cells` more cells from row 70 on, 16 to a row, each using one shared string of
    `length` characters (the `{}` of `strings`, at `index` as the cells write it): a few KB that a reader making
    a string for every cell unpacks to cells × length."""
    p = _parts(src)
    _plan_cells(p, shared_cells(cells, v=index))
    _add_strings(p, strings.replace("{}", "অ" * length).encode(), part)
    return _write(p, dst)


def split_index(src: Path, dst: Path, v: str) -> Path:
    """Cells whose index is '1<!---->2' or '1&#50;': calamine takes the first piece, 1 (a long string); the whole
    says 12 (a short one)."""
    p = _parts(src)
    _plan_cells(p, shared_cells(2000, v=v))
    strings = ["a"] * 13
    strings[1] = LONG
    _add_strings(p, _strings("".join(f"<si><t>{s}</t></si>" for s in strings)))
    return _write(p, dst)


def text_across_strings(src: Path, dst: Path, tag: str = "t") -> Path:
    """One <t> running across 333 '</si><si>': a quick look sees 334 short strings, calamine (which ignores other
    tags inside a <t>) one of a million characters. `tag` 'x:t' for a prefixed one."""
    p = _parts(src)
    _plan_cells(p, shared_cells(200))
    body = f"<si><{tag}>" + "".join(_letters(3000, k) + "</si><si>" for k in range(333)) + _letters(3000, 333)
    data = _strings(body + f"</{tag}></si>")
    if ":" in tag:
        data = data.replace(b"<sst ", f'<sst xmlns:{tag.split(":")[0]}="{NS}" '.encode())
    _add_strings(p, data)
    return _write(p, dst)


def strings_beside_a_moved_workbook(src: Path, dst: Path) -> Path:
    """The workbook in wb/ (named by the package relationships); wb/sharedStrings.xml named by nothing: calamine
    finds it by its name beside the workbook."""
    p = {}
    for name, data in _parts(src).items():
        p["wb/" + name[3:] if name.startswith("xl/") else name] = (
            data.replace(b"/xl/", b"/wb/").replace(b'Target="xl/workbook.xml"', b'Target="wb/workbook.xml"'))
    _plan_cells(p, shared_cells(2000), "wb/worksheets/sheet2.xml")
    _add_strings(p, _strings(f"<si><t>{LONG}</t></si>"), "wb/sharedStrings.xml", rel=False)
    return _write(p, dst)


def prefixed_cells(src: Path, dst: Path, far: bool = False) -> Path:
    """Rows, cells and values written <ছ:row>, <ছ:c>, <ছ:v>, a prefix no reader looks at: 60 000 cells of a
    3 500-character string, or one value at XFD1048576 (calamine then asks for 512 GB and aborts)."""
    p = _parts(src)
    if far:
        _plan_cells(p, '<ছ:row r="1048576"><ছ:c r="XFD1048576"><ছ:v>1</ছ:v></ছ:c></ছ:row>'.encode())
    else:
        _plan_cells(p, shared_cells(60_000, prefix="ছ:"))
        _add_strings(p, _strings("<si><t>" + "অ" * 3500 + "</t></si>"))
    return _write(p, dst)


def _moved_plan(p: dict, part: str, extra: bytes = b"", target: str | None = None) -> None:
    p[part] = p.pop(PLAN_PART)
    rels = "xl/_rels/workbook.xml.rels"
    p[rels] = p[rels].replace(b'Target="/xl/worksheets/sheet2.xml" Id="rId2"',
                              b'Target="' + (target or "/" + part).encode() + b'" Id="rId2"' + extra)


def plan_named_another_way(src: Path, dst: Path, how: str, far: bool = False) -> Path:
    """The plan sheet where calamine finds it and a scan resolving names its own way would not: 'fragment' (the
    relationship's target ends '#x', and so does the part), 'external' (TargetMode="External", which calamine does
    not look at), 'bare-id' (the sheet's id attribute without its r: prefix), 'entity-id' (the relationship's Id
    written 'rId&#50;', beside a decoy 'rId2' pointing at the original sheet)."""
    p = _parts(src)
    _plan_cells(p, b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' if far else shared_cells(2000))
    if not far:
        _add_strings(p, _strings(f"<si><t>{LONG}</t></si>"))
    if how == "fragment":
        _moved_plan(p, PLAN_PART + "#x")
    elif how == "external":
        _moved_plan(p, "xl/plan.xml", b' TargetMode="External"')
    elif how == "bare-id":
        _moved_plan(p, "xl/plan.xml")
        book = p["xl/workbook.xml"]
        p["xl/workbook.xml"] = book.replace(b'r:id="rId2"', b'id="rId2"')
        assert p["xl/workbook.xml"] != book
    elif how == "entity-id":
        original = _parts(src)[PLAN_PART]
        p["xl/plan.xml"], p[PLAN_PART] = p[PLAN_PART], original
        rels = "xl/_rels/workbook.xml.rels"
        decoy = f'<Relationship Type="{SHEET_REL}" Target="/{PLAN_PART}" Id="rId2"/>'.encode()
        p[rels] = p[rels].replace(decoy, b"").replace(
            b"</Relationships>", f'<Relationship Type="{SHEET_REL}" Target="/xl/plan.xml" Id="rId&#50;"/>'.encode()
            + decoy + b"</Relationships>")
        p["xl/workbook.xml"] = p["xl/workbook.xml"].replace(b'r:id="rId2"', b'r:id="rId&#50;"')
    else:
        raise ValueError(how)
    return _write(p, dst)


# A second hostile review, of the scan that closed the above: eight more ways in.

def strings_before_the_table(src: Path, dst: Path) -> Path:
    """A short <si> before the <sst> (calamine reads the first <sst> only, where index 0 is the long one)."""
    p = _parts(src)
    _plan_cells(p, shared_cells(2000))
    _add_strings(p, f'<w xmlns="{NS}"><si><t>a</t></si><sst><si><t>{LONG}</t></si></sst></w>'.encode())
    return _write(p, dst)


def workbook_by_another_name(src: Path, dst: Path, far: bool = False) -> Path:
    """The package relationships name wb/book.xml (a decoy naming the original sheets); calamine reads the
    workbook.xml beside it, which points the plan at wb/plan.xml, full of long strings or with a far cell."""
    p = {("wb/" + n[3:]) if n.startswith("xl/") else n: d.replace(b"/xl/", b"/wb/") for n, d in _parts(src).items()}
    p["_rels/.rels"] = p["_rels/.rels"].replace(b'Target="xl/workbook.xml"', b'Target="wb/book.xml"')
    p["wb/book.xml"], p["wb/_rels/book.xml.rels"] = p["wb/workbook.xml"], p["wb/_rels/workbook.xml.rels"]
    extra = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' if far else shared_cells(2000)
    p["wb/plan.xml"] = p["wb/worksheets/sheet2.xml"].replace(b"</sheetData>", extra + b"</sheetData>")
    p["wb/_rels/workbook.xml.rels"] = p["wb/_rels/workbook.xml.rels"].replace(
        b'Target="/wb/worksheets/sheet2.xml"', b'Target="/wb/plan.xml"')
    p["wb/sharedStrings.xml"] = _strings(f"<si><t>{LONG}</t></si>")
    return _write(p, dst)


def spreadsheet_of_another_kind(src: Path, dst: Path) -> Path:
    """No .xlsx inside, an OpenDocument one: calamine, failing to open it as .xlsx, tried .ods, whose repeated
    cells it copies as it opens (200 rows × 100 columns of 1 000 characters, in 640 bytes)."""
    table = ('<table:table-row table:number-rows-repeated="200"><table:table-cell table:number-columns-repeated="100" '
             f'office:value-type="string"><text:p>{"a" * 1000}</text:p></table:table-cell></table:table-row>')
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
               + "".join(f'<table:table table:name="{s}">{table}</table:table>' for s in ("পত্র", "কর্মপরিকল্পনা"))
               + "</office:spreadsheet></office:body></office:document-content>")
    return _write({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": content.encode()}, dst)


def quote_across_strings(src: Path, dst: Path) -> Path:
    """An attribute whose quote stays open across '</si><si>' (<b a="/>…): calamine, reading on to the next quote,
    makes 100 strings of 3 000 characters one of 300 000."""
    r = random.Random(1)

    def text() -> str:
        return "".join(r.choice("abcdefghij") for _ in range(3000))

    link = '<r><rPr><b a="/></rPr><t/></r>'
    items = [f"<si><t>{text()}</t>{link}</si>"]
    items += [f'<si><r><rPr><b a="/></rPr><t>{text()}</t></r>{link}</si>' for _ in range(98)]
    items += [f'<si><r><rPr><b a="/></rPr><t>{text()}</t></r></si>']
    p = _parts(src)
    _plan_cells(p, shared_cells(200))
    _add_strings(p, _strings("".join(items)))
    return _write(p, dst)


def strings_also_a_sheet(src: Path, dst: Path) -> Path:
    """xl/sharedStrings.xml also named as a (hidden) sheet: scanned as a sheet, never measured as strings."""
    p = _parts(src)
    _plan_cells(p, shared_cells(2000))
    _add_strings(p, _strings(f"<si><t>{LONG}</t></si>"))
    rels = "xl/_rels/workbook.xml.rels"
    p[rels] = p[rels].replace(b"</Relationships>", f'<Relationship Id="rIdX" Type="{SHEET_REL}" '
                              'Target="sharedStrings.xml"/></Relationships>'.encode())
    p["xl/workbook.xml"] = p["xl/workbook.xml"].replace(
        b"</sheets>", b'<sheet name="x" sheetId="9" state="hidden" r:id="rIdX" '
                      b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></sheets>')
    return _write(p, dst)


def workbook_among_the_sheets(src: Path, dst: Path) -> Path:
    """The workbook moved into xl/worksheets/, its shared strings beside it (taken for an unnamed sheet)."""
    p = {}
    for name, data in _parts(src).items():
        if name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"):
            name = name.replace("xl/", "xl/worksheets/", 1)
        p[name] = data
    p["_rels/.rels"] = p["_rels/.rels"].replace(b'Target="xl/workbook.xml"', b'Target="xl/worksheets/workbook.xml"')
    rels = "xl/worksheets/_rels/workbook.xml.rels"
    p[rels] = p[rels].replace(b'Target="theme/', b'Target="../theme/')
    _plan_cells(p, shared_cells(2000))
    p["xl/worksheets/sharedStrings.xml"] = _strings(f"<si><t>{LONG}</t></si>")
    return _write(p, dst)


def cell_without_reference(src: Path, dst: Path) -> Path:
    """A cell with no r inside a row nested in another: the scan placed it at A2, calamine at XFD1048576."""
    p = _parts(src)
    _plan_cells(p, b'<row r="1048576"><c r="XFC1"/><x:row xmlns:x="urn:x"><c><v>1</v></c></x:row></row>')
    return _write(p, dst)


def strings_said_to_be_many(src: Path, dst: Path) -> Path:
    """<sst uniqueCount="100000000000">: calamine makes room for that many strings before it reads one."""
    p = _parts(src)
    _add_strings(p, f'<sst xmlns="{NS}" count="1" uniqueCount="100000000000"><si><t>a</t></si></sst>'.encode())
    return _write(p, dst)


# A third review: where the scan and calamine read a name differently.

FAR = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'


def _plan_moved_with_far_cell(p: dict, part: str, target: str) -> None:
    p[part] = p.pop(PLAN_PART).replace(b"</sheetData>", FAR + b"</sheetData>")
    rels = "xl/_rels/workbook.xml.rels"
    p[rels] = p[rels].replace(b'Target="/xl/worksheets/sheet2.xml"', f'Target="{target}"'.encode())


def entity_in_a_target(src: Path, dst: Path) -> Path:
    """The plan in a part named 'xl/w&amp;/plan.xml', its relationship's Target written 'xl/w&amp;/plan.xml': the
    parser decodes the Target to 'xl/w&/plan.xml' (no such part), calamine takes it as written."""
    p = _parts(src)
    _plan_moved_with_far_cell(p, "xl/w&amp;/plan.xml", "/xl/w&amp;/plan.xml")
    return _write(p, dst)


def workbook_declared_latin1(src: Path, dst: Path) -> Path:
    """workbook.xml declared ISO-8859-1: the parser made its Bangla sheet names mojibake (no sheet read), calamine
    reads it as UTF-8 (and the plan's far cell)."""
    p = _parts(src)
    p["xl/workbook.xml"] = b'<?xml version="1.0" encoding="ISO-8859-1"?>' + p["xl/workbook.xml"]
    _plan_cells(p, FAR)
    return _write(p, dst)


def second_name_in_the_zip(src: Path, dst: Path) -> Path:
    """An entry 'zz.bin' whose Info-ZIP Unicode Path field (0x7075) says 'xl/worksheets/sheet2.xml' (Rust's zip
    reader takes that name, Python's does not), holding the plan with a far cell; the real plan renamed likewise to
    a decoy 'xl/decoy.xml'."""
    def unicode_path(shown: str, real: str) -> bytes:
        body = b"\x01" + struct.pack("<I", zlib.crc32(shown.encode())) + real.encode()
        return struct.pack("<HH", 0x7075, len(body)) + body

    p = _parts(src)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in p.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name == PLAN_PART:
                info.extra = unicode_path(name, "xl/decoy.xml")
            z.writestr(info, data)
        hidden = zipfile.ZipInfo("zz.bin")
        hidden.compress_type = zipfile.ZIP_DEFLATED
        hidden.extra = unicode_path("zz.bin", PLAN_PART)
        z.writestr(hidden, p[PLAN_PART].replace(b"</sheetData>", FAR + b"</sheetData>"))
    return dst


def name_in_no_stated_encoding(src: Path, dst: Path) -> Path:
    """The plan in a part named 'xl/w€/plan.xml' in UTF-8 without the zip's UTF-8 flag: Python reads the name as
    CP437 ('xl/wΓé¼/plan.xml'), calamine as UTF-8, which the relationship names."""
    p = _parts(src)
    _plan_moved_with_far_cell(p, "xl/wQQQ/plan.xml", "/xl/w\u20ac/plan.xml")
    data = _write(p, dst).read_bytes()
    assert data.count(b"xl/wQQQ/plan.xml") == 2
    dst.write_bytes(data.replace(b"xl/wQQQ/plan.xml", "xl/w\u20ac/plan.xml".encode()))
    return dst


# A fourth review: where Python's zipfile and Rust's zip reader take different ends of one file.

def _hand_zip(entries: list[tuple[bytes, bytes]], base: int = 0) -> tuple[bytes, bytes, int]:
    """Local entries and a central directory written by hand (their offsets from `base`)."""
    local = directory = b""
    for name, data in entries:
        packed, crc, at = zlib.compress(data)[2:-4], zlib.crc32(data), base + len(local)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(packed), len(data), len(name),
                             0) + name + packed
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(packed), len(data),
                                 len(name), 0, 0, 0, 0, 0, at) + name
    return local, directory, len(entries)


def _end(entries: int, size: int, offset: int, comment: int = 0) -> bytes:
    return struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, entries, entries, size, offset, comment)


def _clean_and_far(src: Path) -> tuple[list, list]:
    clean = [(n.encode(), d) for n, d in _parts(src).items()]
    far = [(n, d.replace(b"</sheetData>", FAR + b"</sheetData>") if n == PLAN_PART.encode() else d) for n, d in clean]
    return clean, far


def end_that_lies_about_its_comment(src: Path, dst: Path) -> Path:
    """A workbook with a far cell, then a clean one whose end record claims a 1-byte comment that is not there:
    Python takes the last end record whatever it says (the clean one), Rust rejects it and takes the one before."""
    clean, far = _clean_and_far(src)
    hl, hd, hn = _hand_zip(far)
    base = len(hl) + len(hd) + 22
    cl, cd, cn = _hand_zip(clean, base)
    dst.write_bytes(hl + hd + _end(hn, len(hd), len(hl)) + cl + cd + _end(cn, len(cd), base + len(cl), 1))
    return dst


def zip64_end_beside_a_plain_one(src: Path, dst: Path) -> Path:
    """A zip64 end record (Python's pick) naming a clean directory, and a plain end record (Rust's) naming one with
    the far cell."""
    clean, far = _clean_and_far(src)
    cl, cd, cn = _hand_zip(clean)
    hl, hd, hn = _hand_zip(far, base=len(cl))
    body = cl + hl + hd
    clean_at = len(body)
    body += cd
    zip64_at = len(body)
    body += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, cn, cn, len(cd), clean_at)
    body += struct.pack("<IIQI", 0x07064B50, 0, zip64_at, 1)
    dst.write_bytes(body + _end(hn, len(hd), len(cl) + len(hl)))
    return dst


def with_a_comment(src: Path, dst: Path) -> Path:
    """The workbook with a zip comment (nothing hidden: no writer of workbooks adds one)."""
    data = src.read_bytes()
    dst.write_bytes(data[:-2] + struct.pack("<H", 5) + b"hello")
    return dst


def with_data_before(src: Path, dst: Path) -> Path:
    """The workbook after 100 bytes of something else (a self-extracting archive's shape)."""
    dst.write_bytes(b"x" * 100 + src.read_bytes())
    return dst


# A fifth review: files that cost time, not memory.

def styles_beside_a_decoy(src: Path, dst: Path, length: int = 100_000, count: int = 10_000) -> Path:
    """The styles relationship names a harmless copy (xl/decoy.xml); xl/styles.xml, which calamine reads by its
    name, holds one number format of `length` characters used by `count` cell styles: calamine reads the format
    once for each (20 000 × 1 MB took it 38 s)."""
    r = random.Random(1)
    code = "".join(r.choice("0123456789#,. ") for _ in range(length))
    p = _parts(src)
    rels = "xl/_rels/workbook.xml.rels"
    p[rels] = p[rels].replace(b'Target="styles.xml"', b'Target="decoy.xml"')
    p["xl/decoy.xml"] = p["xl/styles.xml"]
    styles = p["xl/styles.xml"].decode()
    number = f'<numFmt numFmtId="999" formatCode="{code}"/>'
    styles = (re.sub(r'<numFmts count="\d+">', lambda m: m.group(0) + number, styles, count=1) if "<numFmts" in styles
              else styles.replace("<fonts", f'<numFmts count="1">{number}</numFmts><fonts', 1))
    xfs = "".join(f'<xf numFmtId="999" xfId="0" applyNumberFormat="{r.randrange(10**9)}"/>' for _ in range(count))
    p["xl/styles.xml"] = styles.replace("</cellXfs>", xfs + "</cellXfs>", 1).encode()  # (packs less than 100:1)
    return _write(p, dst)


def many_sheet_entries(src: Path, dst: Path, count: int = 20_000) -> Path:
    """The workbook names `count` sheets, all at one part (the scan's own bookkeeping was quadratic: 230 000 took
    it 225 s)."""
    p = _parts(src)
    r = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    entries = "".join(f'<sheet {r} name="s{i}" sheetId="{i + 10}" state="hidden" r:id="rId2"/>' for i in range(count))
    p["xl/workbook.xml"] = p["xl/workbook.xml"].replace(b"</sheets>", entries.encode() + b"</sheets>")
    return _write(p, dst)


# A sixth review: the marked copy of a rejected workbook (openpyxl loads it whole).

def with_validations(src: Path, dst: Path, count: int) -> Path:
    """`count` data validations on the plan sheet (openpyxl keeps some 4 KB for each)."""
    r = random.Random(1)
    rules = "".join(f'<dataValidation type="whole" sqref="A1:XFD1048576 B{r.randrange(1, 10**6)}"><formula1>'
                    f"{r.randrange(10**6)}</formula1></dataValidation>" for _ in range(count))
    p = _parts(src)
    p[PLAN_PART] = p[PLAN_PART].replace(
        b"</worksheet>", f'<dataValidations count="{count}">{rules}</dataValidations></worksheet>'.encode())
    return _write(p, dst)


def with_a_picture(src: Path, dst: Path, size: int = 2000) -> Path:
    """A TIFF of `size` × `size` shown on the plan sheet: openpyxl decodes such a picture to save it (9000 × 9000
    took 678 MB, once for each place it is shown)."""
    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGBA", (size, size)).save(picture, "TIFF", compression="tiff_adobe_deflate")
    ns = ('xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
          'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
    drawing = (f'<xdr:wsDr {ns}><xdr:oneCellAnchor><xdr:from><xdr:col>1</xdr:col><xdr:colOff>0</xdr:colOff>'
               '<xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="100" cy="100"/><xdr:pic>'
               '<xdr:nvPicPr><xdr:cNvPr id="2" name="P"/><xdr:cNvPicPr/></xdr:nvPicPr><xdr:blipFill>'
               '<a:blip r:embed="rId1"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr>'
               '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/>'
               "</xdr:oneCellAnchor></xdr:wsDr>")
    rels = '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{}</Relationships>'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    p = _parts(src)
    p[PLAN_PART] = p[PLAN_PART].replace(b"</worksheet>", f'<drawing {ns} r:id="rIdX9"/></worksheet>'.encode())
    sheet_rels = "xl/worksheets/_rels/sheet2.xml.rels"
    link = f'<Relationship Id="rIdX9" Type="{rel}drawing" Target="../drawings/drawing9.xml"/>'
    p[sheet_rels] = (p[sheet_rels].replace(b"</Relationships>", link.encode() + b"</Relationships>")
                     if sheet_rels in p else rels.format(link).encode())
    p["[Content_Types].xml"] = p["[Content_Types].xml"].replace(
        b"</Types>", b'<Default Extension="tiff" ContentType="image/tiff"/><Override PartName="/xl/drawings/'
        b'drawing9.xml" ContentType="application/vnd.openxmlformats-officedocument.drawing+xml"/></Types>')
    p["xl/drawings/drawing9.xml"] = drawing.encode()
    p["xl/drawings/_rels/drawing9.xml.rels"] = rels.format(
        f'<Relationship Id="rId1" Type="{rel}image" Target="../media/image1.tiff"/>').encode()
    p["xl/media/image1.tiff"] = picture.getvalue()
    return _write(p, dst)
