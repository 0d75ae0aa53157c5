"""Hostile workbooks against the package scan's view of a workbook (generator/xlsx/package.py): each hides text or a
far cell where calamine, reading the file its own way, would find it. Made from a filled workbook (`src`) whose plan
sheet is xl/worksheets/sheet2.xml, as examples.write makes it; found by a hostile review of the shared-text limit."""

from __future__ import annotations

import random
import zipfile
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


def cells(n: int, v: str = "0", prefix: str = "", width: int = 16, first: int = 70) -> bytes:
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


def split_index(src: Path, dst: Path, v: str) -> Path:
    """Cells whose index is '1<!---->2' or '1&#50;': calamine takes the first piece, 1 (a long string); the whole
    says 12 (a short one)."""
    p = _parts(src)
    _plan_cells(p, cells(2000, v=v))
    strings = ["a"] * 13
    strings[1] = LONG
    _add_strings(p, _strings("".join(f"<si><t>{s}</t></si>" for s in strings)))
    return _write(p, dst)


def text_across_strings(src: Path, dst: Path, tag: str = "t") -> Path:
    """One <t> running across 333 '</si><si>': a quick look sees 334 short strings, calamine (which ignores other
    tags inside a <t>) one of a million characters. `tag` 'x:t' for a prefixed one."""
    p = _parts(src)
    _plan_cells(p, cells(200))
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
    _plan_cells(p, cells(2000), "wb/worksheets/sheet2.xml")
    _add_strings(p, _strings(f"<si><t>{LONG}</t></si>"), "wb/sharedStrings.xml", rel=False)
    return _write(p, dst)


def prefixed_cells(src: Path, dst: Path, far: bool = False) -> Path:
    """Rows, cells and values written <ছ:row>, <ছ:c>, <ছ:v>, a prefix no reader looks at: 60 000 cells of a
    3 500-character string, or one value at XFD1048576 (calamine then asks for 512 GB and aborts)."""
    p = _parts(src)
    if far:
        _plan_cells(p, '<ছ:row r="1048576"><ছ:c r="XFD1048576"><ছ:v>1</ছ:v></ছ:c></ছ:row>'.encode())
    else:
        _plan_cells(p, cells(60_000, prefix="ছ:"))
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
    _plan_cells(p, b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' if far else cells(2000))
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
