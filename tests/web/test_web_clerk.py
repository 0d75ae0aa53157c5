"""What the clerk sees: Bangla labels in the filters and statuses, warnings listed with their text, downloads
named after the office, kind, period and memo, English marked as English."""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from starlette.testclient import TestClient

from generator.records.ledger import Record
from generator.spec.paths import EXAMPLES_DIR
from generator.web import create_app
from generator.web.texts import download_name
from generator.xlsx import examples
from tests.support.processes import TEST_HOSTS
from tests.support.web import upload
from tests.support.workbooks import MYMENSINGH, ROWS, fill_cc


@pytest.fixture
def client(tmp_path):
    with TestClient(create_app(out_root=tmp_path / "out", state_dir=tmp_path / "state", hosts=TEST_HOSTS)) as c:
        yield c


def test_filters_and_statuses_show_bangla_words_not_codes(client, tmp_path):
    data = examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "cc.xlsx").read_bytes()
    upload(client, "cc.xlsx", data)
    page = client.get("/").text
    options = re.findall(r"<option value=\"([^\"]*)\"[^>]*>([^<]*)</option>", page)
    shown = dict(options)
    assert shown["cc"] == "সেবা প্রদান প্রতিশ্রুতি কর্মপরিকল্পনা" or shown["cc"].startswith("সেবা প্রদান প্রতিশ্রুতি")
    assert shown["built"] == "তৈরি" and shown["q1"] == "১ম ত্রৈমাসিক"
    assert all(label not in ("cc", "built", "rejected") for _, label in options)


def test_warnings_of_a_built_report_are_listed_with_their_text(client, tmp_path):
    rows = [dict(ROWS[0], unit=None)] + ROWS[1:]  # a blank unit: built, with a warning
    data = fill_cc(tmp_path, MYMENSINGH, rows, name="warned.xlsx").read_bytes()
    page = client.get(upload(client, "warned.xlsx", data).headers["location"]).text
    verdict = page.split('class="verdict')[1].split("</div>")[0]
    assert "তৈরি হয়েছে" in verdict and "একক ফাঁকা" in verdict and "Unit is empty" in verdict
    assert "<li>" in verdict


def test_every_download_of_a_built_report_names_office_kind_period_memo_and_date():
    record = Record(1, "ab12cd34-x.xlsx", "h", "built", "৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২", "cc",
                    "চট্টগ্রাম সিটি কর্পোরেশন", "2023-24", "q1", [], None, None, "2024-01-01T00:00:00", None, None)
    for own in ("cc-2023-24-q1-letter.pdf", "cc-2023-24-q1-bundle.pdf", "cc-2023-24-q1-annex.docx"):
        name = download_name(record, Path("/out/v") / own)
        assert name == f"চট্টগ্রাম সিটি কর্পোরেশন ৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২ ০১-০১-২০২৪ {own}", name


def test_english_beneath_bangla_is_marked_as_english(client):
    for url in ("/", "/upload", "/blank", "/summary", "/nope"):
        html = client.get(url).text
        assert 'class="en"' in html and not re.search(r'class="en[^"]*"(?! lang="en")', html), url


def test_the_download_header_carries_the_bangla_name_for_every_browser(client, tmp_path):
    data = examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "cc.xlsx").read_bytes()
    where = upload(client, "cc.xlsx", data).headers["location"]
    page = client.get(where).text
    for n in re.findall(rf'href="{where}/files/(\d+)"', page):
        header = client.get(f"{where}/files/{n}").headers["content-disposition"]
        full = unquote(header.split("filename*=UTF-8''")[1])
        assert re.fullmatch(r"চট্টগ্রাম সিটি কর্পোরেশন ৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২ [০-৯]{2}-[০-৯]{2}-[০-৯]{4} "
                            r"cc-2023-24-q1-[a-z]+\.(docx|pdf)", full), full


def test_a_build_that_ran_out_of_time_is_not_blamed_on_the_clerks_file(client, tmp_path):
    from generator.records.ledger import Ledger

    with Ledger(tmp_path / "state") as ledger:
        id = ledger.start("ab12cd34-slow.xlsx", "f" * 64, route="web")
        ledger.finish(id, "rejected", note="could not be processed", details={"issues": [
            {"severity": "error", "code": "took-too-long", "message_bn": "থামানো হয়েছে", "message_en": "stopped",
             "sheet": None, "cell": None}]})
    page = client.get(f"/submissions/{id}").text
    assert "সার্ভারের সমস্যাও হতে পারে" in page and "may be the server's fault, not your file's" in page
    assert "correct the red cells" not in page
