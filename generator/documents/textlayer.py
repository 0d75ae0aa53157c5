"""The text layer of the PDFs LibreOffice makes, made to give back whole words (issue 23, docs/pdf.md).

LibreOffice 7.4 draws Bangla right but marks it for copying glyph cluster by glyph cluster: a cluster whose glyphs
are not in its letters' order (a pre-base vowel sign, a reph) is wrapped in `/Span <</ActualText (…)>> BDC … EMC`
with its letters, and the other glyphs have their letters in the font's ToUnicode map. So the letters come out
in the right order, but a text extractor places each cluster's letters where its glyphs are drawn, and where a
glyph is shifted back over its neighbour (a reph over the consonant, a vowel sign below) the next cluster starts
after a gap: `pdftotext` then cuts the word (`কর্মকর্ত া`, `চু ক্তির`).

`whole_words` rewrites each page's content stream so that every word drawn on one line, from one space glyph (or a
move right wider than GAP, a space drawn without a glyph) to the next, is one ActualText span whose text is the
word's letters in logical order: LibreOffice's own spans' texts and, between them, the ToUnicode text of the other
glyphs. Extractors that honour ActualText (poppler's `pdftotext`, Evince, Okular; Acrobat) then take the word as one
piece; pdfminer.six (pdfplumber) reads ToUnicode only and sees no change. Only marked-content operators are added or
removed, and show-text operators are cut where a space glyph is (the same glyphs at the same positions), so the page
draws exactly as before. Left as they were: a word whose letters cannot all be read from the file, and a text object
that draws a glyph back along its line by more than 0.6 em (LibreOffice draws the dots of a web address first and
its letters after them; extractors sort such glyphs by place, which a span would prevent).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

__all__ = ["whole_words"]

SPACES = frozenset(" \u00a0")
GAP = 0.15  # em: a move right wider than this between two glyphs is a space drawn without a glyph
_LINE_OPS = frozenset({"Td", "TD", "Tm", "T*"})
_SHOW_OPS = frozenset({"Tj", "TJ"})


def whole_words(pdf: bytes) -> bytes:
    """The same PDF with every word of its text in one ActualText span (the input itself if it has no text)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        fonts: dict = {}
        changed = False
        for page in doc.pages:
            resources = page.obj.get("/Resources")
            if resources is None or "/Font" not in resources:
                continue
            ops = pikepdf.parse_content_stream(page)
            new_ops = _rewrite(ops, resources.Font, fonts)
            if new_ops is not None:
                page.obj.Contents = doc.make_stream(pikepdf.unparse_content_stream(new_ops))
                changed = True
        if not changed:
            return pdf
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


@dataclass
class _Font:
    width: int  # bytes per character code
    text: dict[bytes, str]  # code → letters, from ToUnicode
    widths: dict[int, float]  # code → advance in thousandths of the font size (simple fonts)
    missing: float = 0.0


