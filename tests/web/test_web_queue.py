"""Uploads through `gen serve` on a PostgreSQL state: queued for `gen worker`, the request answered at once, the
upload's page saying queued, then building, then sending the clerk to the submission, on any server."""
import re
import socket
import time

import pytest

from tests.support.processes import free_port
from tests.support.queue import Process, files, memos, wait, worker
from tests.support.workbooks import make_workbooks

pytestmark = pytest.mark.slow


def serve(tmp_path, url):
    port = free_port()
    server = Process(tmp_path, f"serve-{port}.log", "serve", "--port", port, "--out", tmp_path / "out", "--state", url,
                     "--no-pdf")

    def answers():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False
    wait(answers, 60, "the server")
    return server, f"http://127.0.0.1:{port}"


def test_an_upload_on_postgresql_is_queued_then_built_by_a_worker_and_seen_from_any_server(postgres, tmp_path):
    import httpx

    [book] = make_workbooks(tmp_path / "src", 1)
    (one, a), (two, b) = serve(tmp_path, postgres), serve(tmp_path, postgres)
    builder = None
    try:
        with httpx.Client(base_url=a) as client:
            form = client.get("/upload")
            token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
            started = time.monotonic()
            answer = client.post("/upload", data={"csrf": token}, files={"workbook": (book.name, book.read_bytes())})
            assert time.monotonic() - started < 10  # answered at once: no worker is running yet
            assert answer.status_code == 303 and answer.headers["location"].startswith("/uploads/")
            location = answer.headers["location"]
        page = httpx.get(a + location)
        assert page.status_code == 200 and "Queued" in page.text and 'http-equiv="refresh"' in page.text
        assert "Queued" in httpx.get(b + location).text  # the other server knows it too
        builder = worker(tmp_path, postgres)
        wait(lambda: httpx.get(b + location).status_code == 303, 90, "the upload built")
        done = httpx.get(b + location)
        submission = done.headers["location"]
        assert re.fullmatch(r"/submissions/\d+", submission)
        shown = httpx.get(a + submission).text
        [entry] = files(postgres)
        assert entry[1] == "built" and entry[2] in shown
    finally:
        for p in (one, two, builder):
            if p is not None:
                p.stop()
    assert [(r[1], r[3]) for r in memos(postgres)] == [(1, "issued")]
    assert list((tmp_path / "out" / ".uploads" / "archive").rglob("*.xlsx"))  # the worker moved it when built
