"""Every page of the desk checked by axe-core (the accessibility engine browsers' audits use) in a real
Chromium, at desktop and phone width: no violation. A page that fails names the rule, the element and why."""

import re

import pytest
from tests.support.axe import violations as _violations
from tests.support.processes import running_server
from tests.support.workbooks import MYMENSINGH, ROWS, fill_cc


@pytest.mark.parametrize("width", [1366, 360])
def test_no_page_has_an_accessibility_violation(tmp_path, browser, width):
    good = fill_cc(tmp_path, MYMENSINGH, ROWS, name="ময়মনসিংহ.xlsx")
    bad = fill_cc(tmp_path, dict(MYMENSINGH, office_address=None), ROWS, name="ভুল.xlsx")
    found = {}
    with running_server(tmp_path, "--token", "secret-token") as server:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(server + "/login")
        found["/login"] = _violations(page)
        page.fill("input[name=token]", "wrong")
        page.click("form:has(input[name=token]) button[type=submit]")
        found["/login (wrong token)"] = _violations(page)
        page.wait_for_timeout(1500)
        page.goto(server + "/login")
        page.fill("input[name=token]", "secret-token")
        page.click("form:has(input[name=token]) button[type=submit]")
        for workbook in (good, bad):
            page.goto(server + "/upload")
            page.set_input_files("input[name=workbook]", str(workbook))
            page.click("form:has(input[name=workbook]) button[type=submit]")  # not the header's sign-out
            # the page the upload ends on: on a busy machine the building page comes first and moves on to it by
            # itself (its own audit, held at "queued", is in test_web_look_again.py)
            page.wait_for_url(re.compile(r".*/submissions/"), timeout=90_000)
            page.wait_for_load_state()
            found[f"after uploading {workbook.name}"] = _violations(page)
        for path in ("/", "/?status=rejected", "/upload", "/blank", "/summary", "/summary?fy=2022-23&period=q2",
                     "/submissions/1", "/submissions/2", "/submissions/999999"):
            page.goto(server + path)
            found[path] = _violations(page)
    assert {where: v for where, v in found.items() if v} == {}
