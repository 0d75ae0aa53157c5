"""A `gen serve` killed after an upload moved on (to the archive, or set aside) and before its ledger entry was
closed: the next server closes the entry once the killed one's lease has run out, as the watcher does. Found by
a hostile run: the upload's page said "building" for ever."""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

import httpx
import pytest

from generator.spec.paths import EXAMPLES_DIR
from generator.xlsx import examples
from tests.support.processes import answers, free_port, service_env

# in the server to be killed: killed (SIGKILL, by itself: no other thread goes on meanwhile) just before a ledger
# entry is closed, after saying so in a marker file
KILLED_BEFORE_FINISH = """
import os, signal
marker = os.environ.get("GEN_TEST_KILLED_BEFORE_FINISH")
if marker:
    from generator.records import ledger

    finish = ledger.Ledger.finish

    def killed_before_finish(self, *args, **kwargs):
        if not os.path.exists(marker):  # once
            with open(marker, "w") as f:
                f.write(str(os.getpid()))
            os.killpg(os.getpgid(0), signal.SIGKILL)  # the server and its workers, as kill -9 of the service
        return finish(self, *args, **kwargs)

    ledger.Ledger.finish = killed_before_finish
"""


def _serve(tmp_path, port, marker=None) -> subprocess.Popen:
    env = {**service_env(), "GEN_WEB_ANSWER_WITHIN": "0"}
    if marker is not None:
        inject = tmp_path / "inject"
        inject.mkdir(exist_ok=True)
        (inject / "sitecustomize.py").write_text(KILLED_BEFORE_FINISH)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(inject), os.environ.get("PYTHONPATH")]))
        env["GEN_TEST_KILLED_BEFORE_FINISH"] = str(marker)
    proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "serve", "--port", str(port), "--out",
                             str(tmp_path / "out"), "--state", str(tmp_path / "state"), "--no-pdf"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    deadline = time.monotonic() + 90
    while not answers(port):
        assert proc.poll() is None and time.monotonic() < deadline, "gen serve did not answer"
        time.sleep(0.1)
    return proc


def _upload(port, name, data) -> str:
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/upload").text).group(1)
        answer = client.post("/upload", data={"csrf": token}, files={"workbook": (name, data)}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def _entries(tmp_path) -> list[tuple]:
    db = sqlite3.connect(tmp_path / "state" / "register.sqlite3")
    try:
        return db.execute("SELECT id, status, memo, moved_to FROM files ORDER BY id").fetchall()
    finally:
        db.close()


@pytest.mark.parametrize("again", [True, False], ids=["sent-again", "first-build"])
def test_an_upload_whose_server_was_killed_before_it_recorded_it_is_closed_by_the_next(tmp_path, again):
    workbook = examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "cc.xlsx").read_bytes()
    port = free_port()
    if again:  # built once; the same file sent again is a duplicate, moved to the archive before it is recorded
        first = _serve(tmp_path, port)
        try:
            _upload(port, "cc.xlsx", workbook)
            deadline = time.monotonic() + 60
            while [e[1] for e in _entries(tmp_path)] != ["built"]:
                assert time.monotonic() < deadline, _entries(tmp_path)
                time.sleep(0.2)
        finally:
            first.terminate()
            first.wait(30)
    marker = tmp_path / "stopped"
    doomed = _serve(tmp_path, port, marker)
    try:
        waiting = _upload(port, "cc-again.xlsx" if again else "cc.xlsx", workbook)
        doomed.wait(120)
    finally:
        if doomed.poll() is None:
            os.killpg(doomed.pid, signal.SIGKILL)
            doomed.wait(10)
    assert marker.exists(), "the server never came to record it"
    killed = _entries(tmp_path)[-1]
    assert killed[1] == "processing" and not list((tmp_path / "state" / "uploads").glob("*.xlsx")), killed

    after = _serve(tmp_path, port)
    try:
        deadline = time.monotonic() + 60
        while _entries(tmp_path)[-1][1] == "processing":
            assert time.monotonic() < deadline, _entries(tmp_path)
            time.sleep(0.2)
        entries = _entries(tmp_path)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            page = client.get(waiting, follow_redirects=True)
    finally:
        after.terminate()
        after.wait(30)
    if again:
        assert [e[1] for e in entries] == ["built", "duplicate"] and entries[1][2] == entries[0][2], entries
        assert entries[1][3] and "/uploads/archive/" in entries[1][3]
    else:
        assert [e[1] for e in entries] == ["built"] and entries[0][2], entries
    assert page.status_code == 200 and "http-equiv=\"refresh\"" not in page.text
    assert re.search(r"/submissions/\d+$", str(page.url)), page.url
