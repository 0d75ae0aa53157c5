"""The web page through the ASGI test client: every page, uploads and each refusal, downloads."""

import io
import re
from urllib.parse import unquote
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from generator.xlsx import examples
from generator.spec.paths import EXAMPLES_DIR
from generator.web import create_app
from generator.web.texts import content_disposition, dhaka_time, period_bn
from tests.support.processes import TEST_HOSTS, running_server
from tests.support.workbooks import fill_cc
from tests.support.workbooks import MYMENSINGH, ROWS
from tests.support.web import csrf, links, upload


@pytest.fixture
def app_paths(tmp_path):
    return tmp_path / "out", tmp_path / "state"


@pytest.fixture
def client(app_paths):
    out, state = app_paths
    with TestClient(create_app(out_root=out, state_dir=state, max_upload=200_000, hosts=TEST_HOSTS)) as c:
        yield c


@pytest.fixture
def example_bytes(tmp_path):
    return examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "cc.xlsx").read_bytes()


def test_pages_render_in_bangla_with_english(client):
    for url, words in (("/", ["জমা দেওয়া প্রতিবেদন", "Submissions"]), ("/upload", ["ওয়ার্কবুক আপলোড", "Upload"]),
                       ("/blank", ["ফাঁকা ছক", "cc.xlsx", "minutes.xlsx"])):
        page = client.get(url)
        assert page.status_code == 200 and all(w in page.text for w in words), url


def test_upload_builds_and_the_submission_page_shows_it(client, example_bytes):
    response = upload(client, "চট্টগ্রাম প্রতিবেদন.xlsx", example_bytes)
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "তৈরি" in page.text and "৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২" in page.text and "cc-2023-24-q1-letter.docx" in page.text
    listing = client.get("/", params={"kind": "cc", "status": "built"})
    assert "চট্টগ্রাম সিটি কর্পোরেশন" in listing.text
    assert "১ম ত্রৈমাসিক" in listing.text and "২০২৩-২৪" in listing.text  # the period as a clerk writes it
    assert "চট্টগ্রাম" not in client.get("/", params={"kind": "egov"}).text.split("</form>")[1]
    letter = client.get(response.headers["location"] + "/files/0")
    assert letter.status_code == 200 and letter.content[:2] == b"PK"
    from urllib.parse import quote

    disposition = letter.headers["content-disposition"]  # the office and the memo before the file's own name
    day = re.search(r"%20(%E0%A7%A6|%E0%A7%A7|%E0%A7%A8|%E0%A7%A9)[^ ]*?%20cc-", disposition)
    assert day, disposition  # the day it was submitted, between the memo and the file's own name
    assert quote("চট্টগ্রাম সিটি কর্পোরেশন ৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২ ", safe="") in disposition
    assert disposition.endswith(quote("cc-2023-24-q1-letter.docx", safe=""))
    assert 'filename="_' not in disposition and "cc-2023-24-q1-letter.docx" in disposition.split(";")[1]


def test_rejected_upload_shows_findings_and_offers_the_reports(client, tmp_path):
    from openpyxl import load_workbook

    path = examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "bad.xlsx")
    wb = load_workbook(path)
    ws = wb["পত্র"]
    ws[f"C{next(r[0].row for r in ws.iter_rows(max_col=1) if r[0].value == 'office_name')}"] = None
    buffer = io.BytesIO()
    wb.save(buffer)
    response = upload(client, "bad.xlsx", buffer.getvalue())
    page = client.get(response.headers["location"])
    assert "বাতিল" in page.text and "missing-field" in page.text and "Required field" in page.text
    assert "bad.errors.txt" in page.text and "bad.annotated.xlsx" in page.text
    report = client.get(response.headers["location"] + "/files/0")
    assert report.status_code == 200 and "আবশ্যক" in report.text


def test_scores_and_explanations_on_the_page(client, tmp_path):
    data = examples.write(EXAMPLES_DIR / "egov-mymensingh-2022-23-h1.json", tmp_path / "e.xlsx").read_bytes()
    page = client.get(upload(client, "egov.xlsx", data).headers["location"])
    assert "26.0 of 33.0" in page.text and "১০০% স্তরের লক্ষ্যমাত্রা" in page.text


