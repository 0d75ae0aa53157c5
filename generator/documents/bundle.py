"""The e-Nothi bundle: one PDF of the letter, the annex, then the evidence (প্রমাণক) files an office gives —
PDFs as they are, each JPEG or PNG on an A4 page of its own — under e-Nothi's 25 MiB limit. Images are
scaled down and recompressed until the whole fits; what cannot fit, or cannot be read, is refused with a
message naming the file. Every evidence file is treated as hostile: it must be a regular file (no
symlink), its size and its pixel count are checked before it is decoded.
"""

from __future__ import annotations

import io
import re
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.documents import sanitize, stamps
from generator.findings import ERROR, Finding, GenError
from generator.spec.codes import EVIDENCE
from generator.text.bangla import to_bangla_digits

LIMIT = 25 * 1024 * 1024  # e-Nothi's limit for one attachment
MAX_FILE = 100 * 1024 * 1024  # one evidence file, checked before it is read
MAX_FILES = 200
MAX_PDF_PAGES = 500  # one evidence PDF
MAX_PIXELS = {"JPEG": 64_000_000, "PNG": 40_000_000}  # decoded size at most ~200 MB (a progressive JPEG)
IMAGE_SUFFIXES = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}
SUFFIXES = {".pdf": "PDF", **IMAGE_SUFFIXES}
A4 = (595.28, 841.89)  # points
MARGIN = 28.35  # 1 cm
# (dots per inch on the page, JPEG quality), tried in turn until the bundle fits
STEPS = [(200, 85), (150, 80), (120, 72), (96, 65), (72, 55)]




class BundleError(GenError):
    """An evidence file that cannot go into the bundle, or a bundle that cannot fit: nothing is written.
    `code` is the bundle's own (wrong-type); a build reports it as EVIDENCE + code."""

    def __init__(self, code: str, path: Path | str | None, bn: str, en: str):
        super().__init__(code, bn, en)
        self.path = path

    @property
    def finding(self) -> Finding:
        return Finding(ERROR, EVIDENCE + self.code, self.bn, self.en)


class StampsFailed(Exception):
    """The stamps' PDF does not match the bundle page for page."""


@dataclass
class Evidence:
    files: list[Path] = field(default_factory=list)  # PDF, JPEG and PNG files, in name order
    ignored: list[Path] = field(default_factory=list)  # everything else in the folder


@dataclass
class Bundle:
    data: bytes
    pages: int
    parts: list[tuple[str, int]]  # each part's name and page count, in order


def evidence_files(folder: Path) -> Evidence:
    """Every PDF, JPEG and PNG in `folder` (not below it), in name order; other entries are listed as ignored.
    Symlinks and other non-files with those names are listed too, and refused by `build` with a message."""
    entries = sorted(Path(folder).iterdir(), key=lambda p: (p.name.casefold(), p.name))
    found = Evidence()
    for path in entries:
        wanted = path.suffix.lower() in SUFFIXES and not path.name.startswith((".", "~$"))
        (found.files if wanted else found.ignored).append(path)
    return found


