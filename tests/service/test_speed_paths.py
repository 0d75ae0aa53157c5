"""The fast paths give the same documents: our compiled render against docxtpl's own, and parallel builds."""

import datetime as dt
import io
import os
import pty
import subprocess
import sys

import pytest
from docx import Document
from docxtpl import DocxTemplate

from generator.documents import compiled as render, registry, tags
from generator.xlsx import examples
from generator.xlsx import reading
from generator.rules import scoring, validate
from generator.spec.paths import DOCX_DIR, EXAMPLES_DIR

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class PlainDocxtpl(DocxTemplate):
    def patch_xml(self, src_xml):
        return tags.expand_tags(super().patch_xml(src_xml))


def structure(data: bytes):
    """Paragraph texts, and per table its rows' cell texts with their merges."""
    doc = Document(io.BytesIO(data))
    tables = []
    for t in doc.tables:
        rows = []
        for tr in t._tbl.findall(f"{W}tr"):
            cells = []
            for tc in tr.findall(f"{W}tc"):
                vm = tc.find(f"{W}tcPr/{W}vMerge")
                span = tc.find(f"{W}tcPr/{W}gridSpan")
                text = "\n".join("".join(x.text or "" for x in p.iter(f"{W}t")) for p in tc.iter(f"{W}p"))
                cells.append((text, None if vm is None else vm.get(f"{W}val"), None if span is None else span.get(f"{W}val")))
            rows.append(cells)
        tables.append(rows)
    paras = ["".join(x.text or "" for x in p.iter(f"{W}t")) for p in doc.element.body.iter(f"{W}p")]
    return paras, tables


