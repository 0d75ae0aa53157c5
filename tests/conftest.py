import contextlib
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from hypothesis import settings

from generator.xlsx import examples
from generator.xlsx import filling
from generator.spec.paths import EXAMPLES_DIR, XLSX_DIR

ROOT = Path(__file__).resolve().parent.parent
CC_EXAMPLE_JSON = EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# CI runs the property tests on a fixed seed, so a run is repeatable; `make fuzz` searches afresh.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def state(tmp_path):
    return tmp_path / "state"


@pytest.fixture
def out(tmp_path):
    return tmp_path / "output"


@pytest.fixture
def cc_example(tmp_path):
    """Seed 000 as a filled workbook, written from its JSON source into the blank template by key."""
    return examples.write(CC_EXAMPLE_JSON, tmp_path / "cc-example.xlsx")


def fill_cc(tmp_path, letter, rows, name="filled.xlsx"):
    return filling.fill(XLSX_DIR / "cc.xlsx", tmp_path / name, letter, rows)


def docx_paragraphs(path) -> list[str]:
    """Every paragraph's text, body and table cells, in document order."""
    doc = Document(str(path))
    marks = {f"{W}br": "\n", f"{W}tab": "\t"}

    def text(p):
        return "".join((el.text or "") if el.tag == f"{W}t" else marks.get(el.tag, "") for el in p.iter())

    return [text(p) for p in doc.element.body.iter(f"{W}p")]


def docx_text(path) -> str:
    return "\n".join(docx_paragraphs(path))


def docx_xml(path, part="word/document.xml") -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")


def soffice() -> str | None:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found and os.environ.get("GEN_REQUIRE_LIBREOFFICE"):
        pytest.fail("LibreOffice is required here (GEN_REQUIRE_LIBREOFFICE is set) but soffice is not installed")
    return found


def to_pdf(docx: Path, outdir: Path) -> Path:
    exe = soffice()
    if not exe:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = outdir / "lo-profile"
    subprocess.run(
        [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(outdir), str(docx)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = outdir / (docx.stem + ".pdf")
    assert pdf.exists(), f"LibreOffice made no PDF of {docx}"
    return pdf


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


@pytest.fixture
def watcher(tmp_path):
    """Start `gen watch` on tmp_path/inbox (as its own process); stopped at the end of the test."""
    from tests.test_watch import Watch

    started = []

    def start(*extra):
        w = Watch(tmp_path, *extra)
        started.append(w)
        return w

    yield start
    for w in started:
        w.stop()

TEST_HOSTS = ("testserver",)  # the name Starlette's test client sends; the real server never answers it


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(tmp_path, *args: str):
    """A real `gen serve` on a free loopback port, with its out and state folders in tmp_path; its address
    once it answers. Stopped on leaving."""
    import socket
    import sys
    import time

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "serve", "--port", str(port), "--out",
                             str(tmp_path / "out"), "--state", str(tmp_path / "state"), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