def build(documents: Sequence[tuple[str, bytes]], evidence: Sequence[Path], *, limit: int = LIMIT,
          convert: Callable[[bytes], bytes] | None = None) -> Bundle:
    """One PDF: `documents` (name, PDF bytes: the letter, the annex) then `evidence`, under `limit` bytes.
    With `convert` (a .docx to PDF, LibreOffice: pdf.convert) every page is stamped (stamps.py): its running
    number, and on an evidence page which evidence it is and its page within it."""
    from pypdf import PdfReader

    if len(evidence) > MAX_FILES:
        raise _error("too-many-files", None, count=len(evidence))
    parts: list[tuple[str, object]] = [(name, PdfReader(io.BytesIO(data))) for name, data in documents]
    fixed_bytes = sum(len(data) for _, data in documents)  # what cannot be made smaller: the PDFs
    images: list[tuple[Path, bytes]] = []
    for at, path in enumerate(evidence):
        kind, data = _read(path)
        if kind == "PDF":
            fixed_bytes += len(data)
            if fixed_bytes > limit:  # told whole: every PDF's size, and the largest by name
                pdfs = [(len(data), path)] + _sizes(p for p in evidence[at + 1:] if p.suffix.lower() == ".pdf")
                raise _error("pdfs-too-large", max(pdfs)[1], size=fixed_bytes + sum(s for s, _ in pdfs[1:]),
                             limit=limit)
            parts.append((path.name, _pdf(path, _safe(path, data))))
        else:
            images.append((path, _first_image(path, data, kind)))
            parts.append((path.name, path))
    overlay = None
    if convert is not None:
        overlay = convert(stamps.stamps_docx(_stamps(parts, len(documents))))
        fixed_bytes += len(overlay)  # what the stamps add: about the size of their own PDF (0.7 kB a page)
    for step, (dpi, quality) in enumerate(STEPS):
        pages = {path: _page(data, dpi, quality if step else None) for path, data in images}
        if fixed_bytes + sum(len(p) for p in pages.values()) > limit:
            continue
        data, counts = _assemble(parts, pages, overlay)
        if len(data) <= limit:
            return Bundle(data, sum(n for _, n in counts), counts)
    if not images:
        raise _error("pdfs-too-large", None, size=fixed_bytes, limit=limit)
    raise _error("cannot-fit", max(images, key=lambda item: len(item[1]))[0], limit=limit)


def _sizes(paths) -> list[tuple[int, Path]]:
    """(size, path) of each file as it stands (one that cannot be looked at counts nothing)."""
    out = []
    for path in paths:
        try:
            out.append((os.lstat(path).st_size, path))
        except OSError:
            pass
    return out


