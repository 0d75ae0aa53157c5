"""LibreOffice and poppler for the tests that look at PDFs: required on CI, skipped elsewhere."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from generator.documents import office, pdf


def soffice() -> str | None:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found and os.environ.get("GEN_REQUIRE_LIBREOFFICE"):
        pytest.fail("LibreOffice is required here (GEN_REQUIRE_LIBREOFFICE is set) but soffice is not installed")
    return found


def to_pdf(docx: Path, outdir: Path, warm: pdf.Office | None = None) -> Path:
    """LibreOffice's own PDF of a Word file (no text layer of ours over it): through the session's warm
    LibreOffice when the test has it (the `office` fixture), else a cold one of its own."""
    if warm is not None:
        made = outdir / (docx.stem + ".pdf")
        made.write_bytes(pdf._converted(docx.read_bytes(), warm.handle, 120.0, docx.name, 180.0))
        return made
    exe = soffice()
    if not exe:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = outdir / "lo-profile"
    subprocess.run(
        [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(outdir), str(docx)],
        check=True, capture_output=True, timeout=180,
    )
    made = outdir / (docx.stem + ".pdf")
    assert made.exists(), f"LibreOffice made no PDF of {docx}"
    return made


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], check=True, capture_output=True, text=True).stdout
    sizes = []
    for line in info.splitlines():
        if line.startswith("Page") and "size:" in line:
            parts = line.split("size:")[1].split()
            sizes.append((float(parts[0]), float(parts[2])))
    return sizes


def need_libreoffice(warm: bool = False) -> None:
    """Skip without LibreOffice (or, for `warm`, without Debian's Python with uno), unless CI requires it."""
    missing = None
    if not pdf.available():
        missing = "LibreOffice (soffice) is not installed"
    elif warm and office.unoserver_path() is None:
        missing = f"{office.UNO_PYTHON} with python3-uno (the warm LibreOffice) is not installed"
    if missing and os.environ.get("GEN_REQUIRE_LIBREOFFICE"):
        pytest.fail(f"{missing}, but GEN_REQUIRE_LIBREOFFICE is set")
    if missing:
        pytest.skip(missing)


def noisy_jpeg(path: Path, size: tuple[int, int], quality: int = 100, exif: bytes | None = None) -> Path:
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    image.save(path, "JPEG", quality=quality, **({"exif": exif} if exif else {}))
    return path


def pdfinfo(data: bytes, tmp: Path) -> str:
    (tmp / "check.pdf").write_bytes(data)
    return subprocess.run(["pdfinfo", str(tmp / "check.pdf")], check=True, capture_output=True, text=True).stdout


def pages_of(data: bytes, tmp: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", pdfinfo(data, tmp), re.M).group(1))
