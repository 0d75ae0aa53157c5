"""A Word template compiled once per process (docxtpl's tag clean-up, then Jinja) and filled per report:
every render only fills the compiled parts and zips them with the parts no render changes."""

from __future__ import annotations

import bisect
import functools
import hashlib
import io
from collections.abc import Callable
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FunctionLoader, StrictUndefined, Template

from generator.documents import tags, template_cache
from generator.text import controls

if TYPE_CHECKING:
    from docxtpl import DocxTemplate

_RENDERED_PART = re.compile(r"word/(document|header\d*|footer\d*)\.xml")


@dataclass
class CompiledDocx:
    """A .docx template with its XML parts compiled to Jinja templates."""

    path: Path
    static: bytes  # a zip of the parts no render changes
    parts: dict[str, tuple[zipfile.ZipInfo, Template]]

    @classmethod
    def load(cls, path: Path) -> CompiledDocx:
        data = Path(path).read_bytes()
        static, rendered, infos = io.BytesIO(), {}, {}
        # the parts no render changes (styles, fonts, theme…) are compressed once, into a zip that
        # each render copies and appends its own parts to
        with zipfile.ZipFile(io.BytesIO(data)) as z, zipfile.ZipFile(static, "w", zipfile.ZIP_DEFLATED) as out:
            for info in z.infolist():
                if _RENDERED_PART.fullmatch(info.filename):
                    rendered[info.filename], infos[info.filename] = z.read(info).decode("utf-8"), info
                else:
                    out.writestr(info, z.read(info), compress_type=zipfile.ZIP_DEFLATED)
        patched = template_cache.patched(data, rendered, _patch_xml)
        key = hashlib.sha256(data).hexdigest()  # Jinja files its bytecode by a template's name: named by this file
        env = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True,
                          loader=FunctionLoader(lambda name: (tags.expand_tags(patched[name.partition("/")[2]]),
                                                              None, lambda: True)),
                          bytecode_cache=template_cache.bytecode())
        return cls(Path(path), static.getvalue(), {name: (infos[name], env.get_template(f"{key}/{name}"))
                                                   for name in patched})

    def render(self, context: dict, transform: Callable[[str, str], str] | None = None) -> bytes:
        """The filled document; `transform(part name, xml)` may change a part's XML before it is written."""
        out = io.BytesIO(self.static)
        out.seek(0, io.SEEK_END)
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z:
            for info, template in self.parts.values():
                xml = resolve_listing(template.render(context))
                if controls.NOT_IN_XML.search(xml):  # checks remove them from a workbook's cells: never a broken file
                    xml = controls.removed(xml)
                if transform is not None:
                    xml = transform(info.filename, xml)
                fresh = zipfile.ZipInfo(info.filename, info.date_time)  # zipfile fills in a ZipInfo as it writes
                z.writestr(fresh, xml.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
        return out.getvalue()


_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)
_BREAKS = re.compile(r"[\t\a\n\f]")
_PARAGRAPH_START = re.compile(r"<w:p[ >]")


@functools.lru_cache(maxsize=1)
def _docxtpl() -> DocxTemplate:
    """docxtpl, loaded only to clean a template up (template_cache keeps the result); that uses nothing of a
    template's own."""
    from docxtpl import DocxTemplate

    return DocxTemplate("")


def _patch_xml(xml: str) -> str:
    """docxtpl's clean-up of a part: its tags made whole, its {%p %}, {%tr %}… tags turned to Jinja."""
    return _docxtpl().patch_xml(xml)


def resolve_listing(xml: str) -> str:
    """docxtpl's resolve_listing (a \\n in a value becomes a line break, \\t a tab, \\a a new paragraph of the same
    settings, \\f a page break), run only on the paragraphs that hold such a character: the same XML, without
    re-parsing every paragraph (tests/service/test_speed_paths.py holds it to docxtpl's, character for
    character). The paragraphs are found from the characters, not the characters from every paragraph. One
    difference, in no template of ours: in a paragraph nested in another's text box, docxtpl carries the outer
    paragraph's properties to a \\t, \\a or \\f, and this the inner one's."""
    spans: list[tuple[int, int]] = []
    starts: list[int] | None = None  # where paragraphs open, found once (searching back from each break cost more)
    for found in _BREAKS.finditer(xml):
        at = found.start()
        if spans and spans[-1][0] <= at < spans[-1][1]:
            continue
        if starts is None:
            starts = [m.start() for m in _PARAGRAPH_START.finditer(xml)]
        before = bisect.bisect_left(starts, at) - 1
        start = starts[before] if before >= 0 else -1
        end = xml.find("</w:p>", at)
        if start < 0 or end < 0:
            continue
        match = _PARAGRAPH.match(xml, start)
        if match is not None and match.end() == end + len("</w:p>"):
            spans.append((start, match.end()))
    if not spans:
        return xml
    pieces, last = [], 0
    for start, end in spans:
        pieces += [xml[last:start], _listing(xml[start:end])]
        last = end
    return "".join(pieces) + xml[last:]


# docxtpl's own patterns: its paragraph and run properties are found without DOTALL
_PARAGRAPH_PROPERTIES = re.compile(r"<w:pPr>.*?</w:pPr>")
_RUN = re.compile(r"<w:r(?: [^>]*)?>.*?</w:r>", re.DOTALL)
_RUN_PROPERTIES = re.compile(r"<w:rPr>.*?</w:rPr>")
_TEXT = re.compile(r"<w:t(?: [^>]*)?>.*?</w:t>", re.DOTALL)
_BR = '</w:t><w:br/><w:t xml:space="preserve">'


def _listing(paragraph: str) -> str:
    """docxtpl's resolve_listing of one paragraph, in one pass over the runs that hold a break character."""
    found = _PARAGRAPH_PROPERTIES.search(paragraph)
    ppr = found.group(0) if found else ""

    def run(m: re.Match) -> str:
        xml = m.group(0)
        if not _BREAKS.search(xml):
            return xml
        props = _RUN_PROPERTIES.search(xml)
        rpr = props.group(0) if props else ""
        tab = f'</w:t></w:r><w:r>{rpr}<w:tab/></w:r><w:r>{rpr}<w:t xml:space="preserve">'
        paragraph = f'</w:t></w:r></w:p><w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">'
        page = f'</w:t></w:r></w:p><w:p><w:r><w:br w:type="page"/></w:r></w:p><w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">'
        return _TEXT.sub(lambda t: t.group(0).replace("\t", tab).replace("\a", paragraph).replace("\n", _BR)
                         .replace("\f", page), xml)

    return _RUN.sub(run, paragraph)


_cache: dict[Path, tuple[float, CompiledDocx]] = {}


def compiled(path: Path) -> CompiledDocx:
    """The compiled template, reloaded only when the file changes on disk."""
    path = Path(path).resolve()
    mtime = path.stat().st_mtime
    hit = _cache.get(path)
    if hit is None or hit[0] != mtime:
        hit = (mtime, CompiledDocx.load(path))
        _cache[path] = hit
    return hit[1]