def _read(path: Path) -> tuple[str, bytes]:
    """The file's type (by its first bytes, which must match its name) and its bytes, read without following
    a symlink and only after its size was checked."""
    want = SUFFIXES.get(path.suffix.lower())
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            raise _error("symlink", path)
        if not stat.S_ISREG(info.st_mode):
            raise _error("not-a-file", path)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as e:
        raise _error("unreadable", path, why=e.strerror or str(e)) from None
    with os.fdopen(fd, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            raise _error("empty", path)
        if size > MAX_FILE:
            raise _error("file-too-large", path, size=size)
        data = f.read(size + 1)  # a file growing while read is caught below; never a 100 MB buffer up front
    if len(data) == 0:
        raise _error("empty", path)
    if len(data) > MAX_FILE:
        raise _error("file-too-large", path, size=len(data))
    found = ("PDF" if b"%PDF-" in data[:1024] else "JPEG" if data.startswith(b"\xff\xd8\xff")
             else "PNG" if data.startswith(b"\x89PNG\r\n\x1a\n") else None)
    if found is None or found != want:
        raise _error("wrong-type", path, found=found, want=want)
    return found, data


def _safe(path: Path, data: bytes) -> bytes:
    """The evidence PDF without JavaScript, actions, embedded files or form scripts (documents/sanitize.py)."""
    try:
        return sanitize.clean(data)[0]
    except sanitize.Unsafe as e:
        raise _error({"bomb": "pdf-bomb", "encrypted": "encrypted-pdf"}.get(e.why, "broken-pdf"), path) from None
    except MemoryError:
        raise _error("pdf-bomb", path) from None


def _pdf(path: Path, data: bytes):
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _error("encrypted-pdf", path)
        count = len(reader.pages)
        for page in reader.pages:
            page.mediabox  # noqa: B018 - a page whose box cannot be read is a broken file, found here
    except BundleError:
        raise
    except MemoryError:
        raise _error("broken-pdf", path) from None
    except Exception:  # pypdf raises many kinds of error for a damaged file
        raise _error("broken-pdf", path) from None
    if count == 0:
        raise _error("broken-pdf", path)
    if count > MAX_PDF_PAGES:
        raise _error("too-many-pages", path, count=count)
    return reader


def _first_image(path: Path, data: bytes, kind: str) -> bytes:
    """The image upright (EXIF orientation applied), on white, at most the first step's size, as JPEG."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS[kind]:
                raise _error("too-many-pixels", path, width=width, height=height, kind=kind)
            box = _box(STEPS[0][0])
            if image.getexif().get(0x0112, 1) in (5, 6, 7, 8):
                box = (box[1], box[0])
            if kind == "JPEG":
                image.draft("RGB", box)  # decodes at 1/2, 1/4 or 1/8 size where that is still large enough
            image.load()
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail(_box(STEPS[0][0]), Image.Resampling.LANCZOS)
            flat = _flatten(upright)
            out = io.BytesIO()
            flat.save(out, "JPEG", quality=STEPS[0][1], optimize=True)
            return out.getvalue()
    except BundleError:
        raise
    except Image.DecompressionBombError as e:  # Pillow refuses it before it says its size: the count it names
        counted = re.search(r"\((\d+) pixels\)", str(e))
        raise _error("too-many-pixels", path, width=0, height=0, kind=kind,
                     pixel_count=int(counted.group(1)) if counted else 0) from None
    except MemoryError:
        raise _error("too-many-pixels", path, width=0, height=0, kind=kind) from None
    except Exception:  # truncated or corrupt: OSError, SyntaxError, ValueError, struct.error… from the decoders
        raise _error("broken-image", path) from None


def _flatten(image):
    from PIL import Image

    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, "white")
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")


def _box(dpi: int) -> tuple[int, int]:
    """The largest image, in pixels, that the page's printable area shows at `dpi`."""
    return (round((A4[0] - 2 * MARGIN) / 72 * dpi), round((A4[1] - 2 * MARGIN) / 72 * dpi))


def _page(jpeg: bytes, dpi: int, quality: int | None) -> bytes:
    """A one-page A4 PDF showing the image as large as fits, centred; `quality` None keeps the JPEG as it is."""
    from PIL import Image

    with Image.open(io.BytesIO(jpeg), formats=["JPEG"]) as image:
        if quality is not None:
            image.thumbnail(_box(dpi), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, "JPEG", quality=quality, optimize=True)
            jpeg = out.getvalue()
        width, height, gray = image.width, image.height, image.mode == "L"
    scale = min((A4[0] - 2 * MARGIN) / width, (A4[1] - 2 * MARGIN) / height)
    w, h = width * scale, height * scale
    x, y = (A4[0] - w) / 2, (A4[1] - h) / 2
    content = f"q {w:.2f} 0 0 {h:.2f} {x:.2f} {y:.2f} cm /Im0 Do Q".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {A4[0]} {A4[1]}] /Resources << /XObject << /Im0 4 0 R >> >> "
         "/Contents 5 0 R >>").encode(),
        (f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace "
         f"/{'DeviceGray' if gray else 'DeviceRGB'} /BitsPerComponent 8 /Filter /DCTDecode /Length {len(jpeg)} >>\n"
         "stream\n").encode() + jpeg + b"\nendstream",
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    out.write(b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets))
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _upright_box(page) -> tuple[float, float, float, float]:
    """The page's visible box (left, bottom, width, height) in points, as it is shown (its /Rotate applied)."""
    box = page.cropbox
    left, bottom, width, height = float(box.left), float(box.bottom), float(box.width), float(box.height)
    if (page.get("/Rotate") or 0) % 180:
        width, height = height, width
    return left, bottom, width, height


def _stamps(parts, documents: int) -> list[stamps.Stamp]:
    """Every page's stamp, in bundle order: its running number, and on an evidence page its label."""
    sizes: list[tuple[float, float, int, str, int, int]] = []  # width, height, evidence number, name, page, pages
    for k, (name, part) in enumerate(parts):
        if isinstance(part, Path):
            boxes = [(A4[0], A4[1])]
        else:
            try:
                boxes = [_upright_box(page)[2:] for page in part.pages]
            except Exception:
                raise _error("broken-pdf", None if k < documents else Path(name)) from None
        number = k - documents + 1 if k >= documents else 0
        for i, (width, height) in enumerate(boxes, 1):
            sizes.append((width, height, number, name, i, len(boxes)))
    total = len(sizes)
    return [stamps.Stamp(width, height, stamps.page_number(n, total),
                         stamps.evidence_label(number, name, i, count) if number else "")
            for n, (width, height, number, name, i, count) in enumerate(sizes, 1)]