def test_refusals(client, example_bytes):
    assert upload(client, "big.xlsx", b"PK" + b"0" * 300_000).status_code == 413
    not_workbook = upload(client, "notes.xlsx", b"just text")
    assert not_workbook.status_code == 415 and "Excel ওয়ার্কবুক" in not_workbook.text
    assert upload(client, "report.pdf", example_bytes).status_code == 415
    assert upload(client, "x.xlsx", example_bytes, token="forged").status_code == 403
    cross = client.post("/upload", data={"csrf": csrf(client)}, files={"workbook": ("x.xlsx", example_bytes)},
                        headers={"origin": "http://evil.example"}, follow_redirects=False)
    assert cross.status_code == 403


@pytest.mark.parametrize("url", ["/submissions/999", "/submissions/abc", "/submissions/1/files/5",
                                 "/submissions/1/files/-1", "/blank/..%2F..%2Fetc%2Fpasswd.xlsx",
                                 "/submissions/1/files/..%2F..%2Fregister.sqlite3", "/blank/nope.xlsx"])
def test_path_tricks_find_nothing(client, example_bytes, url):
    upload(client, "ok.xlsx", example_bytes)
    assert client.get(url).status_code == 404


def test_blank_workbook_download(client):
    response = client.get("/blank/minutes.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_token_required_when_configured(app_paths, example_bytes):
    import time

    out, state = app_paths
    with TestClient(create_app(out_root=out, state_dir=state, token="s3cret", hosts=TEST_HOSTS)) as c:
        assert c.get("/", follow_redirects=False).status_code == 303
        assert c.post("/upload", follow_redirects=False).status_code == 401
        bad = c.post("/login", data={"csrf": csrf(c, "/login"), "token": "wrong"}, follow_redirects=False)
        assert bad.status_code == 401
        time.sleep(float(bad.headers["retry-after"]))  # the page said when to try again
        good = c.post("/login", data={"csrf": csrf(c, "/login"), "token": "s3cret"}, follow_redirects=False)
        assert good.status_code == 303 and c.get("/").status_code == 200
        assert c.get("/", headers={"authorization": "Bearer s3cret"}).status_code == 200


def test_content_disposition_is_safe_for_bangla():
    header = content_disposition('পত্র "x"; name.docx')
    assert header.startswith('attachment; filename="') and "\n" not in header
    assert unquote(header.split("filename*=UTF-8''")[1]) == 'পত্র "x"; name.docx'


def test_serve_refuses_an_open_address_without_a_token():
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "generator.cli", "serve", "--host", "0.0.0.0"], capture_output=True,
                         text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert run.returncode == 2 and "--token" in run.stderr


def test_times_in_bangladesh_time_and_periods_in_bangla():
    assert dhaka_time("2026-11-23T07:59:30.123+00:00") == "২৩/১১/২০২৬ ১৩:৫৯"
    assert dhaka_time("2026-11-23T20:00:00+00:00", seconds=True) == "২৪/১১/২০২৬ ০২:০০:০০"  # the next day there
    assert dhaka_time(None) == ""
    assert [period_bn(p) for p in ("q1", "h1", "annual", "2023-24", "2023-06-22", None)] == [
        "১ম ত্রৈমাসিক", "অর্ধবার্ষিক", "বার্ষিক", "২০২৩-২৪", "২০২৩-০৬-২২", ""]


def test_only_the_servers_own_names_are_answered(app_paths, example_bytes):
    """DNS rebinding: a hostile page that points its own name at this address gets 400, list, upload and
    download alike; the names the server was started for work."""
    out, state = app_paths
    with TestClient(create_app(out_root=out, state_dir=state, hosts=("reports.dc-rangpur.gov.bd", *TEST_HOSTS))) as c:
        evil = {"host": "rebind.evil.example:8080", "origin": "http://rebind.evil.example:8080"}
        for url in ("/", "/upload", "/submissions/1/files/0"):
            refused = c.get(url, headers=evil)
            assert refused.status_code == 400 and "This site is not served under that name" in refused.text
        assert c.post("/upload", headers=evil, files={"workbook": ("a.xlsx", example_bytes)}).status_code == 400
        for host in ("localhost:8080", "127.0.0.1", "[::1]:8080", "reports.dc-rangpur.gov.bd", "LOCALHOST.:80"):
            assert c.get("/", headers={"host": host}).status_code == 200, host
    with TestClient(create_app(out_root=out, state_dir=state)) as c:  # the test client's own name: refused
        assert c.get("/").status_code == 400
    with TestClient(create_app(out_root=out, state_dir=state, hosts=("::", "fd00::5", "[FD00:0::6]", *TEST_HOSTS))) as c:
        for host in ("[::]:8080", "[fd00::5]:8080", "[fd00::6]"):
            assert c.get("/", headers={"host": host}).status_code == 200, host


