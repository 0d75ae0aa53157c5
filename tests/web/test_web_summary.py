"""/summary and `gen summary` agree: the same collection (lateness, roster, folders), so the same rows."""

import subprocess
import sys

from openpyxl import load_workbook
from starlette.testclient import TestClient

from generator.spec.paths import EXAMPLES_DIR
from generator.web import create_app
from generator.xlsx import examples
from tests.support.processes import TEST_HOSTS
from tests.support.web import upload

RAJSHAHI = "রাজশাহী সিটি কর্পোরেশন"


def _rows(path):
    ws = load_workbook(path).worksheets[0]
    return [[c.value for c in row] for row in ws.iter_rows(min_row=5)]


def test_the_page_lists_the_rosters_missing_offices_and_matches_gen_summary(tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    data = examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "cc.xlsx").read_bytes()
    with TestClient(create_app(out_root=out, state_dir=state, hosts=TEST_HOSTS)) as c:
        upload(c, "cc.xlsx", data)
        before = c.get("/summary", params={"fiscal_year": "2023-24", "period": "q1"}).text
        assert "roster.txt" in before and RAJSHAHI not in before  # says why none is listed as missing
        (state / "roster.txt").write_text(f"চট্টগ্রাম সিটি কর্পোরেশন\n{RAJSHAHI}\n", encoding="utf-8")
        page = c.get("/summary", params={"fiscal_year": "2023-24", "period": "q1"}).text
        web = c.get("/summary.xlsx", params={"fiscal_year": "2023-24", "period": "q1"}).content
    row = page[page.index(RAJSHAHI) - 300:page.index(RAJSHAHI) + 300]
    assert "জমা হয়নি" in row and "not submitted" in row
    assert "Dhaka time" in page and "after the deadline" in page  # the rule, stated
    assert "2 in all: 0 on time, 1 late, 1 not submitted" in page  # the letter's tally
    (tmp_path / "web.xlsx").write_bytes(web)
    made = subprocess.run([sys.executable, "-m", "generator.cli", "summary", "--fy", "2023-24", "--period", "q1",
                           "--roster", str(state / "roster.txt"), "--state", str(state), "--out", str(out),
                           "-o", str(tmp_path / "cli.xlsx")], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert _rows(tmp_path / "web.xlsx") == _rows(tmp_path / "cli.xlsx")
    statuses = [r[3] for r in _rows(tmp_path / "web.xlsx")]
    assert statuses == ["বিলম্বে", "জমা হয়নি"]  # built today, long after 15 October 2023: late, by the one rule


def test_a_roster_that_cannot_be_read_is_said_so_and_the_rest_shown(tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    data = examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "cc.xlsx").read_bytes()
    with TestClient(create_app(out_root=out, state_dir=state, hosts=TEST_HOSTS)) as c:
        upload(c, "cc.xlsx", data)
        (state / "roster.xlsx").write_bytes(b"not a workbook at all")
        page = c.get("/summary", params={"fiscal_year": "2023-24", "period": "q1"})
    assert page.status_code == 200 and "চট্টগ্রাম সিটি কর্পোরেশন" in page.text and 'class="error"' in page.text
