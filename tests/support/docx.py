"""Reading built Word files: every paragraph's text, and a part's XML."""
import zipfile

from docx import Document


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_paragraphs(path) -> list[str]:
    """Every paragraph's text, body and table cells, in document order."""
    doc = Document(str(path))
    marks = {f"{W}br": "\n", f"{W}tab": "\t"}

    def text(p):
        return "".join((el.text or "") if el.tag == f"{W}t" else marks.get(el.tag, "") for el in p.iter())

    # a no-break space (kept inside parentheses and addresses: contexts.keep_parentheses) reads as the space it prints
    return [text(p).replace("\u00a0", " ") for p in doc.element.body.iter(f"{W}p")]


def docx_text(path) -> str:
    return "\n".join(docx_paragraphs(path))


def docx_xml(path, part="word/document.xml") -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")
