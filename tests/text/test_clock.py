"""A letter with no issue date is dated by the day in Dhaka, whatever the host's time zone. Found by a hostile run:
the host's own date was used, so a server kept on UTC dated an upload made after midnight in Dhaka the day before."""

import json
import re
import os
import subprocess
import sys

from generator.text import clock
from generator.text.bangla import format_gregorian_date
from tests.support.docx import docx_text
from tests.support.workbooks import MYMENSINGH, ROWS, fill_cc


def test_a_blank_issue_date_is_the_day_in_dhaka_on_a_host_in_any_time_zone(tmp_path):
    workbook = fill_cc(tmp_path, dict(MYMENSINGH, issue_date=None), ROWS, name="w.xlsx")
    before = clock.today()
    letters = []
    for zone in ("Etc/GMT+12", "Etc/GMT-14"):  # 26 hours apart: never the same date at once
        run = subprocess.run([sys.executable, "-m", "generator.cli", "build", str(workbook), "--out",
                              str(tmp_path / zone.replace("/", "-") / "out"), "--state",
                              str(tmp_path / zone.replace("/", "-") / "state"), "--json", "--jobs", "1"],
                             capture_output=True, text=True, env={**os.environ, "TZ": zone}, timeout=120)
        result = json.loads(run.stdout.splitlines()[-1])
        assert result["status"] == "built", run.stdout + run.stderr
        letters.append(docx_text(next(p for p in result["outputs"] if p.endswith("letter.docx"))))
        current = next((tmp_path / zone.replace("/", "-") / "out").rglob("CURRENT.txt")).read_text(encoding="utf-8")
        assert re.search(r"^built: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+06:00$", current, re.M), current  # Dhaka's, said
    assert letters[0] == letters[1]  # the same date on both hosts
    if clock.today() == before:  # not across midnight in Dhaka meanwhile
        assert format_gregorian_date(before) in letters[0]