@dataclass
class _Text:
    """The text state a show-text instruction needs: font, size, spacing, and where the pen is."""

    font: _Font | None = None
    size: float = 0.0
    char_spacing: float = 0.0
    word_spacing: float = 0.0
    scale: float = 1.0
    line: tuple = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)  # the text line matrix
    pen: float = 0.0  # along the line, in text space, from the line matrix's origin
    leading: float = 0.0
    right: float = float("-inf")  # where the glyphs drawn so far on this baseline end
    right_of: tuple | None = None  # that baseline
    in_order: bool = True  # every glyph of this text object drawn after the one before it, along the line

    def saved(self) -> tuple:
        return self.font, self.size, self.char_spacing, self.word_spacing, self.scale, self.leading

    def restore(self, saved: tuple) -> None:
        self.font, self.size, self.char_spacing, self.word_spacing, self.scale, self.leading = saved

    def baseline(self) -> tuple:
        a, b, c, d, _, f = self.line
        return a, b, c, d, f

    def x(self) -> float:
        return self.line[4] + self.pen * self.line[0]

    def apart(self, right: float) -> bool:
        """Whether the pen is far enough right of `right` (where the word so far ends) for a space between."""
        return self.x() > right + GAP * abs(self.size * self.line[0])

    def reached(self) -> float:
        return self.right if self.right_of == self.baseline() else float("-inf")

    def move(self, name: str, operands) -> None:
        a, b, c, d, e, f = self.line
        if name == "Tm":
            self.line = tuple(float(v) for v in operands)
        else:
            tx, ty = (0.0, -self.leading) if name == "T*" else (float(operands[0]), float(operands[1]))
            if name == "TD":
                self.leading = -ty
            self.line = (a, b, c, d, tx * a + ty * c + e, tx * b + ty * d + f)
        self.pen = 0.0

    def show(self, items) -> None:
        """Draw `items` (strings and adjustments of TJ), noting whether a glyph goes back along the line."""
        import pikepdf

        font = self.font
        for item in items:
            if not isinstance(item, pikepdf.String):
                self.pen -= float(item) / 1000 * self.size * self.scale
                continue
            raw = bytes(item)
            step = font.width if font else 1
            back = 0.6 * abs(self.size * self.line[0])  # a vowel sign or reph drawn back over its consonant
            if self.line[1] or self.line[2] or self.line[0] <= 0:  # turned or mirrored: not checked, left as it is
                self.in_order = False
            if self.baseline() != self.right_of:
                self.right, self.right_of = float("-inf"), self.baseline()
            for i in range(0, len(raw), step):
                code = raw[i:i + step]
                start = self.x()
                width = (font.widths.get(int.from_bytes(code, "big"), font.missing) if font else 0.0) / 1000
                space = self.word_spacing if step == 1 and code == b" " else 0.0
                self.pen += (width * self.size + self.char_spacing + space) * self.scale
                if start < self.right - back:
                    self.in_order = False
                self.right = max(self.right, self.x())


@dataclass
class _Word:
    """The instructions of one word being read and the letters its glyphs stand for (None: unknown)."""

    ops: list = field(default_factory=list)
    text: str | None = ""
    glyphs: int = 0
    line: tuple | None = None

    def add(self, ops: list, text: str | None, glyphs: int, state: _Text) -> None:
        self.ops += ops
        self.text = None if text is None or self.text is None else self.text + text
        self.glyphs += glyphs
        self.line = state.baseline()


