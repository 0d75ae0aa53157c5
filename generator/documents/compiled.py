"""A Word template compiled once per process (docxtpl's tag clean-up, then Jinja) and filled per report:
every render only fills the compiled parts and zips them with the parts no render changes."""

from __future__ import annotations

import io
from collections.abc import Callable
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, Template

from generator.documents import wordml

_RENDERED_PART = re.compile(r"word/(document|header\d*|footer\d*)\.xml")


@dataclass
class CompiledDocx:
    """A .docx template with its XML parts compiled to Jinja templates."""

    path: Path
    static: bytes  # a zip of the parts no render changes
    parts: dict[str, tuple[zipfile.ZipInfo, Template]]
    docxtpl: DocxTemplate
    fix_tables: bool

    @classmethod
    def load(cls, path: Path) -> CompiledDocx:
        env = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
        tpl = DocxTemplate(str(path))
        static, parts, fix = io.BytesIO(), {}, False
        # the parts no render changes (styles, fonts, theme…) are compressed once, into a zip that
        # each render copies and appends its own parts to
        with zipfile.ZipFile(path) as z, zipfile.ZipFile(static, "w", zipfile.ZIP_DEFLATED) as out:
            for info in z.infolist():
                data = z.read(info)
                if _RENDERED_PART.fullmatch(info.filename):
                    xml = tpl.patch_xml(data.decode("utf-8"))
                    fix = fix or "{%tc" in xml
                    parts[info.filename] = (info, env.from_string(wordml.expand_tags(xml)))
                else:
                    out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        return cls(Path(path), static.getvalue(), parts, tpl, fix)

    def render(self, context: dict, transform: Callable[[str, str], str] | None = None) -> bytes:
        """The filled document; `transform(part name, xml)` may change a part's XML before it is written."""
        out = io.BytesIO(self.static)
        out.seek(0, io.SEEK_END)
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z:
            for info, template in self.parts.values():
                xml = resolve_listing(self.docxtpl, template.render(context))
                if transform is not None:
                    xml = transform(info.filename, xml)
                fresh = zipfile.ZipInfo(info.filename, info.date_time)  # zipfile fills in a ZipInfo as it writes
                z.writestr(fresh, xml.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
        return out.getvalue()


_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)
_BREAKS = re.compile(r"[\t\a\n\f]")


def resolve_listing(docxtpl: DocxTemplate, xml: str) -> str:
    """docxtpl's resolve_listing (a \\n in a value becomes a line break, \\t a tab, …), run only on the
    paragraphs that hold such a character: the same result, without re-parsing every paragraph. The
    paragraphs are found from the characters, not the characters from every paragraph."""
    spans: list[tuple[int, int]] = []
    for found in _BREAKS.finditer(xml):
        at = found.start()
        if spans and spans[-1][0] <= at < spans[-1][1]:
            continue
        start = max(xml.rfind("<w:p>", 0, at), xml.rfind("<w:p ", 0, at))
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
        pieces += [xml[last:start], docxtpl.resolve_listing(xml[start:end])]
        last = end
    return "".join(pieces) + xml[last:]


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
