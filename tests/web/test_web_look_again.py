"""A page waiting on a build (here an upload queued on PostgreSQL with no worker yet) looks again by itself, in a
real Chromium: with script, in the background and without a timed refresh (axe finds nothing), moving on once
a worker has built it; without script, by its <noscript> refresh, to the same end."""

import re

import pytest

from tests.support.axe import violations
from tests.support.queue import serve, worker
from tests.support.workbooks import make_workbooks

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
def test_a_queued_upload_moves_on_to_its_submission_by_itself(postgres, tmp_path, browser, script):
    [book] = make_workbooks(tmp_path / "src", 1)
    server, base = serve(tmp_path, postgres)
    builder = None
    try:
        page = browser.new_context(java_script_enabled=script, viewport={"width": 1366, "height": 900}).new_page()
        asked = []
        page.on("request", lambda r: asked.append(r.resource_type) if "/uploads/" in r.url else None)
        page.goto(base + "/upload")
        page.set_input_files("input[name=workbook]", str(book))
        page.click("form:has(input[name=workbook]) button[type=submit]")
        page.wait_for_url(re.compile(r".*/uploads/\w+$"), timeout=30_000)
        waiting = page.url
        assert "সারিতে অপেক্ষমাণ" in page.content() and "Queued" in page.content()
        page.wait_for_timeout(4_500)  # two looks at 2 s
        assert page.url == waiting and "Queued" in page.content()
        refreshes = page.evaluate("document.querySelectorAll('meta[http-equiv=refresh]').length")
        if script:
            assert refreshes == 0 and asked.count("fetch") >= 2, asked  # looked in the background, no timed move
            assert violations(page) == []
            # a server fault answered to a look is not news: the page stays and looks again (a re-attack: one 500
            # replaced the page with the error, and it never looked again)
            faults = []

            def fault(route):
                faults.append(route.request.resource_type)
                return route.fulfill(status=500, body="Internal Server Error")

            page.route("**/uploads/*", fault)
            page.wait_for_timeout(6_500)  # looks at 2 s, then 4 s apart after a fault
            assert faults.count("fetch") >= 2 and "document" not in faults, faults
            assert page.url == waiting and "Queued" in page.content()
            page.unroute("**/uploads/*")
        else:
            assert refreshes == 1 and asked.count("fetch") == 0 and asked.count("document") >= 3, asked
        builder = worker(tmp_path, postgres)
        page.wait_for_url(re.compile(r".*/submissions/\d+$"), timeout=90_000)
        assert "তৈরি হয়েছে" in page.content()
    finally:
        for p in (server, builder):
            if p is not None:
                p.stop()