def test_security_headers_on_every_response(client):
    for url in ("/", "/upload", "/nowhere"):
        r = client.get(url)
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert "script-src 'self';" in r.headers["content-security-policy"]  # the site's own file, nothing inline
        assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "same-origin" and "server" not in r.headers


def test_a_bangla_file_name_is_kept_as_typed(client, example_bytes):
    name = "খুলনা সিটি কর্পোরেশন ১ম ত্রৈমাসিক.xlsx"
    r = upload(client, name, example_bytes)
    assert r.status_code == 303
    assert name in client.get(r.headers["location"]).text and name in client.get("/").text


def test_a_huge_submission_number_is_not_found(client):
    assert client.get("/submissions/99999999999999999999").status_code == 404
    assert client.get("/submissions/99999999999999999999/files/0").status_code == 404


def test_the_session_cookie_is_derived_secure_over_https_and_lax(app_paths):
    out, state = app_paths
    with TestClient(create_app(out_root=out, state_dir=state, token="s3cret", hosts=TEST_HOSTS), base_url="https://testserver") as c:
        r = c.post("/login", data={"csrf": csrf(c, "/login"), "token": "s3cret", "next": "/upload"},
                   follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/upload"  # back to the page asked for
        cookie = r.headers["set-cookie"]
        assert "s3cret" not in cookie and "gen_session=" in cookie
        assert "Secure" in cookie and "SameSite=lax" in cookie and "HttpOnly" in cookie
    with TestClient(create_app(out_root=out, state_dir=state, token="s3cret", hosts=TEST_HOSTS)) as c:  # a restart keeps the session
        c.cookies.set("gen_session", cookie.split("gen_session=")[1].split(";")[0])
        assert c.get("/", follow_redirects=False).status_code == 200


def test_sign_in_returns_to_the_page_asked_for_and_sign_out_ends_it(app_paths):
    out, state = app_paths
    with TestClient(create_app(out_root=out, state_dir=state, token="s3cret", hosts=TEST_HOSTS)) as c:
        asked = c.get("/submissions/7", follow_redirects=False)
        assert asked.headers["location"] == "/login?next=%2Fsubmissions%2F7"
        with_query = c.get("/?office=X&page=3", follow_redirects=False)  # the query comes back too
        assert with_query.headers["location"] == "/login?next=%2F%3Foffice%3DX%26page%3D3"
        form = c.get(asked.headers["location"]).text
        assert 'name="next" value="/submissions/7"' in form and "প্রস্থান" not in form  # not signed in yet
        r = c.post("/login", data={"csrf": csrf(c, "/login"), "token": "s3cret", "next": "//evil.example/x"},
                   follow_redirects=False)
        assert r.headers["location"] == "/"  # never to another site
        assert "প্রস্থান" in c.get("/").text
        kept = c.cookies.get("gen_session")
        out_ = c.post("/logout", data={"csrf": csrf(c, "/")}, follow_redirects=False)
        assert out_.status_code == 303 and c.get("/", follow_redirects=False).status_code == 303
        c.cookies.set("gen_session", kept)  # a copy of the cookie kept from before signing out
        assert c.get("/", follow_redirects=False).status_code == 303
    with TestClient(create_app(out_root=out, state_dir=state, token="s3cret", hosts=TEST_HOSTS)) as c:
        c.cookies.set("gen_session", kept)  # nor after a restart
        assert c.get("/", follow_redirects=False).status_code == 303


def test_no_sign_in_page_without_a_token(client):
    r = client.get("/login", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert "প্রস্থান" not in client.get("/").text


def test_a_blank_token_is_refused_at_start():
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "generator.cli", "serve", "--token", "   "], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 2 and "blank" in run.stderr


def test_every_error_page_has_the_layout_in_bangla_and_english(app_paths, example_bytes):
    out, state = app_paths
    from starlette.routing import Route

    app = create_app(out_root=out, state_dir=state, max_upload=200_000, hosts=TEST_HOSTS)

    async def boom(request):  # a handler that fails, as a bug would
        raise RuntimeError("CalamineError: internal detail")

    app.router.routes.append(Route("/boom", boom))

    with TestClient(app, raise_server_exceptions=False) as c:
        pages = {
            404: c.get("/submissions/99999999999999999999"),
            405: c.put("/upload"),
            403: c.post("/upload", data={"csrf": "forged"}, files={"workbook": ("a.xlsx", example_bytes)}),
            413: c.post("/upload", content=b"x" * 400_000, headers={"content-type": "multipart/form-data; boundary=x"}),
            415: upload(c, "notes.pdf", b"%PDF-1.4"),
            500: c.get("/boom"),
        }
        for status, r in pages.items():
            assert r.status_code == status, (status, r.text[:200])
            assert "প্রতিবেদন সার্ভিস" in r.text and "Report service" in r.text, status  # the site's layout
            assert any("\u0980" <= ch <= "\u09ff" for ch in r.text.split("</header>")[1]), status
        assert "CalamineError" not in pages[500].text and "জমার তালিকায় ফিরুন" in pages[404].text
        assert "MB" in pages[413].text
        for status in (403, 413):  # a refused upload leads back to the form, not only to the list
            assert 'href="/upload">আপলোডের পাতায় ফিরুন' in pages[status].text, status
        assert "আপলোডের পাতায় ফিরুন" not in pages[404].text


def test_the_cap_is_on_the_file_not_the_form(app_paths):
    out, state = app_paths
    cap = 200_000
    with TestClient(create_app(out_root=out, state_dir=state, max_upload=cap, hosts=TEST_HOSTS)) as c:
        assert "0.190735 MB" in c.get("/upload").text  # the real cap, not a fixed 10 MB
        just_under = b"PK" + b"\0" * (cap - 2)  # not a workbook, but not refused for its size
        assert upload(c, "a.xlsx", just_under).status_code == 415
        over = b"PK" + b"\0" * (cap + 1)
        r = upload(c, "a.xlsx", over)
        assert r.status_code == 413 and "too large" in r.text


def test_the_rejected_page_says_what_happened_and_what_to_do(client, tmp_path):
    bad = fill_cc(tmp_path, dict(MYMENSINGH, recipient=None, memo_prefix="-"), ROWS, name="bad.xlsx")
    r = upload(client, "bad.xlsx", bad.read_bytes())
    page = client.get(r.headers["location"]).text
    top = page.split('<div class="box">')[0]
    assert "বাতিল: এই ওয়ার্কবুক থেকে পত্র তৈরি হয়নি" in top and "verdict-bad" in top
    assert "২টি ত্রুটি" in top and "2 errors" in top
    assert "লাল ঘরগুলো ঠিক করে আবার জমা দিন" in top and ".annotated.xlsx" not in top.split("files/")[0][-5:]
    assert 'files/1">লাল দাগ দেওয়া কপিটি নামান' in top  # the marked-up copy's link
    findings = page.split("Findings")[1]
    assert findings.index("ত্রুটি") < findings.index("সতর্কতা") if "সতর্কতা" in findings else True
    again = upload(client, "bad.xlsx", bad.read_bytes())  # the same file, later: still rejected, in Bangla
    assert again.headers["location"] == r.headers["location"]  # within moments: the same submission (double-click)


def test_a_file_rejected_as_a_whole_is_not_told_to_correct_red_cells(client):
    import io
    import zipfile

    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "not xml at all")
    page = client.get(upload(client, "broken.xlsx", broken.getvalue()).headers["location"]).text
    top = page.split('<div class="box">')[0]
    assert "বাতিল" in top and "error is in the file as a whole" in top and "পুরো ফাইলে" in top
    assert "red cells" not in top and "লাল ঘরগুলো" not in top  # there are none: no copy with cells marked


