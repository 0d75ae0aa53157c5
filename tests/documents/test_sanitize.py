"""Hostile evidence PDFs: what goes into the official bundle has no JavaScript, no actions, no launch links,
no embedded files and no form scripts; a stream that inflates past the limit is refused by name."""

import io
import zlib

import pikepdf
import pytest

from generator.documents import bundle, sanitize

ACTIVE = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/OpenAction", b"/AA", b"/XFA")


def _page_pdf(pdf: pikepdf.Pdf) -> None:
    pdf.add_blank_page(page_size=(595, 842))
    pdf.pages[0].obj.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 720 Td (evidence) Tj ET")


def hostile() -> bytes:
    pdf = pikepdf.new()
    _page_pdf(pdf)
    js = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('x')"))
    pdf.Root.OpenAction = pdf.make_indirect(js)
    pdf.Root.AA = pikepdf.Dictionary(WC=js)
    launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))
    link = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 100, 100], A=launch)
    attached = pdf.make_stream(b"MZ not really a program")
    attached.Type = pikepdf.Name.EmbeddedFile
    spec = pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String("run.exe"),
                              EF=pikepdf.Dictionary(F=attached))
    clip = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment, Rect=[0, 0, 10, 10],
                              FS=spec)
    field = pikepdf.Dictionary(FT=pikepdf.Name.Tx, T=pikepdf.String("f"), Type=pikepdf.Name.Annot,
                               Subtype=pikepdf.Name.Widget, Rect=[0, 0, 50, 20], AA=pikepdf.Dictionary(K=js))
    field = pdf.make_indirect(field)
    pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link), pdf.make_indirect(clip), field]))
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[field], XFA=pikepdf.String("<xdp/>"))
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=[pikepdf.String("a"), pdf.make_indirect(js)]),
        EmbeddedFiles=pikepdf.Dictionary(Names=[pikepdf.String("run.exe"), spec]))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _decoded(data: bytes) -> bytes:
    """Every object of the PDF written out uncompressed, so a key inside an object stream is seen too."""
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.save(out, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable,
                 stream_decode_level=pikepdf.StreamDecodeLevel.generalized)
    return out.getvalue()


def letter() -> bytes:
    pdf = pikepdf.new()
    _page_pdf(pdf)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_the_hostile_pdf_really_carries_active_content():
    text = _decoded(hostile())
    assert all(key in text for key in ACTIVE)


def test_active_content_is_gone_from_the_bundle_and_the_page_stays(tmp_path):
    evidence = tmp_path / "01-scan.pdf"
    evidence.write_bytes(hostile())
    made = bundle.build([("letter.pdf", letter())], [evidence])
    text = _decoded(made.data)
    assert not [key for key in ACTIVE if key in text]
    assert made.pages == 2 and b"evidence" in text


def test_a_stream_that_inflates_to_a_gigabyte_is_refused_by_name(tmp_path):
    pdf = pikepdf.new()
    _page_pdf(pdf)
    squeezed = zlib.compressobj(9)
    body = b"".join(squeezed.compress(b"\0" * (16 * 1024 * 1024)) for _ in range(64)) + squeezed.flush()
    bomb = pikepdf.Stream(pdf, body)
    bomb.Filter = pikepdf.Name.FlateDecode
    pdf.pages[0].obj.Contents = bomb
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    assert len(out.getvalue()) < 2 * 1024 * 1024  # 1 GiB inflated, about a megabyte on disk
    evidence = tmp_path / "02-bomb.pdf"
    evidence.write_bytes(out.getvalue())
    with pytest.raises(bundle.BundleError) as refused:
        bundle.build([("letter.pdf", letter())], [evidence])
    assert refused.value.code == "pdf-bomb" and "02-bomb.pdf" in refused.value.en and "02-bomb.pdf" in refused.value.bn


def test_clean_reports_what_it_removed():
    _, removed = sanitize.clean(hostile())
    assert {"/OpenAction", "/AA", "/JavaScript", "/EmbeddedFiles", "/FileAttachment", "annotation /A"} <= set(removed)
