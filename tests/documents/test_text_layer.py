"""Issue 23, the PDF's text layer: the share of the document's words (NFC, split where a line may break) that
`pdftotext` gives back whole, for every PDF the service makes — each example's letter, annex or minutes, its
e-Nothi bundle, and the receiving office's summary through the same converter — in pdftotext's default
(reading-order) mode, which is what copying and indexing see, and in its raw (content-stream) mode.

LibreOffice 7.4 alone gives 96.9-100 % (default): it draws some Bangla clusters (a reph, a vowel sign below) back
over their consonant, and pdftotext then cuts the word ('কর্মকর্ত া', 'চু ক্তির'). pdf.convert makes every word one
ActualText span (documents/textlayer.py, docs/pdf.md); the words still missed are pdftotext joining a word that
ends a line with a hyphen to the next word it reads (`কর্মকর্তা-` + `কর্মচারীদের`, the hyphen dropped)."""

import datetime as dt
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from generator import api
from generator.documents import pdf, textlayer
from generator.documents.make import PdfSettings
from generator.service import batch, pipeline
from generator.spec.paths import EXAMPLES_DIR
from generator.xlsx import examples

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES_DIR.glob("*.json"))
TARGET = 99.0  # the issue's share of words, in the default mode
# raw mode, measured on 2026-12-06 (LibreOffice 7.4.7, Noto Sans Bengali, poppler 22.12): a floor a change must
# not fall below (a web address whose dots LibreOffice draws before its letters reads out of order there)
RAW_FLOORS = {"letter": 97.0, "annex": 98.5, "minutes": 99.5, "bundle": 98.0, "summary": 98.5}


def words(text: str) -> list[str]:
    # a phone number's no-break hyphen (U+2011) is a hyphen to a reader: the PDF gives it back as '-'
    text = unicodedata.normalize("NFC", text.replace("\u200b", " ").replace("\u2011", "-")).replace("/", "/ ")
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


def extracted(pdf_file: Path, *mode: str) -> str:
    return subprocess.run(["pdftotext", *mode, str(pdf_file), "-"], capture_output=True, text=True,
                          check=True).stdout


def share(expected: list[str], pdf_file: Path, *mode: str) -> float:
    got = set(words(extracted(pdf_file, *mode)))
    return 100 * sum(w in got for w in expected) / len(expected)


def document_of(pdf_file: Path) -> str:
    for document in ("letter", "annex", "bundle"):
        if pdf_file.stem.endswith(f"-{document}"):
            return document
    return "minutes"


@pytest.fixture(scope="module")
def built(tmp_path_factory, office):
    """Every example built with its PDFs and bundle: {(example, document): (pdf, the words it should give)}."""
    tmp, out = tmp_path_factory.mktemp("text-layer"), {}
    for name in EXAMPLE_NAMES:
        source = examples.write(EXAMPLES_DIR / f"{name}.json", tmp / f"{name}.xlsx")
        result = pipeline.build(source, out_root=tmp / name, state_dir=tmp / "state", default_date=dt.date(2023, 10, 10),
                                pdf=PdfSettings(office=office.handle, bundle=True))
        assert result.ok, result.issues
        pdfs = sorted(Path(p) for p in result.outputs if p.endswith(".pdf"))
        parts = [p for p in pdfs if document_of(p) != "bundle"]
        assert len(pdfs) == len(parts) + 1, pdfs
        for p in pdfs:
            expected = (sum((docx_words(x.with_suffix(".docx")) for x in parts), []) if document_of(p) == "bundle"
                        else docx_words(p.with_suffix(".docx")))
            out[(name, document_of(p))] = (p, expected)
    out[("cc-summary", "summary")] = _summary(tmp / "summary", office)
    return out


def _summary(folder: Path, office) -> tuple[Path, list[str]]:
    """The receiving office's summary (Word) of a built report, converted as the service converts a document."""
    source = examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", folder / "cc.xlsx")
    [result] = batch.build_all([source], out_root=folder / "out", state_dir=folder / "state", jobs=1)
    assert result.status == "built", result.issues
    docx = folder / "summary.docx"
    api.summarize("2023-24", "q1", state=folder / "state", out=folder / "out", outputs=(docx,),
                  date=dt.date(2023, 10, 20))
    made = folder / "summary.pdf"
    made.write_bytes(pdf.convert(docx.read_bytes(), office_handle=office.handle, name="summary.docx"))
    return made, docx_words(docx)


@pytest.fixture(scope="module")
def shares(built):
    out = {key: (share(expected, p), share(expected, p, "-raw")) for key, (p, expected) in built.items()}
    for key, (default, raw) in sorted(out.items()):
        print(f"text layer {key[0]} {key[1]}: {default:.2f} % (default), {raw:.2f} % (raw)")
    return out


@pytest.mark.parametrize("name", [*EXAMPLE_NAMES, "cc-summary"])
def test_every_pdf_gives_back_99_percent_of_its_words(shares, name):
    mine = {document: figures for (example, document), figures in shares.items() if example == name}
    assert mine
    for document, (default, raw) in mine.items():
        assert default >= TARGET and raw >= RAW_FLOORS[document], (document, default, raw)


def test_the_words_the_issue_names_come_back_whole(built):
    letter, _ = built[("cc-chattogram-2023-24-q1", "letter")]
    minutes, _ = built[("minutes-rangpur-2023-06-22", "minutes")]
    text, minutes_text = extracted(letter), extracted(minutes)
    assert "প্রধান নির্বাহী কর্মকর্তা (ভারপ্রাপ্ত)" in text and "কর্মকর্ত া" not in text
    assert "কর্মসম্পাদন চুক্তির" in minutes_text and "চু ক্তির" not in minutes_text
    assert "www.ccc.gov.bd" in text and "ceo@ccc.gov.bd" in text  # drawn out of order: left to pdftotext's sorting


def test_the_text_layer_changes_nothing_on_the_page(built, office, tmp_path):
    """LibreOffice's own PDF and the one with whole words draw every page pixel for pixel alike."""
    for key in (("nis-khulna-2021-22-q4", "letter"), ("nis-khulna-2021-22-q4", "annex")):
        made, _ = built[key]
        docx = made.with_suffix(".docx").read_bytes()
        plain = pdf._converted(docx, office.handle, 60.0, "document.docx", 180.0)
        assert plain != made.read_bytes()  # the service's PDF is not LibreOffice's own
        (tmp_path / f"{key[1]}-plain.pdf").write_bytes(plain)
        (tmp_path / f"{key[1]}-words.pdf").write_bytes(textlayer.whole_words(plain))
        pages = {}
        for variant in ("plain", "words"):
            subprocess.run(["pdftoppm", "-r", "100", "-png", str(tmp_path / f"{key[1]}-{variant}.pdf"),
                            str(tmp_path / f"{key[1]}-{variant}")], check=True)
            pages[variant] = sorted(tmp_path.glob(f"{key[1]}-{variant}-*.png"))
        assert len(pages["plain"]) == len(pages["words"]) >= 1
        for a, b in zip(pages["plain"], pages["words"]):
            with Image.open(a) as x, Image.open(b) as y:
                assert ImageChops.difference(x.convert("RGB"), y.convert("RGB")).getbbox() is None, (a, b)