def test_an_unchanged_rejected_file_sent_again_later_says_it_is_still_rejected(app_paths, tmp_path):
    import sqlite3

    out, state = app_paths
    bad = fill_cc(tmp_path, dict(MYMENSINGH, recipient=None), ROWS, name="bad.xlsx").read_bytes()
    with TestClient(create_app(out_root=out, state_dir=state, hosts=TEST_HOSTS)) as c:
        first = upload(c, "bad.xlsx", bad).headers["location"]
        db = sqlite3.connect(state / "register.sqlite3")
        db.execute("UPDATE files SET received_at = '2020-01-01T00:00:00.000+00:00'")  # sent long ago
        db.commit()
        db.close()
        second = upload(c, "bad.xlsx", bad).headers["location"]
        assert second != first
        page = c.get(second).text
        assert "এখনও বাতিল" in page and "Still rejected" in page and f'href="{first}"' in page
        assert "ledger entry" not in page.split("</h2>")[1].split("<table")[0]


def test_the_error_list_names_the_workbook_as_the_office_sent_it(client, tmp_path):
    bad = fill_cc(tmp_path, dict(MYMENSINGH, recipient=None), ROWS, name="x.xlsx").read_bytes()
    page = client.get(upload(client, "20240615-ময়মনসিংহ.xlsx", bad).headers["location"]).text
    errors = next(href for name, href in links(page).items() if name.endswith(".errors.txt"))
    first_line = client.get(errors).content.decode("utf-8-sig").splitlines()[0]
    assert first_line == "20240615-ময়মনসিংহ.xlsx: গ্রহণ করা যায়নি / rejected"  # no upload tag before it


