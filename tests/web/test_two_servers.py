"""Two real `gen serve` (each with its own local folder, as on two machines) on one PostgreSQL state: a clerk
signed in through one is signed in on the other, signing out on one holds on both, and wrong tokens sent to
either are counted together (the throttle lives in the database)."""

import re
import time

import httpx
import psycopg

from tests.support.processes import running_server

TOKEN = "the-office-token"


def _csrf(client: httpx.Client, path: str = "/upload") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def _wrong(client: httpx.Client) -> httpx.Response:
    return client.get("/", headers={"authorization": "Bearer not-the-token"})


def test_sessions_and_wrong_tokens_are_shared_by_two_servers_on_one_postgresql(postgres, tmp_path):
    one_dir, two_dir = tmp_path / "one", tmp_path / "two"
    one_dir.mkdir(), two_dir.mkdir()
    with running_server(one_dir, "--state", postgres, "--token", TOKEN, env={"GEN_STATE_DIR": str(one_dir / "local")}) \
            as one_url, \
            running_server(two_dir, "--state", postgres, "--token", TOKEN, env={"GEN_STATE_DIR": str(two_dir / "local")}) \
            as two_url, \
            httpx.Client(base_url=one_url) as one, httpx.Client(base_url=two_url) as two:
        signed = one.post("/login", data={"csrf": _csrf(one, "/login"), "token": TOKEN, "next": "/"})
        assert signed.status_code == 303, signed.text[:300]
        session = one.cookies["gen_session"]
        two.cookies.set("gen_session", session)
        assert two.get("/").status_code == 200  # signed in on one, in on two

        out = two.post("/logout", data={"csrf": _csrf(two)})  # signed out on two …
        assert out.status_code == 303
        one.cookies.set("gen_session", session)
        assert one.get("/").status_code == 303  # … is out on one: sent to sign in

        waits = []
        for client, other in ((one, two), (two, one), (one, two), (two, one)):
            bad = _wrong(client)
            assert bad.status_code == 401, bad.status_code
            waits.append(bad.headers["retry-after"])
            early = _wrong(other)  # at once, on the other server: not even compared
            assert early.status_code == 429 and "Retry-After" in early.headers
            time.sleep(float(bad.headers["retry-after"]) + 0.1)
        assert waits == ["1", "1", "1", "2"]  # 0.25, 0.5, 1, 2 s: one count across both servers
    with psycopg.connect(postgres) as conn:
        assert conn.execute("SELECT count FROM web_throttle WHERE client = '127.0.0.1'").fetchone() == (4,)


def test_behind_a_proxy_each_forwarded_client_is_counted_apart_and_only_from_the_trusted_proxy(tmp_path):
    """Behind nginx every request comes from nginx: with --proxy-headers (and --trusted-proxy for an nginx on
    another machine) the throttle counts the clerk's own address, so one guesser does not lock every clerk out;
    without it the forwarded address is not believed (anyone could send one)."""
    def two_guessers(*args):
        with running_server(tmp_path / args[0], "--token", TOKEN, *args[1:]) as base, \
                httpx.Client(base_url=base) as client:
            first = client.get("/", headers={"authorization": "Bearer wrong", "x-forwarded-for": "10.0.0.1"})
            second = client.get("/", headers={"authorization": "Bearer wrong", "x-forwarded-for": "10.0.0.2"})
            return first.status_code, second.status_code

    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    assert two_guessers("a", "--proxy-headers", "--trusted-proxy", "127.0.0.1") == (401, 401)  # two clients
    assert two_guessers("b") == (401, 429)  # one client (the proxy's address): the second waits
