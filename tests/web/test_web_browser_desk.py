"""The desk in a real headless Chromium: a triple click that is one submission, the building page turning into the
built page by itself, a long memo at phone width, download names, the summary's roster. Screenshots go to
GEN_SHOTS (a folder outside the repository) when it is set, else to the test's own folder."""

import os
import re
from pathlib import Path

import pytest

from generator.records.ledger import Ledger
from generator.spec.paths import EXAMPLES_DIR
from generator.xlsx import examples
from tests.support.processes import running_server
from tests.support.workbooks import MYMENSINGH, ROWS, fill_cc

LONG_MEMO = "কেসিসি/সেঃবিঃ/সাঃপ্রঃশাঃ/III-২২৩(অঃকঃসঃ/২)/২২/অতিরিক্ত/দীর্ঘ/নথি/নম্বর/২০২৩/শাখা-৪৬.১১.১৬০০.০০১"
RAJSHAHI = "রাজশাহী সিটি কর্পোরেশন"




def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("GEN_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1366, 360])
def test_building_then_built_a_triple_click_is_one_submission(tmp_path, browser, monkeypatch, width):
    monkeypatch.setenv("GEN_WEB_ANSWER_WITHIN", "0")  # always through the building page
    workbook = fill_cc(tmp_path, dict(MYMENSINGH, memo_prefix=LONG_MEMO), ROWS, name="ময়মনসিংহ দীর্ঘ স্মারক.xlsx")
    folder = shots(tmp_path)
    with running_server(tmp_path) as server:
        page = browser.new_page(viewport={"width": width, "height": 900}, accept_downloads=True)
        posts = []
        page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
        page.goto(server + "/upload")
        assert fits(page)
        page.screenshot(path=str(folder / f"upload-{width}.png"), full_page=True)
        page.set_input_files("input[name=workbook]", str(workbook))
        page.click("button[type=submit]", click_count=3, delay=30)
        page.wait_for_url(re.compile(r".*/(uploads|submissions)/"), timeout=60_000)  # building, or already built
        building = page.content()
        if "তৈরি হচ্ছে" in building:
            assert 'src="/look-again.js"' in building and fits(page)
            page.screenshot(path=str(folder / f"building-{width}.png"), full_page=True)
        page.wait_for_url("**/submissions/*", timeout=60_000)  # by the page itself (look-again.js)
        assert "তৈরি হয়েছে" in page.content() and fits(page), width
        memo = page.locator(".verdict .memo").first.bounding_box()
        assert memo is not None and memo["x"] + memo["width"] <= width
        page.screenshot(path=str(folder / f"built-{width}.png"), full_page=True)
        with page.expect_download() as info:
            page.click("text=cc-2022-23-q2-letter.docx")
        named = info.value.suggested_filename  # this memo is so long that the office's name gives way (255 bytes)
        assert named.startswith("ময়মনসিংহ") and named.endswith(" cc-2022-23-q2-letter.docx"), named
        page.goto(server + "/")
        assert fits(page)
        page.screenshot(path=str(folder / f"list-{width}.png"), full_page=True)
    with Ledger(tmp_path / "state") as ledger:
        records, total = ledger.page()
    print(f"{width}: {len(posts)} POSTs from the triple click, {total} submission(s)")
    assert total == 1 and records[0].status == "built"


@pytest.mark.parametrize("width", [1366, 360])
def test_the_summary_lists_who_did_not_report(tmp_path, browser, width):
    workbook = examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "চট্টগ্রাম.xlsx")
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "roster.txt").write_text(f"চট্টগ্রাম সিটি কর্পোরেশন\n{RAJSHAHI}\n", encoding="utf-8")
    with running_server(tmp_path) as server:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(server + "/upload")
        page.set_input_files("input[name=workbook]", str(workbook))
        page.click("button[type=submit]")
        page.wait_for_url("**/submissions/*", timeout=60_000)
        page.goto(server + "/summary?fiscal_year=2023-24&period=q1")
        row = page.locator("tr", has_text=RAJSHAHI)
        assert "জমা হয়নি" in row.inner_text() and "বিলম্বে" in page.content()
        assert fits(page)
        page.screenshot(path=str(shots(tmp_path) / f"summary-{width}.png"), full_page=True)