def _stamped(page, overlay_page) -> None:
    """`overlay_page` (a stamp page as large as `page` shows, or scaled by Stamp.scale) laid over `page`."""
    from pypdf import Transformation

    if (page.get("/Rotate") or 0) % 360:
        page.transfer_rotation_to_content()
    left, bottom, width, _ = _upright_box(page)
    scale = width / float(overlay_page.mediabox.width)
    page.merge_transformed_page(overlay_page, Transformation().scale(scale, scale).translate(left, bottom))
    page.compress_content_streams()  # pypdf writes a merged page's content uncompressed


def _assemble(parts, pages: dict[Path, bytes], overlay: bytes | None = None) -> tuple[bytes, list[tuple[str, int]]]:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    counts, owners = [], []
    for name, part in parts:
        reader = PdfReader(io.BytesIO(pages[part])) if isinstance(part, Path) else part
        owner = part if isinstance(part, Path) else Path(name)
        try:
            for page in reader.pages:
                writer.add_page(page)
                owners.append(owner)
        except Exception:
            raise _error("broken-pdf", owner) from None
        counts.append((name, len(reader.pages)))
    if overlay is not None:
        over = PdfReader(io.BytesIO(overlay)).pages
        if len(over) != len(writer.pages):  # LibreOffice made other pages than asked: no stamps rather than wrong ones
            raise StampsFailed(f"{len(over)} stamp pages for {len(writer.pages)} pages")
        for page, stamp, owner in zip(writer.pages, over, owners):
            try:
                _stamped(page, stamp)
            except Exception:
                raise _error("broken-pdf", owner) from None
    out = io.BytesIO()
    try:
        writer.write(out)
    except Exception:
        raise _error("broken-pdf", None) from None
    return out.getvalue(), counts


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


