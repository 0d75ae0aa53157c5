"""documents/textlayer.py on small PDFs written here the way LibreOffice writes Bangla (no LibreOffice needed):
a word cut by a mark drawn back over its consonant comes out whole, what is drawn out of order or cannot be read
is left as it was, and a file that cannot be rewritten is delivered as LibreOffice made it."""

import io
import shutil
import subprocess

import pikepdf
import pytest

from generator.documents import pdf, textlayer

# codes of a Helvetica with a ToUnicode of Bangla letters: A ক, D া, E ., F w, G ৃ (no width), space; B and C (a consonant and a
# zero-width reph drawn back over it) have no letters of their own: only LibreOffice's span says what they are
LETTERS = {b"A": "ক", b"D": "া", b"E": ".", b"F": "w", b"G": "ৃ", b" ": " "}
WIDTHS = {ord("C"): 0, ord("G"): 0}


def _pdf(content: bytes) -> bytes:
    doc = pikepdf.new()
    cmap = "\n".join(f"<{code.hex().upper()}> <{text.encode('utf-16-be').hex().upper()}>"
                     for code, text in LETTERS.items())
    to_unicode = doc.make_stream(
        ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Test def /CMapType 2 def\n"
         "1 begincodespacerange <00> <FF> endcodespacerange\n"
         f"{len(LETTERS)} beginbfchar\n{cmap}\nendbfchar\nendcmap CMapName currentdict /CMap defineresource pop "
         "end end").encode())
    font = doc.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica, FirstChar=0,
        LastChar=255, Widths=[WIDTHS.get(i, 600) for i in range(256)], ToUnicode=to_unicode))
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 400, 200],
                              Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                              Contents=doc.make_stream(content))
    doc.pages.append(pikepdf.Page(page))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ক, then LibreOffice's span for র্ম (B, then the reph C pulled back 0.3 em with no width), then া after a gap
CUT = b"""BT /F1 12 Tf 20 150 Td [(A)] TJ
/Span <</ActualText <FEFF09B009CD09AE>>> BDC [(B) 300 (C)] TJ EMC
1 0 0 1 34.4 150 Tm [(D)] TJ ET"""
# the dots of a web address drawn first, then its letters from further left (as LibreOffice draws www.ccc.gov.bd)
BACKWARDS = b"BT /F1 12 Tf 200 100 Td [(E) -2000 (E)] TJ 1 0 0 1 150 100 Tm [(FF) -600 (FF)] TJ ET"


def _text(data: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftotext) is not installed")
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def _operators(data: bytes) -> list[tuple[str, list]]:
    with pikepdf.open(io.BytesIO(data)) as doc:
        return [(str(op.operator), [str(o) for o in op.operands]) for op in pikepdf.parse_content_stream(doc.pages[0])]


def test_a_word_cut_by_a_mark_drawn_back_comes_out_whole():
    made = _pdf(CUT)
    assert _text(made).split() == ["কর্ম", "া"]  # what LibreOffice's own spans give
    words = textlayer.whole_words(made)
    assert _text(words).split() == ["কর্মা"]
    ops = [name for name, _ in _operators(words)]
    assert ops.count("BDC") == ops.count("EMC") == 1  # one span for the word, LibreOffice's inside it removed
    assert [o for o in ops if o in ("TJ", "Tj")] == ["TJ"] * 3  # the same glyphs


def test_words_are_cut_at_space_glyphs_inside_one_show_text_operator():
    made = _pdf(b"BT /F1 12 Tf 20 150 Td [(A) -50 (D A) 20 (D  A)] TJ ET")
    words = textlayer.whole_words(made)
    assert _text(words).split() == ["কা", "কা", "ক"]
    spans = [operands for name, operands in _operators(words) if name == "BDC"]
    assert len(spans) == 2  # কা twice; the single glyph ক needs none
    assert _text(textlayer.whole_words(words)).split() == ["কা", "কা", "ক"]  # done twice: the same words


def test_a_space_drawn_as_a_move_separates_words_but_a_mark_pulled_back_and_forward_does_not():
    # ক া, a move of half an em (a space without a glyph, as TeX writes it), ক, the vowel sign ৃ pulled back under
    # it and the pen pushed forward again (as LibreOffice draws `কৃ`), া
    made = _pdf(b"BT /F1 12 Tf 20 150 Td [(AD) -500 (A) 300 (G) -300 (D)] TJ ET")
    assert _text(textlayer.whole_words(made)).split() == ["কা", "কৃা"]


def test_glyphs_drawn_back_along_the_line_are_left_to_the_extractor():
    made = _pdf(BACKWARDS + b"\n" + CUT)
    words = textlayer.whole_words(made)
    ops = _operators(words)
    first_text_object = ops[:ops.index(("ET", [])) + 1]
    assert first_text_object == _operators(made)[:len(first_text_object)]  # as it was
    assert "কর্মা" in _text(words).split()  # the next text object is still made whole


def test_a_glyph_without_letters_leaves_its_word_as_it_was():
    made = _pdf(b"BT /F1 12 Tf 20 150 Td [(A) -50 (Z) -50 (D)] TJ ET")  # Z: no ToUnicode, no span
    assert textlayer.whole_words(made) == made  # nothing to make whole: the file itself


def test_a_file_that_cannot_be_rewritten_is_delivered_as_libreoffice_made_it():
    broken = b"%PDF-1.6\n" + b"\x00" * 200
    assert pdf._searchable(broken) == broken


def test_a_pdf_without_text_is_returned_unchanged():
    doc = pikepdf.new()
    doc.add_blank_page()
    out = io.BytesIO()
    doc.save(out)
    assert textlayer.whole_words(out.getvalue()) == out.getvalue()