def _rewrite(ops: list, font_resources, fonts: dict) -> list | None:
    import pikepdf

    out: list = []
    word = _Word()
    state = _Text()
    stack: list = []
    in_text = False
    marks: list[bool] = []  # the open marked-content sequences: True for an ActualText span
    span: list | None = None  # the instructions of LibreOffice's ActualText span being read (BDC first)
    span_text = ""
    span_glyphs = 0
    span_apart = False  # the span's first glyph is drawn a space away from the word before it
    wrapped = 0
    text_object: list = []  # the current text object's instructions as they were
    text_start = 0  # where it starts in `out`

    def close() -> None:
        nonlocal word, wrapped
        body = word.ops
        tail: list = []
        while body and not _shows(body[-1]) and not _marks_span(body[-1]):
            tail.insert(0, body.pop())
        if word.text is not None and (word.glyphs > 1 or any(map(_marks_span, body))):
            out.append(pikepdf.ContentStreamInstruction(
                [pikepdf.Name.Span, pikepdf.Dictionary(ActualText=pikepdf.String(word.text))], pikepdf.Operator("BDC")))
            out.extend(op for op in body if not _marks_span(op))
            out.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("EMC")))
            wrapped += 1
        else:
            out.extend(body)
        out.extend(tail)
        word = _Word()

    def other(op) -> None:  # an instruction that draws nothing: inside the word being read, or before it
        (word.ops if word.ops else out).append(op)

    for op in ops:
        name = str(op.operator) if isinstance(op, pikepdf.ContentStreamInstruction) else ""
        if in_text:
            text_object.append(op)
        if name in ("Tf", "Tc", "Tw", "Tz", "TL"):
            _set(state, name, op.operands, font_resources, fonts)
        if span is not None:  # inside one of LibreOffice's spans: kept whole, its text stands for its glyphs
            span.append(op)
            if name == "EMC":
                marks.pop()
                if word.line is not None and (word.line != state.baseline() or span_apart):
                    close()
                word.add(span, span_text, span_glyphs, state)
                span = None
            elif name in ("BDC", "BMC", "BT", "ET", "'", '"'):  # not what LibreOffice writes: leave the page
                return None
            elif name in _LINE_OPS:
                state.move(name, op.operands)
            elif name in _SHOW_OPS:
                items = [op.operands[0]] if name == "Tj" else list(op.operands[0])
                if not span_glyphs:
                    span_apart = state.apart(state.reached())
                state.show(items)
                span_glyphs += sum(len(bytes(x)) for x in items if isinstance(x, pikepdf.String))
            continue
        if name == "BT":
            if any(marks):  # an ActualText span around whole text objects: ours would nest in it
                return None
            in_text, text_object, text_start = True, [op], len(out)
            state.line, state.pen, state.right_of, state.in_order = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), 0.0, None, True
            out.append(op)
        elif name == "ET":
            close()
            in_text = False
            out.append(op)
            if not state.in_order:  # drawn out of order: extractors sort its glyphs by place; leave it so
                out[text_start:] = text_object
        elif name == "q":
            stack.append(state.saved())
            out.append(op)
        elif name == "Q":
            if stack:
                state.restore(stack.pop())
            out.append(op)
        elif name == "BDC" and in_text and _actual_text(op) is not None:
            marks.append(True)
            span, span_text, span_glyphs, span_apart = [op], _actual_text(op) or "", 0, False
        elif name in ("BDC", "BMC"):
            close()
            marks.append(name == "BDC" and _actual_text(op) is not None)
            out.append(op)
        elif name == "EMC":
            close()
            if marks:
                marks.pop()
            out.append(op)
        elif name in _LINE_OPS:
            state.move(name, op.operands)
            if word.line is not None and word.line != state.baseline():
                close()
            other(op)
        elif name in _SHOW_OPS and in_text:
            for piece, text, kind, apart in _pieces(op, state):
                if kind == "space":
                    close()
                    out.append(piece)
                elif kind == "move":
                    other(piece)
                else:
                    if word.line is not None and (word.line != state.baseline() or apart):
                        close()
                    word.add([piece], text, sum(len(bytes(x)) for x in piece.operands[0]
                                                if isinstance(x, pikepdf.String)) // max(1, getattr(state.font, "width", 1)), state)
        elif name in ("'", '"'):
            close()
            state.move("T*", [])
            if name == '"':
                state.word_spacing, state.char_spacing = float(op.operands[0]), float(op.operands[1])
            state.show([op.operands[-1]])
            out.append(op)
        else:
            other(op)
    if span is not None:
        return None
    close()
    return out if wrapped else None


def _set(state: _Text, name: str, operands, font_resources, fonts: dict) -> None:
    if name == "Tf":
        state.font, state.size = _font(font_resources, operands[0], fonts), float(operands[1])
    elif name == "Tc":
        state.char_spacing = float(operands[0])
    elif name == "Tw":
        state.word_spacing = float(operands[0])
    elif name == "Tz":
        state.scale = float(operands[0]) / 100
    else:
        state.leading = float(operands[0])


def _shows(op) -> bool:
    return str(getattr(op, "operator", "")) in _SHOW_OPS


def _marks_span(op) -> bool:
    name = str(getattr(op, "operator", ""))
    return name == "EMC" or (name == "BDC" and _actual_text(op) is not None)


def _actual_text(op) -> str | None:
    import pikepdf

    if len(op.operands) != 2 or not isinstance(op.operands[1], pikepdf.Dictionary):
        return None
    value = op.operands[1].get("/ActualText")
    return str(value) if isinstance(value, pikepdf.String) else None


def _pieces(op, state: _Text):
    """The show-text instruction drawn (the pen moved) as TJ instructions cut at its space glyphs and before a
    glyph drawn a space away from the glyphs before it on the line (a space drawn as a move, not a glyph):
    (instruction, letters or None, "glyphs", "space" or "move" for adjustments alone, whether it starts apart)."""
    import pikepdf

    items = [op.operands[0]] if str(op.operator) == "Tj" else list(op.operands[0])
    font = state.font
    if font is None:
        apart = state.apart(state.reached())
        state.show(items)
        yield pikepdf.ContentStreamInstruction([pikepdf.Array(items)], pikepdf.Operator("TJ")), None, "glyphs", apart
        return
    current: list = []
    text: str | None = ""
    glyphs = 0
    apart = False

    def cut():
        if current:
            yield (pikepdf.ContentStreamInstruction([pikepdf.Array(current)], pikepdf.Operator("TJ")), text,
                   "glyphs" if glyphs else "move", apart)

    for item in items:
        if not isinstance(item, pikepdf.String):
            state.show([item])
            current.append(item)
            continue
        raw = bytes(item)
        start = 0
        for i in range(0, len(raw), font.width):
            code = raw[i:i + font.width]
            letters = font.text.get(code)
            if letters and all(ch in SPACES for ch in letters):
                if i > start:
                    current.append(pikepdf.String(raw[start:i]))
                yield from cut()
                current, text, glyphs = [], "", 0
                state.show([pikepdf.String(code)])
                yield (pikepdf.ContentStreamInstruction([pikepdf.Array([pikepdf.String(code)])],
                                                        pikepdf.Operator("TJ")), letters, "space", False)
                start = i + font.width
                continue
            gap = state.apart(state.reached())
            if gap and glyphs:
                if i > start:
                    current.append(pikepdf.String(raw[start:i]))
                    start = i
                yield from cut()
                current, text, glyphs = [], "", 0
            if not glyphs:
                apart = gap
            state.show([pikepdf.String(code)])
            glyphs += 1
            text = None if letters is None or text is None else text + letters
        if start < len(raw):
            current.append(pikepdf.String(raw[start:]))
    yield from cut()


def _font(resources, name, cache: dict) -> _Font | None:
    import pikepdf

    try:
        obj = resources[name]
    except (KeyError, TypeError):
        return None
    key = obj.objgen if obj.is_indirect else id(obj)
    if key not in cache:
        cache[key] = None
        to_unicode = obj.get("/ToUnicode")
        if isinstance(to_unicode, pikepdf.Stream) and obj.get("/Subtype") != "/Type0":
            try:
                font = _cmap(to_unicode.read_bytes())
                first = int(obj.get("/FirstChar", 0))
                font.widths = {first + i: float(w) for i, w in enumerate(obj.get("/Widths", []))}
                descriptor = obj.get("/FontDescriptor")
                font.missing = float(descriptor.get("/MissingWidth", 0)) if descriptor is not None else 0.0
                cache[key] = font
            except (ValueError, TypeError, pikepdf.PdfError):
                cache[key] = None
    return cache[key]


_HEX = r"<([0-9A-Fa-f\s]*)>"


def _cmap(data: bytes) -> _Font:
    text, width = data.decode("latin-1"), 1
    ranges = re.findall(r"begincodespacerange(.*?)endcodespacerange", text, re.S)
    if ranges:
        lows = re.findall(_HEX, ranges[0])
        if lows:
            width = len(re.sub(r"\s", "", lows[0])) // 2
    mapping: dict[bytes, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, dest in re.findall(_HEX + r"\s*" + _HEX, block):
            mapping[_bytes(code)] = _utf16(dest)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for low, high, dest in re.findall(_HEX + r"\s*" + _HEX + r"\s*(<[0-9A-Fa-f\s]*>|\[[^\]]*\])", block):
            lo, hi = int.from_bytes(_bytes(low), "big"), int.from_bytes(_bytes(high), "big")
            n = len(_bytes(low))
            if dest.startswith("["):
                for i, each in enumerate(re.findall(_HEX, dest)):
                    mapping[(lo + i).to_bytes(n, "big")] = _utf16(each)
            else:
                first = _bytes(dest[1:-1])
                for i in range(hi - lo + 1):
                    value = (int.from_bytes(first, "big") + i).to_bytes(len(first), "big")
                    mapping[(lo + i).to_bytes(n, "big")] = value.decode("utf-16-be", "replace")
    return _Font(width, mapping, {})


def _bytes(hexdigits: str) -> bytes:
    return bytes.fromhex(re.sub(r"\s", "", hexdigits))


def _utf16(hexdigits: str) -> str:
    return _bytes(hexdigits).decode("utf-16-be", "replace")
