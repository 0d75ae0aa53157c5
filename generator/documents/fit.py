"""How wide a line of text prints, so that a line that must not wrap (the memo number) is given a size it fits
at. Measured with the Bangla font LibreOffice draws our PDFs with (Nikosh when installed, else Noto Sans
Bengali), shaped by Pillow's raqm layout; where neither font is found, a generous estimate per character."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from functools import cache, lru_cache
from pathlib import Path

from PIL import ImageFont

CM_PER_PT = 2.54 / 72
FONTS = ("Nikosh", "Noto Sans Bengali")
SAFETY = 1.06  # Word's and LibreOffice's spacing differ a little from Pillow's
ESTIMATE_EM = 0.62  # a character's width in ems when no font is found (wider than Nikosh and Noto)
MEMO_SIZES = (14.0, 13.0, 12.0, 11.0, 10.5, 10.0)  # the seeds' letters are 14 pt; their smallest print 10


LATIN_FONT = "Noto Sans"  # what LibreOffice draws Latin text (web and e-mail addresses, names) with
_BANGLA_RUN = re.compile(r"([\u0980-\u09ff\u200c\u200d]+(?:[\s\u0964\u0965]+[\u0980-\u09ff\u200c\u200d]+)*)")


@cache
def _font_file(families: tuple[str, ...] = FONTS) -> str | None:
    for family in families:
        try:
            found = subprocess.run(["fc-match", "-f", "%{family}\n%{file}", family], capture_output=True,
                                   text=True, timeout=10).stdout.splitlines()
        except (OSError, subprocess.SubprocessError):
            return None
        if len(found) == 2 and family.lower() in found[0].lower():
            return found[1]
    return None


@cache
def _font(size: float, latin: bool = False):
    path = _font_file((LATIN_FONT,)) if latin else _font_file()
    if path is None:
        return None
    try:
        return ImageFont.truetype(path, size=round(size * 10), layout_engine=ImageFont.Layout.RAQM)
    except OSError:
        return None


def width_cm(text: str, size: float) -> float:
    """The printed width of `text` at `size` points, in cm, with a margin for the editors' differences; of its
    longest line when it has several (raqm lays out one line: a line break fails it)."""
    lines = text.splitlines()
    if len(lines) > 1 or (lines and lines[0] != text):
        return max((width_cm(line, size) for line in lines), default=0.0)
    points = 0.0
    for i, run in enumerate(_BANGLA_RUN.split(text)):  # Bangla runs in the Bangla font, the rest in the Latin
        if run:
            points += _run_points(run, size, i % 2 == 0)
    return points * CM_PER_PT * SAFETY


@lru_cache(maxsize=16384)  # an office's names, addresses and memo come back in every letter: shaped once
def _run_points(run: str, size: float, latin: bool) -> float:
    font = _font(size, latin=latin)
    return len(run) * size * ESTIMATE_EM if font is None else font.getlength(run) / 10


def fitting_size(text: str, room_cm: float, sizes: tuple[float, ...] = MEMO_SIZES) -> float:
    """The largest of `sizes` at which `text` fits in `room_cm`; the smallest when none does."""
    return next((size for size in sizes if width_cm(text, size) <= room_cm), sizes[-1])


# A last page that holds a few lines --------------------------------------------------------------------------

LAST_PAGE_MIN = 0.25  # a last page less filled than this is fitted back onto the pages before it
MARGIN_PT = 1.5 * 72 / 2.54  # the letter's top and bottom margin (the annex's is 1.27 cm: near enough)
SMALLEST_HALF_POINTS = {"letter": 24, "minutes": 22, "annex": 15}  # 12, 11 and 7.5 pt: the seeds' smallest
TIGHTER_STEPS = (1, 2, 3)
_SPACING = re.compile(r"<w:spacing\b[^>]*/>")
_SIZE = re.compile(r'(<w:(?:sz|szCs) w:val=")(\d+)(")')


def page_fills(pdf: bytes, timeout: float = 20.0) -> list[float] | None:
    """How far down each page its text reaches, as a share of the room between the margins (a page number
    in the footer left out); None when pdftotext is missing or fails."""
    exe = shutil.which("pdftotext")
    if exe is None:
        return None
    with tempfile.TemporaryDirectory(prefix="gen-fill-") as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        try:
            out = subprocess.run([exe, "-bbox", str(path), "-"], capture_output=True, text=True, timeout=timeout,
                                 check=True).stdout
        except (OSError, subprocess.SubprocessError):
            return None
    fills = []
    for page in out.split("<page ")[1:]:
        height = float(re.search(r'height="([\d.]+)"', page).group(1))  # type: ignore[union-attr]
        bottoms = [float(y) for y in re.findall(r'yMax="([\d.]+)"', page) if float(y) < height - MARGIN_PT]
        fills.append(max(0.0, (max(bottoms, default=MARGIN_PT) - MARGIN_PT) / (height - 2 * MARGIN_PT)))
    return fills


WORTH_TRYING = 0.6  # a last page less filled than this may come back onto the pages before: it is tried


def needs_fitting(pdf: bytes) -> bool:
    """More than one page, and the last less than 60 % filled: under a quarter it must be fitted (LAST_PAGE_MIN),
    under 60 % it is worth a try (an annex whose last row and signatures ran onto a page of their own)."""
    fills = page_fills(pdf)
    return fills is not None and len(fills) > 1 and fills[-1] < WORTH_TRYING


def tightened(docx: bytes, step: int, kind: str = "letter") -> bytes:
    """The document a little tighter, to pull a nearly empty last page back: step 1 halves the space before and
    after paragraphs and brings line spacing to single; each further step takes 1 pt off every font size, never
    below the seeds' smallest for the document (`SMALLEST_HALF_POINTS`). Only the body and the styles change."""
    smallest = SMALLEST_HALF_POINTS.get(kind, 20)

    def spacing(m: re.Match) -> str:
        tag = m.group(0)
        tag = re.sub(r'(w:before|w:after)="(\d+)"', lambda a: f'{a.group(1)}="{int(a.group(2)) // 2}"', tag)
        if 'w:lineRule="exact"' not in tag and 'w:lineRule="atLeast"' not in tag:
            tag = re.sub(r'w:line="(\d+)"', lambda a: f'w:line="{min(int(a.group(1)), 240)}"', tag)
        return tag

    def size(m: re.Match) -> str:
        value = int(m.group(2))
        return f"{m.group(1)}{max(min(value, smallest), value - 2 * (step - 1))}{m.group(3)}"

    source, out = zipfile.ZipFile(io.BytesIO(docx)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename in ("word/document.xml", "word/styles.xml"):
                xml = _SPACING.sub(spacing, data.decode("utf-8"))
                if step > 1:
                    xml = _SIZE.sub(size, xml)
                data = xml.encode("utf-8")
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
