"""A state folder's register removed or replaced while `gen serve` runs (a backup restored over it, the folder
deleted): before, the next upload opened the file now there, an older or an empty register, and was given a memo
already issued (left alone in the last session's note: `gen serve` had no register check, the watcher had). Now
the server builds nothing more, keeps the upload, and its page says what to do."""

from __future__ import annotations

import shutil

import httpx
import pytest

from tests.support.processes import running_server
from tests.support.state import serials
from tests.support.web import csrf, settled
from tests.support.workbooks import make_workbooks

pytestmark = pytest.mark.slow


def _upload(base: str, book) -> httpx.Response:
    with httpx.Client(base_url=base, timeout=60) as client:
        answer = client.post("/upload", data={"csrf": csrf(client)}, files={"workbook": (book.name, book.read_bytes())},
                             follow_redirects=False)
        return settled(client, answer, 60)


@pytest.mark.parametrize("how", ["restored", "removed"])
def test_a_register_replaced_while_the_server_runs_gives_no_memo_twice(tmp_path, how):
    first, second, third = make_workbooks(tmp_path / "src", 3)
    state, out = tmp_path / "state", tmp_path / "out"
    with running_server(tmp_path) as base:
        backup = tmp_path / "register-backup.sqlite3"
        built = _upload(base, first)
        assert built.status_code == 303 and built.headers["location"].startswith("/submissions/"), built.text[:300]
        shutil.copy(state / "register.sqlite3", backup)  # a backup, taken once the first memo was issued
        assert _upload(base, second).headers["location"].startswith("/submissions/")
        assert serials(state) == [1, 2]
        if how == "restored":  # the backup, a serial behind, put back over the register in use
            shutil.copy(backup, state / "register-new.sqlite3")
            (state / "register-new.sqlite3").replace(state / "register.sqlite3")
        else:
            (state / "register.sqlite3").unlink()
        refused = _upload(base, third)
        assert refused.status_code == 503, refused.text[:300]
        assert "removed or replaced while the service ran" in refused.text
        assert "বদলে দেওয়া হয়েছে" in refused.text
        assert 'http-equiv="refresh"' not in refused.text  # not to be waited out: the page does not try it again
        kept = [p.name for p in (state / "uploads").iterdir() if p.suffix == ".xlsx"]
        assert len(kept) == 1 and kept[0].endswith(third.name)  # kept, for when the register is back
        assert _upload(base, third).status_code == 503  # sent again: still nothing built
    letters = sorted(p.parent.name for p in out.rglob("versions/*/*-letter.docx"))
    assert len(letters) == 2 and len(set(letters)) == 2, letters  # the third built nothing, under no memo
    if how == "restored":
        assert serials(state) == [1]  # the restored register was not written: serial 2 was not issued again


def test_the_page_that_says_so_stays_within_a_phone(tmp_path, browser):
    """The message names the register by its path, one long word: at 360 px it ran past its box (seen on the
    screenshot), until a verdict's text may break inside a word that does not fit."""
    first, second = make_workbooks(tmp_path / "src", 2)
    deep = tmp_path / ("a-state-folder-with-a-long-name-" * 3).rstrip("-")
    with running_server(tmp_path, "--state", str(deep)) as base:
        assert _upload(base, first).headers["location"].startswith("/submissions/")
        (deep / "register.sqlite3").unlink()
        page = browser.new_context(viewport={"width": 360, "height": 800}).new_page()
        page.goto(base + "/upload")
        page.set_input_files("input[name=workbook]", str(second))
        page.click("form:has(input[name=workbook]) button[type=submit]")
        page.wait_for_selector(".verdict-bad", timeout=60_000)
        assert "removed or replaced" in page.content()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        box, inner = page.evaluate("(() => { const v = document.querySelector('.verdict-bad'); const r = "
                                   "v.getBoundingClientRect(); return [[r.left, r.right], "
                                   "[...v.querySelectorAll('p')].map(p => p.scrollWidth <= p.clientWidth)]; })()")
        assert box[1] <= 360 and all(inner), (box, inner)
