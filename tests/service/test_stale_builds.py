"""A build stopped (SIGSTOP: Ctrl-Z, a frozen VM) past its lease and then resumed, while others took its work over.
The stop is made at an exact point by a sitecustomize put on the service's PYTHONPATH: the build's worker stops
itself right after it claimed its memo in the output folder; the test stops the rest of its process group."""

import json
import os
import shutil
import sqlite3
import re
import signal
import subprocess
import sys
import time
import zipfile
from collections import defaultdict
from pathlib import Path

from tests.support.processes import service_env
from tests.support.workbooks import MYMENSINGH, ROWS, fill_cc

STOP_AFTER_CLAIM = """
import os, signal
claimed = os.environ.get("GEN_TEST_STOP_AFTER_CLAIM")
if claimed:
    from generator.records import memos

    claim = memos._claim

    def claim_then_stop(*args, **kwargs):
        made = claim(*args, **kwargs)
        if not os.path.exists(claimed):  # once
            with open(claimed, "w") as f:
                f.write(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGSTOP)
        return made

    memos._claim = claim_then_stop
confirmed = os.environ.get("GEN_TEST_STOP_AFTER_CONFIRM")
if confirmed:
    from generator.records import register

    confirm = register.Held.confirm

    def confirm_then_stop(self):
        confirm(self)
        if not os.path.exists(confirmed):  # once
            with open(confirmed, "w") as f:
                f.write(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGSTOP)

    register.Held.confirm = confirm_then_stop
"""


