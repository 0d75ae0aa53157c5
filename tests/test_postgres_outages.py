"""PostgreSQL out of reach, for real: a cluster of the test's own, stopped with `pg_ctl stop` in the middle of the
work and started again. `gen build` exits 3 with the message; the web page answers 503 in the site's layout and
serves again by itself once the database is back; the watcher waits and builds every file that came meanwhile,
once. A schema newer than the program is refused with its own message."""

import re
import subprocess
import sys
import time

import httpx
import psycopg
import pytest

from tests.support.postgres import Cluster
from tests.support.processes import Watch, running_server, service_env
from tests.support.queue import worker
from tests.support.workbooks import MYMENSINGH, ROWS, fill_cc, make_workbooks


@pytest.fixture(scope="module")
def cluster():
    """A PostgreSQL of these tests alone: stopping it stops nobody else's."""
    with Cluster() as c:
        yield c


@pytest.fixture
def url(cluster, tmp_path, monkeypatch):
    monkeypatch.setenv("GEN_STATE_DIR", str(tmp_path / "local"))
    yield cluster.fresh()
    try:
        cluster.resume()  # a test that failed while it was stopped leaves it running for the next
    except RuntimeError:
        pass  # it is running


def gen(*args):
    return subprocess.run([sys.executable, "-m", "generator.cli", *map(str, args)], capture_output=True, text=True,
                          env=service_env(), timeout=180)


def files(url):
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT name, status, memo FROM files ORDER BY id").fetchall()


def test_gen_build_exits_3_while_postgresql_is_down(cluster, url, tmp_path):
    workbook = fill_cc(tmp_path, MYMENSINGH, ROWS)
    cluster.halt()
    run = gen("build", workbook, "--out", tmp_path / "out", "--state", url)
    serve = gen("serve", "--out", tmp_path / "served", "--state", url, "--no-pdf", "--port", "1")  # systemd restarts it
    cluster.resume()
    assert serve.returncode == 3 and "Check that PostgreSQL is running" in serve.stderr and "Traceback" not in serve.stderr
    assert run.returncode == 3 and "Traceback" not in run.stderr
    assert "PostgreSQL চালু আছে কি না" in run.stderr and "Check that PostgreSQL is running" in run.stderr
    assert not (tmp_path / "out").exists()
    again = gen("build", workbook, "--out", tmp_path / "out", "--state", url, "--date", "2023-10-10")
    assert again.returncode == 0, again.stderr


def test_a_schema_newer_than_the_program_is_refused_by_build_serve_and_watch(url, tmp_path):
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE gen_schema SET version = version + 1")
    run = gen("build", fill_cc(tmp_path, MYMENSINGH, ROWS), "--out", tmp_path / "out", "--state", url)
    assert run.returncode == 3 and "Traceback" not in run.stderr
    assert "update gen on this machine" in run.stderr and "হালনাগাদ করুন" in run.stderr
    watch = gen("watch", "--inbox", tmp_path / "inbox", "--out", tmp_path / "out", "--state", url, "--no-pdf")
    assert watch.returncode == 3 and "update gen on this machine" in watch.stderr  # waiting would not mend it
    serve = gen("serve", "--out", tmp_path / "out", "--state", url, "--no-pdf", "--port", "1")
    assert serve.returncode == 3 and "update gen on this machine" in serve.stderr


def test_the_web_page_answers_503_in_its_layout_and_recovers_by_itself(cluster, url, tmp_path):
    with running_server(tmp_path, "--state", url, "--token", "secret-token") as base, \
            httpx.Client(base_url=base, follow_redirects=False) as client:
        form = client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        assert client.post("/login", data={"csrf": csrf, "token": "secret-token", "next": "/"}).status_code == 303
        assert client.get("/").status_code == 200
        cluster.halt()
        try:
            for path in ("/", "/summary", "/submissions/1", "/upload"):
                down = client.get(path)
                assert down.status_code == 503, (path, down.status_code, down.text[:300])
                assert '<link rel="stylesheet" href="/site.css">' in down.text  # the site's layout
                assert "PostgreSQL" in down.text and "records database" in down.text and "রেকর্ড-ডেটাবেস" in down.text
                assert 'http-equiv="refresh"' in down.text and down.headers["retry-after"] == "15"
                assert "Traceback" not in down.text and "psycopg" not in down.text
            sent = client.post("/logout", data={"csrf": csrf})  # a form sent meanwhile: said not done, not resent
            assert sent.status_code == 503 and "was not carried out" in sent.text and "করা যায়নি" in sent.text
            assert 'http-equiv="refresh"' not in sent.text
        finally:
            cluster.resume()
        deadline = time.monotonic() + 30
        while (back := client.get("/")).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert back.status_code == 200 and "জমা" in back.text  # the same server, not restarted, still signed in


def test_the_watcher_waits_for_postgresql_and_builds_what_came_meanwhile(cluster, url, tmp_path, monkeypatch):
    """The watcher of a PostgreSQL state only enqueues: it waits out the outage (it does not stop), and the files
    that came meanwhile are queued once the database answers and built by `gen worker` (a worker that lost the
    database exits 3, and its service manager starts it again: here, the test)."""
    monkeypatch.setenv("GEN_STATE_RETRY", "1")
    first, second, third = make_workbooks(tmp_path / "made", 3)
    cluster.halt()  # down before the watcher starts: it waits, it does not stop
    watcher = Watch(tmp_path, "--state", url, "--rescan", "2")
    workers = []
    try:
        watcher.drop([first])
        time.sleep(4)
        assert watcher.proc.poll() is None and watcher.inbox_files() == [first.name]
        cluster.resume()
        workers.append(worker(tmp_path, url, "worker-1.log"))
        watcher.wait(lambda: len(watcher.archived()) == 1, what="the file dropped while PostgreSQL was down")
        cluster.halt()  # down again while it runs
        watcher.drop([second, third])
        time.sleep(4)
        assert watcher.proc.poll() is None and watcher.inbox_files() == sorted([second.name, third.name])
        cluster.resume()
        workers.append(worker(tmp_path, url, "worker-2.log"))
        watcher.wait(lambda: len(watcher.archived()) == 3, what="the files dropped during the outage")
        watcher.wait(lambda: all(status == "built" for _, status, _ in files(url)), what="entries closed")
    finally:
        for w in workers:
            w.stop()
        watcher.stop()
    built = files(url)
    assert sorted(name for name, _, _ in built) == sorted(p.name for p in (first, second, third))  # each once
    assert len({memo for _, _, memo in built}) == 3
    log = (tmp_path / "watch.log").read_text()
    assert "waiting for it" in log and "Traceback" not in log