@pytest.mark.parametrize("source", sorted(EXAMPLES_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_compiled_render_equals_plain_docxtpl(tmp_path, source):
    report, _ = validate.check(reading.read(examples.write(source, tmp_path / "w.xlsx")))
    job = registry.Job(report, scoring.score_report(report), "x-1", dt.date(2023, 10, 10))
    pairs = [(d.template_file(report.kind.id), registry.context(d, job)) for d in report.kind.documents]
    for name, context in pairs:
        ours = render.compiled(DOCX_DIR / name).render(context)
        plain = PlainDocxtpl(str(DOCX_DIR / name))
        plain.render(context, autoescape=True)
        buffer = io.BytesIO()
        plain.save(buffer)
        assert structure(ours) == structure(buffer.getvalue()), name


def test_jobs_give_the_same_results_as_one_process(tmp_path):
    folder = EXAMPLES_DIR
    runs = {}
    for jobs in (1, 2):
        out = subprocess.run([sys.executable, "-m", "generator.cli", "build", str(folder), "--out", str(tmp_path / f"o{jobs}"),
                              "--state", str(tmp_path / f"s{jobs}"), "--jobs", str(jobs), "--json"],
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0
        runs[jobs] = [line.split('"outputs"')[0] for line in out.stdout.splitlines()]
    assert runs[1] == runs[2] and len(runs[1]) == len(list(folder.glob("*.xlsx")))


def test_progress_bar_on_a_terminal_only(tmp_path):
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "build", str(EXAMPLES_DIR), "--out", str(tmp_path / "o"),
                             "--state", str(tmp_path / "s")], stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    text = b"".join(chunks).decode("utf-8", "replace")
    count = len(list(EXAMPLES_DIR.glob("*.xlsx")))
    assert "building" in text and f"built {count}, " in text and "rejected 0" in text
    piped = subprocess.run([sys.executable, "-m", "generator.cli", "build", str(EXAMPLES_DIR), "--out", str(tmp_path / "o"),
                            "--state", str(tmp_path / "s")], capture_output=True, text=True, timeout=120)
    assert "building" not in piped.stdout + piped.stderr and piped.stdout.count("✔") == count


@pytest.mark.parametrize("source", sorted(EXAMPLES_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_line_breaks_resolved_as_docxtpl_does(tmp_path, source):
    """Our resolve_listing touches only paragraphs with a \\n, \\t, \\a or \\f: every document's XML is docxtpl's,
    exactly (the letter's signature is paragraphs joined by \\a)."""
    report, _ = validate.check(reading.read(examples.write(source, tmp_path / "w.xlsx")))
    job = registry.Job(report, scoring.score_report(report), "x-1", dt.date(2023, 6, 25))
    listed = 0
    for document in report.kind.documents:
        context = registry.context(document, job)
        path = DOCX_DIR / document.template_file(report.kind.id)
        docxtpl = DocxTemplate(str(path))
        for _, template in render.compiled(path).parts.values():  # the body, and the footer with its page number
            xml = template.render(context)
            assert render.resolve_listing(xml) == docxtpl.resolve_listing(xml)
            listed += "\a" in xml
    assert listed or all(d.name != "letter" for d in report.kind.documents)  # a letter's signature has its \a


_PROPERTIES = ('<w:pPr><w:jc w:val="center"/></w:pPr>', '<w:pPr>\n<w:jc w:val="center"/>\n</w:pPr>', "")


@pytest.mark.parametrize("ppr", _PROPERTIES)
@pytest.mark.parametrize("text", ["এক\nদুই", "a\n\nb\n", "tab\there", "bell\aend", "page\fnext", "mixed\nline\tand tab",
                                  "\n", "lead<&>\nx", "all\a\t\n\fof\athem\a", "\a\a"])
def test_line_breaks_are_docxtpl_exactly(text, ppr):
    """Tabs, line ends, new paragraphs and page breaks: the XML is docxtpl's, run and paragraph properties included
    (docxtpl finds them without DOTALL: properties written over several lines are not carried, there or here)."""
    from xml.sax.saxutils import escape

    docxtpl = DocxTemplate(str(next(DOCX_DIR.glob("*annex*.docx"))))
    body = escape(text)
    xml = (f'<w:body><w:p>{ppr}<w:r><w:rPr><w:b/></w:rPr>'
           f'<w:t xml:space="preserve">{body}</w:t></w:r><w:r><w:tab/><w:t>{body}</w:t></w:r></w:p>'
           f'<w:p><w:r><w:t>plain</w:t></w:r></w:p><w:p w:rsidR="1"><w:r><w:rPr>\n<w:i/></w:rPr><w:t>{body}</w:t></w:r>'
           '</w:p></w:body>')
    assert render.resolve_listing(xml) == docxtpl.resolve_listing(xml)


def test_runs_are_docxtpls_rich_text_exactly():
    """The memo line and the signature block are Runs: the XML docxtpl's RichText writes for the same calls."""
    from docxtpl import RichText

    from generator.documents.runs import Runs

    calls = [("৪৬.১১-১ <&>\"'", {"size": 28, "font": "eastAsia:Nikosh"}), ("\aদ্বিতীয়", {"size": 21, "font": "Nikosh"}),
             ("plain", {}), ("x", {"font": "cs:a:b"})]
    ours, theirs = Runs(*calls[0][:1], **calls[0][1]), RichText(calls[0][0], **calls[0][1])
    for text, props in calls[1:]:
        ours.add(text, **props)
        theirs.add(text, **props)
    assert str(ours) == str(theirs) and ours.__html__() == theirs.__html__()
    assert str(Runs()) == str(RichText()) == "" and str(Runs("")) == str(RichText(""))


def test_filling_a_letter_loads_neither_python_docx_nor_docxtpl(tmp_path):
    """python-docx and docxtpl build and clean up the templates; filling one needs neither (their import was a
    sixth of a one-off `gen build`). The first run cleans the templates up into the cache; the next loads none."""
    workbook = examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "w.xlsx")
    code = ("import sys; from pathlib import Path; from generator.service import pipeline; "
            "r = pipeline.build(Path(sys.argv[1]), out_root=Path(sys.argv[2]), state_dir=Path(sys.argv[3])); "
            "print(r.status, *sorted(m for m in ('docx', 'docxtpl', 'lxml') if m in sys.modules))")
    env = {**os.environ, "GEN_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", code, str(workbook), str(tmp_path / f"o{i}"), str(tmp_path / f"s{i}")],
                           capture_output=True, text=True, timeout=120, env=env) for i in range(2)]
    assert runs[0].stdout.split() == ["built", "docx", "docxtpl", "lxml"], runs[0].stdout + runs[0].stderr
    assert runs[1].stdout.split() == ["built"], runs[1].stdout + runs[1].stderr


def test_a_build_without_pdfs_loads_none_of_the_pdf_tools(tmp_path):
    """LibreOffice's client (http, e-mail, ssl under xmlrpc), pypdf and the PDF steps load only for PDFs: a one-off
    `gen build` is spared them."""
    workbook = examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "w.xlsx")
    code = ("import sys, generator; r = generator.build(sys.argv[1], out=sys.argv[2], state=sys.argv[3]); "
            "print(r.status, *sorted(m for m in ('generator.documents.pdf', 'generator.documents.printed', "
            "'http.client', 'pypdf') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code, str(workbook), str(tmp_path / "o"), str(tmp_path / "s")],
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["built"], done.stdout + done.stderr