def test_reports_open_in_notepad_and_messages_point_to_the_site(client):
    r = upload(client, "fake.xlsx", b"PK\x03\x04" + b"\0" * 100)
    page = client.get(r.headers["location"]).text if r.status_code == 303 else r.text
    assert "gen template" not in page
    xls = upload(client, "old.xls", b"\xd0\xcf\x11\xe0")
    assert xls.status_code == 415 and ".xlsx হিসেবে সংরক্ষণ" in xls.text and "save it as .xlsx" in xls.text
    locked = upload(client, "locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)  # Excel's encrypted .xlsx
    assert locked.status_code == 415 and "পাসওয়ার্ড দিয়ে সুরক্ষিত" in locked.text and "password-protected" in locked.text
    assert "not an Excel workbook" not in locked.text  # as `gen build` says: it is one, locked


def test_errors_txt_has_a_bom_and_crlf(tmp_path):
    from generator.service import pipeline

    bad = fill_cc(tmp_path, dict(MYMENSINGH, recipient=None), ROWS, name="bad.xlsx")
    result = pipeline.build(bad, out_root=tmp_path / "out", state_dir=tmp_path / "state")
    data = Path(next(p for p in result.outputs if p.endswith(".errors.txt"))).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


def test_kinds_by_their_bangla_plan_names_and_unscored_reports(client, example_bytes):
    upload(client, "cc.xlsx", example_bytes)
    listing = client.get("/").text
    assert "সেবা প্রদান প্রতিশ্রুতি" in listing
    page = client.get("/submissions/1").text
    assert "সেবা প্রদান প্রতিশ্রুতি" in page and "০ / ০" not in page


@pytest.mark.parametrize("flag, secure", [((), False), (("--proxy-headers",), True)])
def test_forwarded_https_is_believed_only_when_asked(tmp_path, flag, secure):
    import httpx

    with running_server(tmp_path, "--token", "s3cret", *flag) as base:
        form = httpx.get(base + "/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        r = httpx.post(base + "/login", data={"csrf": token, "token": "s3cret", "next": "/"}, cookies=form.cookies,
                       headers={"x-forwarded-proto": "https"})
        assert r.status_code == 303 and "server" not in r.headers
        assert ("Secure" in r.headers["set-cookie"]) == secure


def _seed(state, n, **fields):
    """n finished ledger entries (ids in order, so the last is the newest); `fields` by index → value."""
    from generator.records.ledger import Ledger

    with Ledger(state) as led:
        for i in range(n):
            meta = {k: (v(i) if callable(v) else v) for k, v in fields.items()}
            id = led.start(f"file-{i:03d}.xlsx", f"{i:064x}", route="web")
            led.finish(id, meta.pop("status", "built"), details={"score": {"total": 7.5, "possible": 10.0}}, **meta)


def _names(page):
    return re.findall(r">file-(\d{3})\.xlsx<", page.text)


def test_the_list_is_paged_newest_first_and_keeps_its_filters(client, app_paths):
    _seed(app_paths[1], 51, office="খুলনা সিটি কর্পোরেশন", kind="cc", fiscal_year="2023-24", period="q1")
    first = client.get("/")
    assert _names(first) == [f"{i:03d}" for i in range(50, 0, -1)]  # 50 a page, newest first
    assert "পাতা ১ / ২" in first.text and "Page 1 of 2" in first.text and "মোট ৫১টি জমা" in first.text
    assert "পরের পাতা" in first.text and 'href="/?page=2"' in first.text and 'href="/?page=0"' not in first.text
    assert "৭.৫ / ১০" in first.text  # the score, from its own columns
    second = client.get("/?page=2")
    assert _names(second) == ["000"] and "পাতা ২ / ২" in second.text and 'href="/?page=1"' in second.text
    assert "showing 51–51" in second.text
    # the filters are kept in the page links
    filtered = client.get("/", params={"office": "খুলনা সিটি কর্পোরেশন", "kind": "cc"})
    assert 'href="/?office=%E0%A6%96' in filtered.text and "kind=cc&amp;page=2" in filtered.text
    # past the end: the last page; not a number: the first
    assert _names(client.get("/?page=99")) == ["000"] and _names(client.get("/?page=99999999999999999999999")) == ["000"]
    for odd in ("abc", "-3", "0", ""):
        assert _names(client.get(f"/?page={odd}"))[0] == "050", odd
    # one page: no page links
    assert "পরের পাতা" not in client.get("/", params={"status": "nothing"}).text


def test_filters_are_applied_in_the_database(client, app_paths):
    offices = ["জেলা প্রশাসকের কার্যালয়, রংপুর", "খুলনা সিটি কর্পোরেশন", ""]
    _seed(app_paths[1], 60, office=lambda i: offices[i % 3] or None, kind=lambda i: ("cc", "grs")[i % 2],
          fiscal_year="2023-24", period=lambda i: ("q1", "q2", "h1")[i % 3],
          status=lambda i: "rejected" if i % 5 == 0 else "built")
    page = client.get("/", params={"office": offices[0], "kind": "grs", "status": "built"})
    expected = [f"{i:03d}" for i in range(59, -1, -1) if i % 3 == 0 and i % 2 == 1 and i % 5]
    assert _names(page) == expected and f"{len(expected)} submissions;" in page.text
    options = re.findall(r'<option value="([^"]*)"', page.text)
    assert options.count("") == 5 and offices[0] in options and "grs" in options and "q2" in options
    assert 'value="grs" selected' in page.text and 'value="cc"' in page.text  # every value stays choosable

    from generator.records.ledger import Ledger

    with Ledger(app_paths[1]) as led:
        choices = led.choices()
        records, total = led.page({"period": "q2", "status": "rejected"}, limit=3)
        with pytest.raises(ValueError):
            led.page({"name": "x"})
    assert choices == {"office": sorted(offices[:2]), "kind": ["cc", "grs"], "fiscal_year": ["2023-24"],
                       "period": ["h1", "q1", "q2"], "status": ["built", "rejected"]}
    assert total == 4 and [r.id for r in records] == [56, 41, 26] and records[0].details is None
    assert records[0].score_total == 7.5 and records[0].score_possible == 10.0


def test_an_older_ledger_gets_its_scores_and_indexes(tmp_path):
    """Migration 4: the files recorded before it keep their scores in the list."""
    import json
    import sqlite3

    from generator.records import state
    from generator.records.ledger import Ledger, _where

    db = sqlite3.connect(tmp_path / state.FILE_NAME, isolation_level=None)
    for step in state.MIGRATIONS[:3]:
        for statement in step:
            statement(db) if callable(statement) else db.execute(statement)
    db.execute("PRAGMA user_version = 3")
    for score in ({"total": 19.55, "possible": 25.0}, None):
        db.execute("INSERT INTO files (name, file_hash, status, received_at, details) VALUES ('a', 'h', 'built', "
                   "'2024-01-01T00:00:00+00:00', ?)", (json.dumps({"score": score}),))
    db.close()
    with Ledger(tmp_path) as led:
        records, total = led.page()
        where, args = _where({"status": "built", "office": "x"})
        plan = " ".join(r[3] for r in led.db.execute(f"EXPLAIN QUERY PLAN SELECT id FROM files WHERE {where} "
                                                         "ORDER BY id DESC", args))
    assert total == 2 and [(r.score_total, r.score_possible) for r in records] == [(None, None), (19.55, 25.0)]
    assert "files_by_office" in plan and "TEMP B-TREE" not in plan  # the office's index, already in id order


def test_a_session_lasts_a_working_day_and_a_new_token_ends_every_session(app_paths):
    from generator.web.sessions import MAX_AGE, Sessions

    out, state = app_paths
    sessions = Sessions(state, "s3cret")
    cookie = sessions.new()
    assert sessions.valid(cookie) and not Sessions(state, "another").valid(cookie)
    issued, nonce, _ = cookie.split(".")
    old = f"{int(issued) - MAX_AGE - 1}.{nonce}"
    assert not sessions.valid(f"{old}.{sessions._sign(old)}")  # signed, but too old
    assert not sessions.valid("1.2.3") and not sessions.valid("")


def test_the_busy_page_names_no_path_and_no_database_error(app_paths, example_bytes, monkeypatch):
    from generator.service import intake
    from generator.records.state import StateError

    out, state = app_paths

    def locked(*args, **kwargs):
        raise StateError(state, "database is locked")

    monkeypatch.setattr(intake, "receive", locked)
    with TestClient(create_app(out_root=out, state_dir=state, hosts=TEST_HOSTS)) as c:
        r = upload(c, "cc.xlsx", example_bytes)
    assert r.status_code == 503 and "সার্ভার এখন ব্যস্ত" in r.text and "The server is busy" in r.text
    assert str(state) not in r.text and "locked" not in r.text and "--state" not in r.text


def test_a_long_office_name_gives_way_to_the_memo_and_the_file_name():
    from generator.records.ledger import Record
    from generator.web.texts import download_name

    record = Record(1, "x.xlsx", "h", "built", "কেসিসি/সেঃবিঃ/২২-১৪০৬", "cc", "ক" * 120 + " / কার্যালয়", "2023-24",
                    "q1", [], None, None, "2024-01-01T00:00:00", None, None)
    letter = download_name(record, Path("/out/v/cc-2023-24-q1-letter.docx"))
    annex = download_name(record, Path("/out/v/cc-2023-24-q1-annex.docx"))
    assert letter.endswith(" কেসিসি-সেঃবিঃ-২২-১৪০৬ ০১-০১-২০২৪ cc-2023-24-q1-letter.docx") and letter != annex
    assert len(letter.encode()) <= 255 and "/" not in letter


def test_an_earlier_version_saved_again_says_its_letter_is_not_the_one_to_send(client, tmp_path):
    """Found by a hostile run: version 1, then a corrected version 2, then version 1 again saved by Excel (the
    same content, other bytes) showed only 'Built' with version 1's memo, as if it were the letter to send."""
    import copy
    import zipfile

    v1 = fill_cc(tmp_path, MYMENSINGH, ROWS, name="v1.xlsx").read_bytes()
    corrected = copy.deepcopy(ROWS)
    corrected[0]["remarks"] = "সংশোধিত"
    v2 = fill_cc(tmp_path, MYMENSINGH, corrected, name="v2.xlsx").read_bytes()
    saved_again = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(v1)) as z, zipfile.ZipFile(saved_again, "w", zipfile.ZIP_DEFLATED,
                                                               compresslevel=1) as w:
        for info in z.infolist():
            w.writestr(info.filename, z.read(info))
    assert saved_again.getvalue() != v1
    first = client.get(upload(client, "v1.xlsx", v1).headers["location"]).text
    assert "চলতি সংস্করণ নয়" not in first and "not the current version" not in first
    second_at = upload(client, "v2.xlsx", v2).headers["location"]
    second_memo = re.search(r'Built: memo <span class="memo">([^<]+)<', client.get(second_at).text).group(1)
    again = client.get(upload(client, "v1 again.xlsx", saved_again.getvalue()).headers["location"]).text
    assert "submitted before (saved differently)" in again and "নতুন নম্বর নেওয়া হয়নি" in again
    assert "This is not the current version" in again and "চলতি সংস্করণ নয়" in again
    assert f'memo <span class="memo">{second_memo}</span> (<a href="{second_at}">' in again
    assert again.index("not-current") < again.index("verdict-good")  # a red box of its own, above the verdict
    first_again = client.get("/submissions/1").text  # the first page says so now too, and not to sign its files
    assert "not the current version" in first_again and "do not sign and send them" in first_again
    assert "Download the files below and sign them" not in first_again
    current = client.get(second_at).text
    assert "not the current version" not in current and "Download the files below and sign them" in current
    other_section = dict(MYMENSINGH, memo_prefix="৪৬.২১.৬১০০.০৫০.১৮.০০১.২২")  # the same office, another section
    other_at = upload(client, "other.xlsx", fill_cc(tmp_path, other_section, corrected, name="o.xlsx").read_bytes())
    assert "Built: memo" in client.get(other_at.headers["location"]).text
    assert "not the current version" not in client.get(second_at).text  # another section's letter is its own
    import sqlite3

    db = sqlite3.connect(tmp_path / "state" / "register.sqlite3")
    db.execute("UPDATE files SET received_at = '2020-01-01T00:00:00.000+00:00'")  # sent long ago: not a double click
    db.commit()
    db.close()
    same_bytes = client.get(upload(client, "v1.xlsx", v1).headers["location"]).text  # the very first file, again
    assert "This very file was submitted before" in same_bytes and "This is not the current version" in same_bytes