def _error(code: str, path: Path | None, **facts) -> BundleError:
    name = path.name if isinstance(path, Path) else "?"
    b = to_bangla_digits
    size = _mb(facts.get("size", 0))
    limit = _mb(facts.get("limit", LIMIT))
    found = {"PDF": "PDF", "JPEG": "JPEG ছবি", "PNG": "PNG ছবি", None: "অজানা ধরনের"}.get(facts.get("found"), "")
    found_en = {"PDF": "a PDF", "JPEG": "a JPEG image", "PNG": "a PNG image", None: "of an unknown type"}.get(
        facts.get("found"), "")
    want = facts.get("want") or ""
    width, height = facts.get("width", 0), facts.get("height", 0)
    pixels = f"{width}×{height}" if width else ""
    pixels_bn, pixels_en = (f" ({b(pixels)} পিক্সেল)", f" ({pixels} pixels)") if pixels else ("", "")
    if not width and facts.get("pixel_count"):  # only the count is known (Pillow refused it unopened)
        mega = str(round(facts["pixel_count"] / 1e6))
        pixels_bn, pixels_en = f" ({b(mega)} মেগাপিক্সেল)", f" ({mega} megapixels)"
    bn, en = {
        "too-many-files": (
            f"প্রমাণক ফাইল {b(str(facts.get('count')))}টি; একবারে {b(str(MAX_FILES))}টির বেশি নেওয়া যায় না।",
            f"{facts.get('count')} evidence files; at most {MAX_FILES} can be bundled at once."),
        "symlink": (
            f"{name} একটি শর্টকাট (symlink), আসল ফাইল নয়; আসল ফাইলটি ফোল্ডারে রাখুন।",
            f"{name} is a shortcut (symlink), not a file; put the file itself in the folder."),
        "not-a-file": (
            f"{name} কোনো সাধারণ ফাইল নয় (ফোল্ডার বা বিশেষ ফাইল); সরিয়ে ফেলুন।",
            f"{name} is not an ordinary file (a folder or a special file); remove it."),
        "unreadable": (
            f"{name} পড়া যায়নি ({facts.get('why')})।",
            f"{name} could not be read ({facts.get('why')})."),
        "empty": (
            f"{name} ফাইলটি খালি (০ বাইট); ফাইলটি আবার কপি বা স্ক্যান করুন।",
            f"{name} is empty (0 bytes); copy or scan it again."),
        "file-too-large": (
            f"{name} {b(size)} MB, একটি প্রমাণক ফাইলের সীমা {b(_mb(MAX_FILE))} MB; ছোট করে বা ভাগ করে দিন।",
            f"{name} is {size} MB; one evidence file may be at most {_mb(MAX_FILE)} MB. Make it smaller or split it."),
        "wrong-type": (
            f"{name} নামে {want} হলেও ভেতরে {found} ফাইল; সঠিক ফাইল বা সঠিক নাম দিন।",
            f"{name} is named as {want} but it is {found_en}; give the right file or the right name."),
        "encrypted-pdf": (
            f"{name} পাসওয়ার্ড দিয়ে সুরক্ষিত PDF; পাসওয়ার্ড ছাড়া আবার সংরক্ষণ (বা প্রিন্ট করে PDF) করে দিন।",
            f"{name} is a password-protected PDF; save it again without a password (or print it to PDF)."),
        "broken-pdf": (
            f"{name} PDF ফাইলটি নষ্ট, পড়া যায় না; মূল ফাইল থেকে আবার PDF তৈরি করে দিন।",
            f"{name} is a damaged PDF that cannot be read; make the PDF again from the original."),
        "pdf-bomb": (
            f"{name} PDF-এর ভেতরের কোনো অংশ খুললে অস্বাভাবিক বড় হয়ে যায় (সীমা {b(_mb(sanitize.MAX_STREAM))} MB), তাই "
            "নেওয়া হয়নি; মূল কাগজ আবার স্ক্যান করে বা মূল ফাইল থেকে আবার PDF তৈরি করে দিন।",
            f"{name} holds content that inflates far beyond its size (over {_mb(sanitize.MAX_STREAM)} MB), so it was "
            "not taken; scan the paper again or make the PDF again from the original."),
        "too-many-pages": (
            f"{name}-এ {b(str(facts.get('count')))} পাতা; একটি প্রমাণকে {b(str(MAX_PDF_PAGES))} পাতার বেশি নেওয়া যায় না।",
            f"{name} has {facts.get('count')} pages; one evidence file may have at most {MAX_PDF_PAGES}."),
        "too-many-pixels": (
            f"{name} ছবিটি অস্বাভাবিক বড়{pixels_bn}; ছোট করে (যেমন ৪০০০ পিক্সেল চওড়া) আবার দিন।",
            f"{name} is an unusually large image{pixels_en}; resize it (e.g. to 4000 pixels wide) and "
            "give it again."),
        "broken-image": (
            f"{name} ছবিটি নষ্ট বা অসম্পূর্ণ, খোলা যায় না; ছবিটি আবার কপি বা স্ক্যান করুন।",
            f"{name} is a damaged or incomplete image that cannot be opened; copy or scan it again."),
        "pdfs-too-large": (
            f"চিঠি, সংযুক্তি ও প্রমাণক PDF মিলে {b(size)} MB, e-Nothi-র সীমা {b(limit)} MB"
            + (f" (সবচেয়ে বড় PDF: {name})" if path else "") + "; PDF প্রমাণকগুলো ছোট করুন বা কয়েকটি আলাদা করে পাঠান।",
            f"The letter, the annex and the evidence PDFs come to {size} MB; e-Nothi takes at most {limit} MB"
            + (f" (largest PDF: {name})" if path else "") + ". Make the evidence PDFs smaller or send some of them "
            "separately."),
        "cannot-fit": (
            f"ছবিগুলো সবচেয়ে ছোট করেও বান্ডেল {b(limit)} MB-এর মধ্যে আসে না (সবচেয়ে বড় ছবি: {name}); কিছু প্রমাণক "
            "আলাদা করে পাঠান।",
            f"Even with every image at its smallest the bundle does not fit in {limit} MB (largest image: {name}); "
            "send some evidence separately."),
    }[code]
    return BundleError(code, path, bn, en)
