"""`gen serve` (a state folder) stopped while it builds an upload, as a restart or a deploy stops it (helper-48).
Before: the stop killed the build's worker, the intake tried it once more in a fresh worker with the fork server
(and LibreOffice) already gone, and the good upload was rejected ('could not be processed') and its evidence
deleted; two stops before a worker began set it aside. Now a build cut short by the service's own stop is not the
file's fault: the upload stays kept and the next start builds it; a stop of the server alone waits for it.

Each build is made to take seconds (a sitecustomize on the servers' PYTHONPATH), so that the stop lands on it."""

from __future__ import annotations

import os
import re
import signal
import sqlite3

import httpx
import pytest

from tests.support.office import need_libreoffice
from tests.support.queue import Process, serve, wait
from tests.support.processes import answers, free_port
from tests.support.workbooks import make_workbooks

pytestmark = pytest.mark.slow

SLOW_BUILD = """
import os
if os.environ.get("GEN_TEST_SLOW_BUILD"):
    try:
        import time
        from generator.service import pipeline
    except ImportError:  # another Python (LibreOffice's): nothing to slow
        pass
    else:
        build = pipeline.build

        def slow_build(*args, **kwargs):
            open(os.environ["GEN_TEST_BUILDING"] + f".{os.getpid()}.{time.monotonic_ns()}", "w").close()
            time.sleep(float(os.environ["GEN_TEST_SLOW_BUILD"]))
            return build(*args, **kwargs)

        pipeline.build = slow_build
"""


@pytest.fixture
def slow_builds(tmp_path, monkeypatch):
    """Every build of a service started from now on takes 4 s; (the folder of its marks, how many began)."""
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(SLOW_BUILD)
    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(inject), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("GEN_TEST_SLOW_BUILD", "4")
    monkeypatch.setenv("GEN_TEST_BUILDING", str(marks / "began"))
    monkeypatch.setenv("GEN_WEB_ANSWER_WITHIN", "0")  # answered at once: the build goes on in the background
    return lambda: len(list(marks.iterdir()))


def _upload(base: str, book) -> str:
    with httpx.Client(base_url=base, timeout=60) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/upload").text).group(1)
        answer = client.post("/upload", data={"csrf": token}, files={"workbook": (book.name, book.read_bytes())})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/uploads/"), answer.text[:300]
    return answer.headers["location"]


def _followed(base: str, location: str) -> str:
    """The upload's page looked at until it sends the clerk to the submission: that submission's address."""
    found: list[str] = []

    def sent_on() -> bool:
        page = httpx.get(base + location, timeout=30)
        if page.status_code == 303:
            found.append(page.headers["location"])
        return bool(found)

    wait(sent_on, 120, "the upload's page sending the clerk on", every=0.5)
    return found[0]


def _ledger(state) -> list[tuple]:
    db = sqlite3.connect(state / "register.sqlite3")
    try:
        return db.execute("SELECT status, attempts, memo FROM files").fetchall()
    finally:
        db.close()


def _details(state) -> str:
    db = sqlite3.connect(state / "register.sqlite3")
    try:
        return db.execute("SELECT details FROM files").fetchone()[0] or ""
    finally:
        db.close()


def test_a_server_stopped_twice_while_it_builds_an_upload_builds_it_at_its_next_start(tmp_path, slow_builds):
    [book] = make_workbooks(tmp_path / "src", 1)
    state = tmp_path / "state"
    server, base = serve(tmp_path, str(state))
    location = _upload(base, book)
    for stop in (1, 2):  # the first server's build, then the second's, taken up at its start
        wait(lambda stop=stop: slow_builds() >= stop, 60, f"build {stop} begun in a worker")
        server.stop()  # SIGTERM to the whole group, as systemd stops a service: the server, its workers
        [(status, attempts, _)] = _ledger(state)
        assert (status, attempts) == ("failed", 1), _ledger(state)  # not rejected, and not held against the file
        details = _details(state)
        assert '"code": "service-stopped"' in details and "Send the same file again" not in details, details[:600]
        server, base = serve(tmp_path, str(state))
    try:
        submission = _followed(base, location)
    finally:
        server.stop()
    [(status, attempts, memo)] = _ledger(state)
    assert (status, memo) == ("built", "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২-১") and attempts == 1, (status, attempts, memo)
    assert re.fullmatch(r"/submissions/1", submission)
    assert not (state / "uploads" / "rejected").exists() or not any((state / "uploads" / "rejected").iterdir())


def test_a_server_with_pdfs_stopped_alone_finishes_the_upload_in_hand_first(tmp_path, slow_builds):
    need_libreoffice(warm=True)
    [book] = make_workbooks(tmp_path / "src", 1)
    state, port = tmp_path / "state", free_port()
    server = Process(tmp_path, "serve.log", "serve", "--port", port, "--out", tmp_path / "out", "--state", state)
    wait(lambda: answers(port), 90, "the server with its LibreOffice")
    _upload(f"http://127.0.0.1:{port}", book)
    wait(lambda: slow_builds() >= 1, 60, "the build begun in a worker")
    server.proc.send_signal(signal.SIGTERM)  # the server's own pid (`kill PID`): it stops once the build is done
    assert server.proc.wait(60) == 0
    server.stop()
    [(status, _, memo)] = _ledger(state)
    assert (status, memo) == ("built", "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২-১")
    assert list((tmp_path / "out").rglob("versions/*/*-letter.pdf")), "its PDFs made before LibreOffice stopped"
    assert "trying once more" not in (tmp_path / "serve.log").read_text(encoding="utf-8")  # its one build, not cut


def test_a_server_with_pdfs_stopped_with_its_whole_group_keeps_the_upload_for_its_next_start(tmp_path, slow_builds):
    """systemd's own stop (KillMode=control-group): the server, its workers, its fork server and its LibreOffice
    all get SIGTERM at once. Before: the build's retry found LibreOffice gone and rejected the good upload."""
    need_libreoffice(warm=True)
    [book] = make_workbooks(tmp_path / "src", 1)
    state = tmp_path / "state"

    def start() -> tuple[Process, str]:
        port = free_port()
        server = Process(tmp_path, f"serve-{port}.log", "serve", "--port", port, "--out", tmp_path / "out", "--state",
                         state)
        wait(lambda: answers(port), 90, "the server with its LibreOffice")
        return server, f"http://127.0.0.1:{port}"

    server, base = start()
    location = _upload(base, book)
    wait(lambda: slow_builds() >= 1, 60, "the build begun in a worker")
    server.stop()  # SIGTERM to the whole group
    [(status, attempts, _)] = _ledger(state)
    assert (status, attempts) == ("failed", 1) and '"code": "service-stopped"' in _details(state), _ledger(state)
    server, base = start()
    try:
        assert _followed(base, location) == "/submissions/1"
    finally:
        server.stop()
    assert [row[0] for row in _ledger(state)] == ["built"]
    assert list((tmp_path / "out").rglob("versions/*/*-letter.pdf"))