def test_only_the_desks_own_upload_tag_is_dropped_from_a_name():
    from generator.spec.paths import as_sent
    from generator.web import uploads

    assert as_sent("0badc0de-ময়মনসিংহ.xlsx") == "ময়মনসিংহ.xlsx" and as_sent("1234567f-a.xlsx") == "a.xlsx"
    assert as_sent("20240615-ময়মনসিংহ.xlsx") == "20240615-ময়মনসিংহ.xlsx"  # an office's own date stays
    assert as_sent("deadbeef.xlsx") == "deadbeef.xlsx" and as_sent("") == ""

    class Desk:
        evidence = Path("/nonexistent")

    assert all(not uploads.new_tag(Desk()).isdigit() for _ in range(2000))  # so a tag is never taken for a date


def test_two_workbooks_in_one_upload_are_refused_not_one_dropped(client, example_bytes, app_paths):
    """Found by a hostile run: a form (not ours: a script's) with two workbook parts built the second and dropped the
    first without a word."""
    answer = client.post("/upload", data={"csrf": csrf(client)}, follow_redirects=False,
                         files=[("workbook", ("a.xlsx", example_bytes)), ("workbook", ("b.xlsx", example_bytes))])
    assert answer.status_code == 400 and "one workbook at a time" in answer.text
    assert "a.xlsx" not in client.get("/").text and "b.xlsx" not in client.get("/").text


