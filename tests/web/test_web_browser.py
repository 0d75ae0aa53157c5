"""End to end in a real headless Chromium (Debian's package, driven by Playwright): upload, see it built, download."""

import os

import pytest

from generator.xlsx import examples
from generator.spec.paths import EXAMPLES_DIR
from tests.support.docx import docx_text
from tests.support.processes import running_server



@pytest.fixture
def server(tmp_path):
    with running_server(tmp_path) as address:
        yield address




def test_upload_see_it_built_and_download_the_letter(server, browser, tmp_path):
    workbook = examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "চট্টগ্রাম.xlsx")
    page = browser.new_page(accept_downloads=True)
    page.goto(server + "/upload")
    page.set_input_files("input[name=workbook]", str(workbook))
    page.click("button[type=submit]")
    page.wait_for_url("**/submissions/*")
    assert "তৈরি" in page.content() and "৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২" in page.content()
    page.screenshot(path=str(tmp_path / "submission.png"), full_page=True)
    with page.expect_download() as info:
        page.click("text=cc-2023-24-q1-letter.docx")
    letter = tmp_path / info.value.suggested_filename
    info.value.save_as(letter)
    assert "স্মারক: ৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২" in docx_text(letter)
    page.goto(server + "/")
    assert "চট্টগ্রাম সিটি কর্পোরেশন" in page.content()
    page.screenshot(path=str(tmp_path / "list.png"), full_page=True)


@pytest.mark.parametrize("width", [1366, 390])
def test_pages_are_styled_and_fit_the_window(server, browser, tmp_path, width):
    """The page's own CSS applies under its Content-Security-Policy (a policy without 'unsafe-inline' styles
    left every page bare), and no page scrolls sideways, on a desktop or a phone."""
    from tests.support.workbooks import fill_cc
    from tests.support.workbooks import MYMENSINGH, ROWS

    bad = fill_cc(tmp_path, dict(MYMENSINGH, recipient=None), ROWS,
                  name="খুলনা সিটি কর্পোরেশনের বাতিল হওয়া দীর্ঘ নামের ওয়ার্কবুক.xlsx")
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(server + "/upload")
    page.set_input_files("input[name=workbook]", str(bad))
    page.click("button[type=submit]")
    page.wait_for_url("**/submissions/*")
    assert "বাতিল: এই ওয়ার্কবুক থেকে পত্র তৈরি হয়নি" in page.content() and bad.name in page.content()
    for url in ("/", "/upload", "/blank", "/submissions/99999", "/submissions/1"):
        page.goto(server + url)
        assert page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor") == "rgb(31, 78, 121)"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (url, width)
        page.screenshot(path=str(tmp_path / f"page-{url.strip('/').replace('/', '-') or 'list'}-{width}.png"))
    page.goto(server + "/submissions/1")  # a finding's message has the room; its cell reference is never cut
    message, reference_lines = page.evaluate("""(() => { const row = document.querySelectorAll('table.findings tr')[1];
        const range = document.createRange(); range.selectNodeContents(row.querySelector('td.cell'));
        return [row.cells[2].getBoundingClientRect().width, range.getClientRects().length]; })()""")
    assert message >= 0.6 * width and reference_lines == 1, (message, reference_lines)
    huge = tmp_path / "বড় ফাইল.xlsx"
    huge.write_bytes(b"PK" + b"\0" * (10 * 1024 * 1024 + 1))  # one byte over the default cap
    page.goto(server + "/upload")
    page.set_input_files("input[name=workbook]", str(huge))
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "ফাইলটি খুব বড়" in page.content() and "The file is too large" in page.content()
    assert page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor") == "rgb(31, 78, 121)"


LONG_OFFICE = "উপজেলা নির্বাহী অফিসারের কার্যালয়, সদর উপজেলা, কিশোরগঞ্জ জেলা, ঢাকা বিভাগ, গণপ্রজাতন্ত্রী বাংলাদেশ সরকার"


def _many_rows(state, n=60):
    from generator.records.ledger import Ledger

    with Ledger(state) as led:
        for i in range(n):
            id = led.start(f"{LONG_OFFICE} বার্ষিক কর্মসম্পাদন চুক্তি প্রতিবেদন {i}.xlsx", f"{i:064x}", route="web")
            led.finish(id, "built", memo=f"৪৬.১১.১৬০০.০০১.১৮.০৪১.২৩-{i}", kind="egov", office=LONG_OFFICE,
                       fiscal_year="2023-24", period="h1", details={"score": {"total": 26.0, "possible": 33.0}})


