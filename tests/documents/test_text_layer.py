"""Issue 23, the PDF's text layer: the share of the document's words (NFC, split where a line may break) that
`pdftotext` gives back whole, for every document kind, in pdftotext's default (reading-order) mode and in its
raw (content-stream) mode. LibreOffice 7.4 draws some Bangla clusters (a reph, a vowel sign below) at positions
out of their letters' order or with a gap, and pdftotext then cuts the word ('কর্মকর্ত া', 'চু ক্তির'): the figures
below are what this LibreOffice and Noto Sans Bengali give, measured; the issue's 99 % in the default mode is
not reached for every kind yet (test_the_target_of_99_percent, expected to fail)."""

import datetime as dt
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest

from generator.documents.make import PdfSettings
from generator.service import pipeline
from generator.spec.paths import EXAMPLES_DIR
from generator.xlsx import examples

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES_DIR.glob("*.json"))
# measured on 2026-12-06 (LibreOffice 7.4.7, Noto Sans Bengali, poppler 22.12): the floor a change must not
# fall below, per document, (default mode, raw mode)
FLOORS = {"letter": (98.0, 96.0), "annex": (97.0, 97.0), "22": (96.5, 96.5)}
TARGET = 99.0


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text.replace("\u200b", " ")).replace("/", "/ ")
    return text.split()


def docx_words(path: Path) -> list[str]:
    from lxml import etree

    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    out = []
    for p in root.iter(f"{W}p"):
        text = "".join((n.text or "") if n.tag == f"{W}t" else (" " if n.tag in (f"{W}tab", f"{W}br") else "")
                       for n in p.iter())
        out += words(text)
    return out


def share(docx: Path, pdf: Path, *mode: str) -> float:
    expected = docx_words(docx)
    got = set(words(subprocess.run(["pdftotext", *mode, str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout))
    return 100 * sum(w in got for w in expected) / len(expected)


@pytest.fixture(scope="module")
def shares(tmp_path_factory, office):
    tmp, out = tmp_path_factory.mktemp("text-layer"), {}
    for name in EXAMPLE_NAMES:
        source = examples.write(EXAMPLES_DIR / f"{name}.json", tmp / f"{name}.xlsx")
        result = pipeline.build(source, out_root=tmp / name, state_dir=tmp / "state", default_date=dt.date(2023, 10, 10),
                                pdf=PdfSettings(office=office.handle))
        assert result.ok, result.issues
        for pdf in (Path(p) for p in result.outputs if p.endswith(".pdf")):
            document = pdf.stem.rsplit("-", 1)[-1]
            out[(name, document)] = (share(pdf.with_suffix(".docx"), pdf), share(pdf.with_suffix(".docx"), pdf, "-raw"))
    for key, (default, raw) in sorted(out.items()):
        print(f"text layer {key[0]} {key[1]}: {default:.1f} % (default), {raw:.1f} % (raw)")
    return out


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_text_layer_gives_back_the_documents_words(shares, name):
    for (example, document), (default, raw) in shares.items():
        if example == name:
            low_default, low_raw = FLOORS[document]
            assert default >= low_default and raw >= low_raw, (document, default, raw)


@pytest.mark.xfail(reason="LibreOffice 7.4's glyph positions for some Bangla clusters: issue 23, not reached yet",
                   strict=False)
def test_the_target_of_99_percent(shares):
    assert all(default >= TARGET for default, _ in shares.values()), shares
