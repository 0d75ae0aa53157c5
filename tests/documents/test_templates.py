"""The Word templates: reproducible from the script, tags whole in single runs, every tag filled."""

import re
import zipfile

from docxtpl import DocxTemplate

from generator.documents import contexts as render, registry, tags
from generator.spec import documents
from generator.spec import kinds
from generator.spec.paths import DOCX_DIR, XLSX_DIR
from generator.xlsx.blanks import blank_workbook


def _parts(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n.endswith(".xml") and "docProps" not in n}


def test_templates_regenerate_identically(tmp_path):
    for built in registry.build_all(tmp_path):
        assert _parts(built) == _parts(DOCX_DIR / built.name), f"{built.name} differs: run `make templates`"


def test_every_tag_is_in_one_run():
    for path in DOCX_DIR.glob("*.docx"):
        xml = _parts(path)["word/document.xml"].decode()
        for text in re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml):
            assert text.count("{{") == text.count("}}") and text.count("{%") == text.count("%}"), (path.name, text)


def test_template_variables_are_the_context(cc_example, tmp_path):
    from generator.rules import validate
    from generator.xlsx import reading

    report, _ = validate.check(reading.read(cc_example))
    import datetime as dt

    letter = DocxTemplate(str(DOCX_DIR / documents.LETTER_FILE))
    letter.patch_xml = lambda xml, _orig=letter.patch_xml: tags.expand_tags(_orig(xml))
    letter_vars = letter.get_undeclared_template_variables()
    assert letter_vars <= set(render.letter_context(report, "x-1", dt.date(2023, 10, 10), 1))
    for kind in (k for k in kinds.KINDS.values() if k.scored):
        tpl = DocxTemplate(str(DOCX_DIR / kind.documents[-1].template_file(kind.id)))
        tpl.patch_xml = lambda xml, _orig=tpl.patch_xml: tags.expand_tags(_orig(xml))
        assert tpl.get_undeclared_template_variables() <= set(render.annex_context(report)) | {"r"}


def test_blank_workbooks_are_current(tmp_path):
    for kind in kinds.KINDS.values():
        fresh = tmp_path / f"{kind.id}.xlsx"
        blank_workbook(kind).save(fresh)
        with zipfile.ZipFile(fresh) as a, zipfile.ZipFile(XLSX_DIR / f"{kind.id}.xlsx") as b:
            sheets = [n for n in a.namelist() if n.startswith("xl/worksheets/") or n == "xl/sharedStrings.xml"]
            for name in sheets:
                assert a.read(name) == b.read(name), f"{name} of {kind.id}.xlsx differs: run `make templates`"


def test_minutes_template_variables_are_the_context(tmp_path):
    import datetime as dt

    from generator.xlsx import examples, reading
    from generator.rules import validate
    from generator.spec.paths import EXAMPLES_DIR

    path = examples.write(EXAMPLES_DIR / "minutes-rangpur-2023-06-22.json", tmp_path / "m.xlsx")
    report, _ = validate.check(reading.read(path))
    minutes = DocxTemplate(str(DOCX_DIR / documents.MINUTES.template_file(kinds.MINUTES.id)))
    minutes.patch_xml = lambda xml, _orig=minutes.patch_xml: tags.expand_tags(_orig(xml))
    used = minutes.get_undeclared_template_variables()
    assert used <= set(render.minutes_context(report, "x-1", dt.date(2023, 6, 25))) | {"d"}


def test_keepnext_tag_reaches_every_paragraph_of_its_row():
    row = ('<w:tr><w:tc><w:p><w:pPr><w:pStyle w:val="X"/><w:jc w:val="center"/></w:pPr><w:r><w:t>'
           '{% keepnext loop.last %}{{ r.a }}</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc>'
           '<w:tc><w:p><w:r><w:t>b</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p/></w:tc></w:tr>')
    out = tags.expand_keepnext(row)
    mark = "{% if loop.last %}<w:keepNext/>{% endif %}"
    first, second = out.split("</w:tr>")[:2]
    assert first.count(mark) == 3 and "keepnext" not in first
    assert '<w:pStyle w:val="X"/>' + mark in first  # keepNext after pStyle, as the schema orders them
    assert mark not in second  # only the tagged row
    already = '<w:tr><w:tc><w:p><w:pPr><w:keepNext/></w:pPr><w:r><w:t>{% keepnext True %}x</w:t></w:r></w:p></w:tc></w:tr>'
    assert tags.expand_keepnext(already).count("keepNext") == 1