def _start(tmp_path, workbook, state, out, marker=None, at="CLAIM"):
    inject = tmp_path / "inject"
    inject.mkdir(exist_ok=True)
    (inject / "sitecustomize.py").write_text(STOP_AFTER_CLAIM)
    env = {**service_env(), "PYTHONPATH": os.pathsep.join(filter(None, [str(inject), os.environ.get("PYTHONPATH")]))}
    if marker is not None:
        env[f"GEN_TEST_STOP_AFTER_{at}"] = str(marker)
    return subprocess.Popen([sys.executable, "-m", "generator.cli", "build", str(workbook), "--state", str(state),
                             "--out", str(out), "--jobs", "1", "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)


def _wait_for(path: Path, process: subprocess.Popen) -> int:
    deadline = time.monotonic() + 60
    while not (path.exists() and path.read_text()):
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    return int(path.read_text())


def _letters_by_memo(out: Path) -> dict[str, set[str]]:
    """Each memo printed in a built letter: the reports whose letters print it."""
    found = defaultdict(set)
    for letter in out.rglob("versions/*/*-letter.docx"):
        xml = zipfile.ZipFile(letter).read("word/document.xml").decode("utf-8")
        text = re.sub(r"<[^>]+>", "", xml)
        for memo in set(re.findall(r"৪৬\.২১\.৬১০০\.০৪৯\.১৮\.০০১\.২২-[০-৯]+", text)):
            found[memo].add(letter.parent.parent.parent.as_posix())
    return found


def test_a_stale_build_resumed_never_gives_back_the_claim_its_successor_holds(tmp_path):
    """Found by a hostile run: A claimed …-১ and was stopped past its lease; B (the same report, new content)
    took the run over, got serial 1 again and found A's claim; A resumed, its heartbeat revived its lease, its
    confirm met B's reservation and it gave back "its" claim, which was B's. B printed …-১ with no claim behind
    it, and a second register writing the same output folder printed …-১ on another office's letter. Now a lease
    that ran out stays out, and B takes the claim over in its own name."""
    state, out = tmp_path / "state", tmp_path / "out"
    first = fill_cc(tmp_path, MYMENSINGH, ROWS, name="v01.xlsx")
    corrected = fill_cc(tmp_path, {**MYMENSINGH, "copies": "জেলা প্রশাসক, ময়মনসিংহ"}, ROWS, name="v02.xlsx")
    other = fill_cc(tmp_path, {**MYMENSINGH, "office_name": "ময়মনসিংহ জেলা পরিষদ"}, ROWS, name="o2.xlsx")

    a = _start(tmp_path, first, state, out, tmp_path / "a.stopped")
    _wait_for(tmp_path / "a.stopped", a)
    os.killpg(a.pid, signal.SIGSTOP)  # the whole of A: its heartbeat too
    time.sleep(float(service_env()["GEN_LEASE_SECONDS"]) + 2)
    b = _start(tmp_path, corrected, state, out, tmp_path / "b.stopped")
    b_worker = _wait_for(tmp_path / "b.stopped", b)  # B's parent runs on: its lease holds
    os.killpg(a.pid, signal.SIGCONT)
    a_out, a_err = a.communicate(timeout=120)
    assert json.loads(a_out)["status"] == "failed", a_out + a_err
    (claim,) = (out / ".memos").iterdir()
    os.kill(b_worker, signal.SIGCONT)
    b_out, b_err = b.communicate(timeout=120)
    b_result = json.loads(b_out)
    assert b_result["status"] == "built" and b_result["memo"].endswith("-১"), b_out + b_err
    assert claim.exists() and claim.read_text().split("\n")[0] == "2022-23/ময়মনসিংহ সিটি কর্পোরেশন/cc-q2"

    c = _start(tmp_path, other, tmp_path / "state2", out)  # a second register on the same output folder
    c_out, c_err = c.communicate(timeout=120)
    c_result = json.loads(c_out)
    assert c_result["status"] == "built" and c_result["memo"] != b_result["memo"], c_out + c_err
    printed = _letters_by_memo(out)
    assert len(printed) == 2 and all(len(reports) == 1 for reports in printed.values()), printed


def _stop_past_its_lease(service: subprocess.Popen, ready) -> None:
    """Wait until `ready()`, stop the service's whole process group past its lease, and resume it."""
    deadline = time.monotonic() + 60
    while not ready():
        assert service.poll() is None and time.monotonic() < deadline, service.communicate()
        time.sleep(0.1)
    time.sleep(1)
    os.killpg(service.pid, signal.SIGSTOP)
    time.sleep(float(service_env()["GEN_LEASE_SECONDS"]) + 2)
    os.killpg(service.pid, signal.SIGCONT)


def _start_service(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "generator.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=service_env(), start_new_session=True)


def _stopped(service: subprocess.Popen) -> tuple[int, str]:
    if service.poll() is None:
        os.killpg(service.pid, signal.SIGTERM)
    try:
        out, err = service.communicate(timeout=60)
    finally:
        if service.poll() is None:
            os.killpg(service.pid, signal.SIGKILL)
    return service.returncode, out + err


def test_a_watcher_stopped_past_its_lease_goes_on_under_a_new_one(tmp_path):
    """A lease that ran out is never renewed again (others may have taken its work over): the watcher, resumed,
    takes a new lease for its new work and goes on, as after a state database locked for longer than a lease."""
    from tests.support.state import ledger

    inbox, state = tmp_path / "inbox", tmp_path / "state"
    watch = _start_service("watch", "--inbox", str(inbox), "--out", str(tmp_path / "out"), "--state", str(state),
                           "--no-pdf", "--settle", "0.4")
    try:
        _stop_past_its_lease(watch, lambda: (inbox / ".gen-watch.lock").exists() and (state / "register.sqlite3").exists())
        deadline = time.monotonic() + 30
        while len(_owners(state, "watch")) < 2:  # a heartbeat: the lease found run out, a new one taken
            assert watch.poll() is None and time.monotonic() < deadline, watch.communicate()
            time.sleep(0.2)
        time.sleep(0.5)  # the heartbeat hands the new owner to the watcher just after it is recorded
        shutil.copy(fill_cc(tmp_path, MYMENSINGH, ROWS, name="after.xlsx"), inbox / "after.xlsx")
        deadline = time.monotonic() + 60
        while [r[1] for r in ledger(state)] != ["built"]:
            assert watch.poll() is None and time.monotonic() < deadline, watch.communicate()
            time.sleep(0.2)
    finally:
        code, err = _stopped(watch)
    assert "new work goes on under a new lease" in err and "Traceback" not in err
    owners = _owners(state, "watch")
    with sqlite3.connect(state / "register.sqlite3") as db:
        (built_by,) = db.execute("SELECT owner FROM files").fetchone()
    assert len(owners) == 2 and built_by == owners[-1]  # built under the new lease


def _owners(state: Path, role: str) -> list[str]:
    """The owners of `role` the state database has recorded, oldest first."""
    with sqlite3.connect(state / "register.sqlite3") as db:
        return [id for (id,) in db.execute("SELECT id FROM owners WHERE role = ? ORDER BY rowid", (role,))]


def test_a_server_whose_role_another_took_while_it_was_stopped_stops_when_it_resumes(tmp_path):
    """One `gen serve` a state folder (its uploads are its own): a server stopped past its lease, and a second one
    started meanwhile (its wait for the first's lease over), resumes to find the role taken: it says so and stops
    (exit 3), and the second serves on."""
    from tests.support.processes import answers, free_port

    first_port = free_port()
    second_port = next(port for port in iter(free_port, None) if port != first_port)
    args = ("--out", str(tmp_path / "out"), "--state", str(tmp_path / "state"), "--no-pdf")
    first = _start_service("serve", "--port", str(first_port), *args)
    second = None
    try:
        deadline = time.monotonic() + 60
        while not answers(first_port):
            assert first.poll() is None and time.monotonic() < deadline, first.communicate()
            time.sleep(0.1)
        os.killpg(first.pid, signal.SIGSTOP)
        second = _start_service("serve", "--port", str(second_port), *args)  # waits out the first one's lease
        deadline = time.monotonic() + 60
        while not answers(second_port):
            assert second.poll() is None and time.monotonic() < deadline, second.communicate()
            time.sleep(0.1)
        os.killpg(first.pid, signal.SIGCONT)
        _, err = first.communicate(timeout=60)
        assert first.returncode == 3, err
        assert "another process has taken its role" in err and "Traceback" not in err
        assert second.poll() is None and answers(second_port)
    finally:
        for service in (first, second):
            if service is not None:
                _stopped(service)


def test_a_queue_worker_stopped_past_its_lease_goes_on_under_a_new_one(postgres, tmp_path):
    worker = _start_service("worker", "--state", postgres, "--no-pdf")
    try:
        _stop_past_its_lease(worker, lambda: bool(rows_of(postgres, "SELECT 1 FROM owners WHERE role = 'worker'")))
        deadline = time.monotonic() + 30
        while len(rows_of(postgres, "SELECT 1 FROM owners WHERE role = 'worker'")) < 2:
            assert worker.poll() is None and time.monotonic() < deadline, worker.communicate()
            time.sleep(0.2)
        live = rows_of(postgres, "SELECT 1 FROM owners WHERE role = 'worker' AND "
                                 "lease_until > extract(epoch from clock_timestamp())")
        assert len(live) == 1 and worker.poll() is None
    finally:
        code, err = _stopped(worker)
    assert "new work goes on under a new lease" in err and "Traceback" not in err


def rows_of(url: str, sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql).fetchall()


def test_a_build_whose_staging_was_swept_while_it_was_stopped_says_its_memo_was_issued(tmp_path):
    """Found by a hostile run: A stopped right after its serial was confirmed (the commit point), past its lease;
    B's build in the same report swept A's staging (its owner's lease had run out); A resumed and said 'the memo
    number went back to the register', while the register had it issued and no letter existed. Now it says the
    memo was issued and that the same file again makes its letter, which it does, with the same memo."""
    from tests.support.state import one_memo_one_letter

    state, out = tmp_path / "state", tmp_path / "out"
    first = fill_cc(tmp_path, MYMENSINGH, ROWS, name="v01.xlsx")
    corrected = fill_cc(tmp_path, {**MYMENSINGH, "copies": "জেলা প্রশাসক, ময়মনসিংহ"}, ROWS, name="v02.xlsx")
    a = _start(tmp_path, first, state, out, tmp_path / "a.stopped", at="CONFIRM")
    _wait_for(tmp_path / "a.stopped", a)
    os.killpg(a.pid, signal.SIGSTOP)
    time.sleep(float(service_env()["GEN_LEASE_SECONDS"]) + 2)
    b = _start(tmp_path, corrected, state, out)
    b_out, b_err = b.communicate(timeout=120)
    assert json.loads(b_out)["memo"].endswith("-২"), b_out + b_err
    os.killpg(a.pid, signal.SIGCONT)
    a_out, a_err = a.communicate(timeout=120)
    told = json.loads(a_out)
    assert told["status"] == "failed" and a.returncode == 3, a_out + a_err
    (finding,) = [i for i in told["issues"] if i["severity"] == "error"]
    assert "-১ was issued to this file in the register" in finding["message_en"], finding
    assert "Send the same file again" in finding["message_en"] and "দেওয়া হয়েছে" in finding["message_bn"]
    again = _start(tmp_path, first, state, out)
    again_out, again_err = again.communicate(timeout=120)
    assert json.loads(again_out)["memo"].endswith("-১") and json.loads(again_out)["memo_reused"], again_out
    assert len(one_memo_one_letter(state, out)) == 2
