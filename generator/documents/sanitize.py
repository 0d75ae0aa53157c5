"""Evidence PDFs made safe to go into an official bundle: rewritten by qpdf (through pikepdf) without
JavaScript, actions, launch links, embedded files or form scripts, after every compressed stream was
checked to inflate within a limit (a page whose content inflates to a gigabyte is refused, not copied)."""

from __future__ import annotations

import io
import zlib

MAX_STREAM = 64 * 1024 * 1024  # one stream, inflated
MAX_TOTAL = 256 * 1024 * 1024  # every stream of one file, inflated

_ACTIVE_NAMES = ("/JavaScript", "/EmbeddedFiles")  # name trees that run code or carry files
_ACTIVE_ANNOTATIONS = ("/FileAttachment", "/Screen", "/Movie", "/Sound", "/RichMedia", "/3D")


class Unsafe(Exception):
    """The file cannot be made safe: `why` is 'bomb' (a stream inflates past the limit) or 'broken'."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


def clean(data: bytes) -> tuple[bytes, list[str]]:
    """The PDF rewritten without active content, and what was removed (for the log)."""
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise Unsafe("encrypted") from None
    except (pikepdf.PdfError, ValueError, OSError):
        raise Unsafe("broken") from None
    with pdf:
        _check_inflation(pdf)
        removed = _strip(pdf)
        out = io.BytesIO()
        try:
            pdf.save(out, compress_streams=True)
        except (pikepdf.PdfError, ValueError, OSError):
            raise Unsafe("broken") from None
    return out.getvalue(), removed


def _check_inflation(pdf) -> None:
    import pikepdf

    total = 0
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        filters = obj.get("/Filter")
        names = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else [str(filters)] if filters else []
        if names[:1] != ["/FlateDecode"]:
            continue  # images (DCT, CCITT, JBIG2) are decoded by the reader page by page, not inflated here
        try:
            raw = obj.read_raw_bytes()
        except pikepdf.PdfError:
            raise Unsafe("broken") from None
        inflater = zlib.decompressobj()
        try:
            size = len(inflater.decompress(raw, MAX_STREAM + 1))
        except zlib.error:
            continue  # qpdf copies a damaged stream as it is; it was never going to inflate
        if size > MAX_STREAM or inflater.unconsumed_tail:
            raise Unsafe("bomb")
        total += size
        if total > MAX_TOTAL:
            raise Unsafe("bomb")


def _strip(pdf) -> list[str]:
    import pikepdf

    removed = []
    root = pdf.Root
    for key in ("/OpenAction", "/AA"):
        if key in root:
            del root[key]
            removed.append(key)
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key in _ACTIVE_NAMES:
            if key in names:
                del names[key]
                removed.append(key)
    form = root.get("/AcroForm")
    if isinstance(form, pikepdf.Dictionary):
        for key in ("/XFA", "/AA"):
            if key in form:
                del form[key]
                removed.append(f"/AcroForm{key}")
        fields = list(form.get("/Fields") or [])
        seen = 0
        while fields and seen < 100_000:  # a field's scripts (/AA) on the field and on its kids
            field, seen = fields.pop(), seen + 1
            if isinstance(field, pikepdf.Dictionary):
                if "/AA" in field:
                    del field["/AA"]
                    removed.append("field /AA")
                fields.extend(field.get("/Kids") or [])
    for page in pdf.pages:
        if "/AA" in page.obj:
            del page.obj["/AA"]
            removed.append("page /AA")
        annotations = page.obj.get("/Annots")
        if not isinstance(annotations, pikepdf.Array):
            continue
        kept = pikepdf.Array()
        for annotation in annotations:
            if not isinstance(annotation, pikepdf.Dictionary):
                continue
            if str(annotation.get("/Subtype")) in _ACTIVE_ANNOTATIONS:
                removed.append(str(annotation.get("/Subtype")))
                continue
            for key in ("/A", "/AA"):
                if key in annotation:
                    del annotation[key]
                    removed.append(f"annotation {key}")
            kept.append(annotation)
        page.obj["/Annots"] = kept
    return removed
