"""Text an office typed never becomes a formula in a workbook the service hands out (the summary, next period's
workbook), looked at with openpyxl and with LibreOffice recalculating; and no server path is in them."""

import csv
import re
import subprocess

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from generator.web import create_app
from generator.xlsx import text_cells
from tests.support.office import soffice
from tests.support.processes import TEST_HOSTS
from tests.support.web import upload
from tests.support.workbooks import MYMENSINGH, ROWS, fill_cc

HOSTILE = '=HYPERLINK("http://evil.example/","click")'
SIGNATORY = "@SUM(1,2)"
COPIES = "+1+1"


def _hostile_workbook(tmp_path):
    path = fill_cc(tmp_path, MYMENSINGH, ROWS, name="hostile.xlsx")
    wb = load_workbook(path)
    ws = wb["পত্র"]
    rows = {r[0].value: r[0].row for r in ws.iter_rows(max_col=1) if r[0].value}
    for key, value in (("office_name", HOSTILE), ("signatory_name", SIGNATORY), ("copies", COPIES)):
        text_cells.put(ws.cell(rows[key], 3), value)  # typed as text by the office, as Excel keeps it
    wb.save(path)
    return path.read_bytes()


def _formulas(data: bytes, tmp_path, name: str) -> list[str]:
    path = tmp_path / name
    path.write_bytes(data)
    wb = load_workbook(path)
    return [f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


def _first_sheet_in_libreoffice(data: bytes, tmp_path, name: str) -> str:
    exe = soffice()
    if not exe:
        pytest.skip("LibreOffice (soffice) is not installed")
    path = tmp_path / name
    path.write_bytes(data)
    subprocess.run([exe, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path / "csv"), str(path)],
                   check=True, capture_output=True, timeout=180)
    with open(tmp_path / "csv" / (path.stem + ".csv"), encoding="utf-8") as f:
        return "\n".join(",".join(row) for row in csv.reader(f))


def test_an_offices_text_stays_text_in_the_summary_and_the_next_workbook(tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    with TestClient(create_app(out_root=out, state_dir=state, hosts=TEST_HOSTS)) as c:
        built = upload(c, "hostile.xlsx", _hostile_workbook(tmp_path))
        page = c.get(built.headers["location"])
        assert "তৈরি হয়েছে" in page.text, page.text
        summary = c.get("/summary.xlsx", params={"fiscal_year": "2022-23", "period": "q2"})
        following = c.get(built.headers["location"] + "/next.xlsx")
    assert summary.status_code == 200 and following.status_code == 200
    for data, name in ((summary.content, "summary.xlsx"), (following.content, "next.xlsx")):
        assert _formulas(data, tmp_path, name) == [], name
        wb = load_workbook(tmp_path / name)
        values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert any(v == HOSTILE or v.startswith(HOSTILE + "\n") for v in values), name  # kept exactly, as text
        assert not any(str(tmp_path) in v for v in values), name  # no server path
        shown = _first_sheet_in_libreoffice(data, tmp_path, name)
        assert "=HYPERLINK(" in shown and "click\n" not in shown + "\n", name  # recalculated: still text
    assert SIGNATORY in _first_sheet_in_libreoffice(following.content, tmp_path, "next2.xlsx")


def test_the_summary_names_documents_relative_to_the_output_root(tmp_path):
    from generator.xlsx import examples
    from generator.spec.paths import EXAMPLES_DIR

    data = examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "cc.xlsx").read_bytes()
    with TestClient(create_app(out_root=tmp_path / "out", state_dir=tmp_path / "state", hosts=TEST_HOSTS)) as c:
        upload(c, "cc.xlsx", data)
        summary = c.get("/summary.xlsx", params={"fiscal_year": "2023-24", "period": "q1"})
    (tmp_path / "s.xlsx").write_bytes(summary.content)
    ws = load_workbook(tmp_path / "s.xlsx").worksheets[0]
    folders = [c.value for c in ws["M"] if isinstance(c.value, str) and "versions" in c.value]
    assert folders == ["2023-24/চট্টগ্রাম সিটি কর্পোরেশন/cc-q1/versions/৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২"], folders


def test_the_marked_up_copy_of_a_rejected_workbook_keeps_the_offices_text_as_text(tmp_path):
    path = fill_cc(tmp_path, dict(MYMENSINGH, recipient=None), ROWS, name="rejected.xlsx")
    wb = load_workbook(path)
    ws = wb["পত্র"]
    rows = {r[0].value: r[0].row for r in ws.iter_rows(max_col=1) if r[0].value}
    text_cells.put(ws.cell(rows["office_name"], 3), HOSTILE)
    wb.save(path)
    with TestClient(create_app(out_root=tmp_path / "out", state_dir=tmp_path / "state", hosts=TEST_HOSTS)) as c:
        where = upload(c, "rejected.xlsx", path.read_bytes()).headers["location"]
        page = c.get(where).text
        assert "বাতিল" in page
        index = next(n for n, name in re.findall(r'/files/(\d+)">([^<]+)<', page) if name.endswith(".annotated.xlsx"))
        marked = c.get(f"{where}/files/{index}").content
    assert _formulas(marked, tmp_path, "marked.xlsx") == []
    assert "=HYPERLINK(" in _first_sheet_in_libreoffice(marked, tmp_path, "marked.xlsx")
