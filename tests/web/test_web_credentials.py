"""One limiter for every way a credential arrives (form, cookie, Authorization header, address), the page saying
when to try again, constant-time comparison; and the headers every response carries."""

import re
import time

import httpx
import pytest
from starlette.testclient import TestClient

from generator.web import create_app, credentials
from tests.support.processes import TEST_HOSTS, running_server
from tests.support.web import csrf

TOKEN = "s3cret-token"


@pytest.fixture
def guarded(tmp_path):
    with TestClient(create_app(out_root=tmp_path / "out", state_dir=tmp_path / "state", token=TOKEN,
                               hosts=TEST_HOSTS)) as c:
        yield c


def test_the_wait_doubles_up_to_a_ceiling_and_never_overflows():
    limiter = credentials.Limiter()
    t0 = time.monotonic()
    waits = [limiter.failed("10.0.0.9", now=t0 + i * 100) for i in range(1100)]  # spaced out: overall refills
    assert waits[:4] == [0.25, 0.5, 1.0, 2.0] and waits[-1] == credentials.MAX_DELAY
    limiter.succeeded("10.0.0.9")
    assert limiter.wait("10.0.0.9", now=t0 + 1100 * 100) == 0


def test_overall_wrong_credentials_are_limited_across_addresses():
    limiter = credentials.Limiter()
    now = time.monotonic()
    for n in range(credentials.OVERALL_BURST):
        limiter.failed(f"10.0.{n}.1", now=now)
    assert limiter.wait("192.168.1.1", now=now) > 0  # a new address waits too: guesses spread over many addresses


def test_a_wrong_token_says_when_to_try_again_and_is_refused_until_then(guarded):
    bad = guarded.post("/login", data={"csrf": csrf(guarded, "/login"), "token": "guess"}, follow_redirects=False)
    assert bad.status_code == 401 and bad.headers["retry-after"] == "1"
    assert "টোকেন সঠিক নয়" in bad.text and "আবার চেষ্টা করুন ১ সেকেন্ড পরে" in bad.text
    assert "Try again in 1 s" in bad.text
    early = guarded.post("/login", data={"csrf": csrf(guarded, "/login"), "token": TOKEN}, follow_redirects=False)
    assert early.status_code == 429 and "Too many wrong tokens" in early.text  # not even compared
    time.sleep(float(early.headers["retry-after"]))
    good = guarded.post("/login", data={"csrf": csrf(guarded, "/login"), "token": TOKEN}, follow_redirects=False)
    assert good.status_code == 303


def test_only_bearer_is_taken_from_the_header_and_never_a_token_in_the_address(guarded):
    assert guarded.get("/", headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200
    raw = guarded.get("/", headers={"authorization": TOKEN}, follow_redirects=False)
    assert raw.status_code == 401 and "Wrong token" in raw.text
    time.sleep(1.1)
    query = guarded.get("/", params={"token": TOKEN}, follow_redirects=False)
    assert query.status_code == 401  # addresses end up in logs: never accepted, and counted as a wrong one


def test_wrong_credentials_by_different_routes_share_one_count(guarded):
    forged = guarded.get("/", cookies={credentials.SESSION_COOKIE: "1.abc.def"}, follow_redirects=False)
    assert forged.status_code == 303 and forged.headers["location"].startswith("/login")  # a browser: to sign in
    header = guarded.get("/", headers={"authorization": "Bearer nope"})
    assert header.status_code == 429  # the cookie's failure holds for the header
    time.sleep(float(header.headers["retry-after"]))
    assert guarded.get("/", headers={"authorization": "Bearer nope"}).status_code == 401
    guarded.cookies.clear()
    login = guarded.post("/login", data={"csrf": csrf(guarded, "/login"), "token": TOKEN}, follow_redirects=False)
    assert login.status_code == 429  # and the header's for the form


def test_a_cookie_of_an_earlier_token_sends_the_clerk_to_sign_in(tmp_path):
    from generator.web.sessions import Sessions

    old = Sessions(tmp_path / "state", "old-token").new()
    with TestClient(create_app(out_root=tmp_path / "out", state_dir=tmp_path / "state", token=TOKEN,
                               hosts=TEST_HOSTS)) as c:
        r = c.get("/summary", cookies={credentials.SESSION_COOKIE: old}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fsummary"


def _guess(client: httpx.Client, base: str, route: str) -> int:
    if route == "form":
        return client.post(base + "/login", data={"csrf": "x", "token": "guess"},
                           cookies={"gen_csrf": "x"}).status_code
    if route == "cookie":
        return client.post(base + "/upload", cookies={credentials.SESSION_COOKIE: "1.abc.def"}).status_code
    if route == "header":
        return client.get(base + "/", headers={"authorization": "Bearer guess"}).status_code
    return client.get(base + "/", params={"token": "guess"}).status_code


@pytest.mark.parametrize("route", ["form", "cookie", "header", "query"])
def test_a_thousand_wrong_tokens_are_throttled_alike_by_every_route(tmp_path, route):
    """Against a real server: of 1,000 wrong tokens sent as fast as one client can, only the few allowed by the
    doubling wait are compared (401); the rest are refused at once (429) with Retry-After."""
    with running_server(tmp_path, "--token", TOKEN) as base, httpx.Client(follow_redirects=False) as client:
        start = time.monotonic()
        codes = [_guess(client, base, route) for _ in range(1000)]
        took = time.monotonic() - start
    compared = codes.count(401)
    print(f"{route}: {compared} compared, {codes.count(429)} refused in {took:.1f} s")
    assert set(codes) <= {401, 429} and 1 <= compared <= 2 + took.__ceil__() // 4 + 6
    assert codes.count(429) >= 1000 - compared


def test_every_response_has_the_security_headers_and_no_store(guarded, tmp_path):
    from tests.support.web import upload
    from generator.xlsx import examples
    from generator.spec.paths import EXAMPLES_DIR

    guarded.get("/", headers={"authorization": f"Bearer {TOKEN}"})
    auth = {"authorization": f"Bearer {TOKEN}"}
    guarded.headers.update(auth)
    data = examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "cc.xlsx").read_bytes()
    built = upload(guarded, "cc.xlsx", data)
    location = built.headers["location"]
    urls = ["/", "/upload", "/blank", "/blank/cc.xlsx", "/summary", "/login", "/nope", location,
            location + "/files/0", "/site.css", "/look-again.js"]
    for url in urls:
        r = guarded.get(url, follow_redirects=False)
        csp = r.headers["content-security-policy"]
        assert "'unsafe-inline'" not in csp and "script-src 'self';" in csp and "frame-ancestors 'none'" in csp, url
        assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY", url
        assert r.headers["referrer-policy"] == "same-origin", url
        assert (r.headers.get("cache-control") == "no-store") == (url not in ("/site.css", "/look-again.js")), url
        assert "style=" not in r.text.lower() or url.endswith(("xlsx", "/0")), url  # no inline style to allow
        assert re.findall(r"<script(?![^>]* src=\"/look-again\.js\")", r.text) == [], url  # no inline script