def test_the_list_stays_within_a_phone_and_a_desktop_window(server, browser, tmp_path):
    """Long Bangla names wrap and the table scrolls inside its own box, and on a phone each submission is a card
    with every field labelled: the page never scrolls sideways (under the site's own Content-Security-Policy)."""
    _many_rows(tmp_path / "state")
    from generator.records.ledger import Ledger

    with Ledger(tmp_path / "state") as led:  # the newest: a name with no space to break at
        led.finish(led.start("ক" * 150 + "_" + "x" * 150 + ".xlsx", "f" * 64, route="web"), "rejected")
    for width, height in ((390, 844), (1366, 768)):
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(server + "/")
        assert LONG_OFFICE in page.content() and "পাতা ১ / ২" in page.content()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
        box = page.evaluate("(() => { const w = document.querySelector('.table-wrap'); "
                            "return [w.clientWidth, w.scrollWidth, getComputedStyle(w).overflowX]; })()")
        assert box[0] <= width and box[2] == "auto"
        assert width < 1000 or box[1] <= box[0], box  # on a desktop the long name wraps: nothing to scroll to
        status = page.evaluate("document.querySelectorAll('.table-wrap tr')[1].cells[2].getBoundingClientRect().right")
        assert "status-rejected" in page.evaluate("document.querySelectorAll('.table-wrap tr')[1].cells[2].className")
        assert status <= width, status  # a phone sees each file's status without scrolling
        if width < 1000:  # a phone sees every field of a submission, each under its label, without scrolling at all
            assert box[1] <= box[0], box
            built = "document.querySelectorAll('.table-wrap tr')[2]"
            rights = page.evaluate(f"Array.from({built}.cells).map(c => c.getBoundingClientRect().right)")
            assert len(rights) == 8 and max(rights) <= width, rights
            labels = page.evaluate(f"Array.from({built}.cells).map(c => getComputedStyle(c, '::before').content)")
            assert labels[3] == '"অফিস · Office"' and labels[6] == '"স্মারক · Memo"', labels
            assert "৪৬.১১.১৬০০.০০১.১৮.০৪১.২৩-" in page.evaluate(f"{built}.cells[6].innerText")
        page.screenshot(path=str(tmp_path / f"list-{width}.png"), full_page=True)
        page.close()


@pytest.mark.parametrize("width", [1366, 390])
def test_upload_with_evidence_gives_one_pdf_for_e_nothi(tmp_path, browser, width):
    """Chromium's own multipart form with several evidence files: the submission lists the e-Nothi PDF first and
    it downloads; evidence over the cap gets the page saying so (not a reset connection). Needs PDFs."""
    from PIL import Image

    from tests.support.office import need_libreoffice

    need_libreoffice(warm=True)
    workbook = examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "চট্টগ্রাম.xlsx")
    evidence = [tmp_path / "সভার ছবি.jpg", tmp_path / "scan.png"]
    Image.new("RGB", (1200, 900), "white").save(evidence[0], "JPEG")
    Image.new("RGB", (600, 800), "gray").save(evidence[1], "PNG")
    big = tmp_path / "বড় ছবি.jpg"
    big.write_bytes(b"\xff\xd8\xff" + os.urandom(2 * 1024 * 1024))
    with running_server(tmp_path, "--pdf", "--max-evidence", "1") as server:
        page = browser.new_page(viewport={"width": width, "height": 900}, accept_downloads=True)
        page.goto(server + "/upload")
        assert page.locator("input[name=evidence][multiple]").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(tmp_path / f"upload-{width}.png"), full_page=True)
        page.set_input_files("input[name=workbook]", str(workbook))
        page.set_input_files("input[name=evidence]", [str(p) for p in evidence])
        page.click("button[type=submit]")
        page.wait_for_url("**/submissions/*", timeout=120_000)
        assert "ই-নথির জন্য একটি PDF (পত্রের সব PDF, প্রমাণক দেওয়া হলে তা-ও)" in page.content()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(tmp_path / f"built-{width}.png"), full_page=True)
        with page.expect_download() as info:
            page.click("text=cc-2023-24-q1-bundle.pdf")
        assert info.value.suggested_filename.endswith("bundle.pdf")
        info.value.save_as(tmp_path / "bundle.pdf")
        assert (tmp_path / "bundle.pdf").read_bytes().startswith(b"%PDF-")
        page.goto(server + "/upload")
        page.set_input_files("input[name=workbook]", str(workbook))
        page.set_input_files("input[name=evidence]", [str(big)])
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert "প্রমাণক ফাইলগুলো মিলে খুব বড়: সর্বোচ্চ ১ MB" in page.content()
        page.screenshot(path=str(tmp_path / f"too-much-{width}.png"), full_page=True)