def test_two_versions_noted_in_one_order_and_numbered_in_the_other_say_which_to_send_by_their_memos(tmp_path):
    """helper-48: two versions of one report built at once (two workers, --jobs 2), the first noted in the ledger
    numbered second. The folder's current view is the higher serial; the page said the opposite (by ledger id):
    the current letter's page said in red that it was not the one to send, the older one's said nothing."""
    from generator.records.ledger import Ledger
    from generator.service import ledgering, pipeline
    from generator.xlsx.source import load

    first_noted = fill_cc(tmp_path / "a", MYMENSINGH, ROWS, name="A.xlsx")
    second_noted = fill_cc(tmp_path / "b", {**MYMENSINGH, "office_website": "www.corrected.gov.bd"}, ROWS,
                           name="B.xlsx")
    out, state = tmp_path / "out", tmp_path / "state"
    with Ledger(state) as ledger:
        a = ledger.start("A.xlsx", load(first_noted).digest, route="web")
        b = ledger.start("B.xlsx", load(second_noted).digest, route="web")
    built_b = pipeline.build(load(second_noted), out_root=out, state_dir=state, submission=b)  # numbered first
    built_a = pipeline.build(load(first_noted), out_root=out, state_dir=state, submission=a)
    with Ledger(state) as ledger:
        ledgering.finish(ledger, b, built_b)
        ledgering.finish(ledger, a, built_a)
    assert built_b.memo.endswith("-১") and built_a.memo.endswith("-২")
    [current] = out.rglob("CURRENT.txt")
    assert f"memo: {built_a.memo}" in current.read_text(encoding="utf-8")
    with TestClient(create_app(out_root=out, state_dir=state, hosts=TEST_HOSTS)) as client:
        assert "This is not the current version" not in client.get(f"/submissions/{a}").text
        older = client.get(f"/submissions/{b}").text
        assert "This is not the current version" in older and built_a.memo in older
