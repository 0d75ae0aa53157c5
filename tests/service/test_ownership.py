"""One memo number, one letter, whoever else works on the same state folder: services and builds own their
work by a lease in the state database (records/owners.py), never by a pid seen from here."""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from generator.records import store
from generator.records.owners import Owners
from generator.records.register import MemoConflict, Register
from tests.support.processes import Watch, answers, service_env
from tests.support.state import ledger, one_memo_one_letter
from tests.support.workbooks import MYMENSINGH, ROWS, fill_cc, make_workbooks


def gen(*args, env=None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator.cli", *map(str, args)], capture_output=True, text=True,
                          env=env or service_env(), timeout=300, **kw)


def test_two_watchers_on_one_state_one_killed_and_restarted_while_the_other_builds(tmp_path):
    """Before: the restarted watcher's start-up recovery closed the other's entry in hand and gave its
    serial back, and the next workbook printed the same memo. Now each recovers only its own inbox's work,
    and only once its lease has run out."""
    first = Watch(tmp_path, inbox=tmp_path / "inbox-a", log="a.log")
    second = Watch(tmp_path, inbox=tmp_path / "inbox-b", log="b.log")
    try:
        first.drop(make_workbooks(tmp_path / "src-a", 24, tag="a"))
        second.drop(make_workbooks(tmp_path / "src-b", 6, tag="b"))
        first.wait(lambda: len(first.archived()) >= 3, what="the first watcher building")
        second.proc.send_signal(signal.SIGKILL)
        second.proc.wait(10)
        second.log.close()
        second = Watch(tmp_path, inbox=tmp_path / "inbox-b", log="b.log")
        second.wait(lambda: second.done(6), what="the second inbox built", timeout=180)
        first.wait(lambda: first.done(24), what="the first inbox built", timeout=180)
    finally:
        first.stop()
        second.stop()
    folders = one_memo_one_letter(first.state, first.out)
    assert sorted(serial for _, serial in folders) == list(range(1, 31))
    rows = ledger(first.state)
    assert [r[1] for r in rows].count("built") == 30 and "processing" not in [r[1] for r in rows]


def test_a_second_server_on_one_state_folder_is_refused(tmp_path):
    """Before: two `gen serve` on one state built and deleted each other's uploads. Now the second is told."""
    from tests.support.processes import running_server

    with running_server(tmp_path):
        second = gen("serve", "--port", "9", "--out", tmp_path / "out", "--state", tmp_path / "state", "--no-pdf")
    assert second.returncode == 2, second.stderr
    assert "আরেকটি 'gen serve' চলছে" in second.stderr and "Another 'gen serve' is running" in second.stderr
    assert "Traceback" not in second.stderr
    assert "waiting up to" in second.stderr  # it said why it waited first (a restart waited silently)


def test_a_killed_server_is_followed_by_the_next_once_its_lease_runs_out(tmp_path):
    from tests.support.processes import running_server

    with running_server(tmp_path):
        pass
    state = tmp_path / "state"
    with Owners(state) as owners:  # a server killed a moment ago: its lease is still running
        owner = owners.claim("serve", str((state / "uploads").resolve()))
        owners._db.execute("UPDATE owners SET lease_until = (julianday('now') - 2440587.5) * 86400.0 + 3 WHERE id = ?",
                           (owner.id,))
    started = time.monotonic()
    with running_server(tmp_path) as url:
        import httpx

        assert httpx.get(url + "/", timeout=30).status_code in (200, 303)
    assert time.monotonic() - started >= 2  # it waited for the lease rather than guessing from a pid
    with Owners(state) as owners:
        assert not owners.alive(owner.id)


def test_a_server_stopped_with_sigterm_ends_its_lease_and_the_next_starts_at_once(tmp_path):
    """Found by a hostile run: uvicorn raised SIGTERM again after its graceful stop, which killed `gen serve`
    before it ended its lease; a server restarted straight away (systemd's restart) refused every connection for
    half a minute, waiting for it to run out, and said nothing. Stopped by SIGTERM, it ends its lease, exits 0."""
    from tests.support.processes import free_port

    state, port = tmp_path / "state", free_port()
    command = [sys.executable, "-m", "generator.cli", "serve", "--port", str(port), "--out", str(tmp_path / "out"),
               "--state", str(state), "--no-pdf"]
    env = {**service_env(), "GEN_LEASE_SECONDS": "60"}  # a lease the next server could not wait out in this test
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not answers(port) and time.monotonic() < deadline:
        time.sleep(0.05)
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=30) == 0
    with sqlite3.connect(state / "register.sqlite3") as db:
        assert db.execute("SELECT lease_until FROM owners WHERE role = 'serve'").fetchall() == [(0,)]
    second = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        started = time.monotonic()
        while not answers(port) and time.monotonic() - started < 20:
            time.sleep(0.05)
        assert answers(port), "the next server did not start: it waited for a lease that should have ended"
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0


def _unshare_works() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _unshare_works(), reason="this machine does not allow a new PID namespace (unshare)")
def test_a_build_in_another_pid_namespace_keeps_its_serials(tmp_path):
    """Before: a `gen build` in another container was "dead" to this one (its pid is not in our /proc), so
    this one gave its reserved serial back and issued it again. Now its lease says it is alive."""
    out, state = tmp_path / "out", tmp_path / "state"
    make_workbooks(tmp_path / "many", 40, tag="c")
    contained = subprocess.Popen(["unshare", "--pid", "--fork", "--mount-proc", sys.executable, "-m", "generator.cli",
                                  "build", str(tmp_path / "many"), "--out", str(out), "--state", str(state), "--jobs", "1"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=service_env())
    try:
        deadline = time.monotonic() + 60
        while not list(out.rglob("versions/*/.content")) and time.monotonic() < deadline:
            time.sleep(0.05)
        for i in range(3):
            (late,) = make_workbooks(tmp_path / f"late{i}", 1, tag=f"late{i}")
            assert gen("build", late, "--out", out, "--state", state).returncode == 0
        assert contained.wait(120) == 0, contained.stderr
    finally:
        contained.kill()
    folders = one_memo_one_letter(state, out)
    assert sorted(serial for _, serial in folders) == list(range(1, 44))
    assert all(r[1] == "built" for r in ledger(state))


def test_a_serial_taken_by_other_content_meanwhile_stops_the_build_and_nothing_is_visible(tmp_path):
    """Before: `confirm` did nothing when the serial already belonged to other content, and the letter was
    published with that memo anyway. Now the staged letter is removed and the build stops loudly."""
    state, folder = tmp_path / "state", tmp_path / "out" / "office"
    meta = dict(source="a.xlsx", kind="cc", office="o", fiscal_year="2023-24", period="q1")
    with Register(state) as register, pytest.raises(MemoConflict):
        with register.reserved("P", None, "content-a", owner="me", **meta) as held:
            other = sqlite3.connect(state / "register.sqlite3")  # its lease ran out: taken over, given to B
            other.execute("UPDATE memos SET content_hash = 'content-b', source = 'b.xlsx', owner = 'them'")
            other.commit()
            other.close()
            store.write_version(folder, "P-1", "content-a", {"letter.docx": b"a"}, commit=held.confirm)
    assert not (folder / store.VERSIONS / "P-1").exists()
    assert list((folder / store.VERSIONS).iterdir()) == []  # no staged folder left either
    with Register(state) as register:
        assert [(e.serial, e.content_hash, e.state) for e in register.entries()] == [(1, "content-b", "reserved")]


def test_prefixes_typed_in_two_unicode_forms_are_one_sequence(tmp_path):
    """Before: a prefix typed once composed, once decomposed with a zero-width space started a second
    sequence and two letters printed the same-looking memo."""
    prefix = "কেসিসি/সেঃবিঃ/সিসি-০৭/২০২২"
    typed = ["\u200b" + unicodedata.normalize("NFD", prefix), prefix + "\u200c", prefix.replace("০", "0")]
    out, state = tmp_path / "out", tmp_path / "state"
    for i, text in enumerate(typed):
        letter = dict(MYMENSINGH, memo_prefix=text, copies=f"{i}")
        assert gen("build", fill_cc(tmp_path, letter, ROWS, name=f"w{i}.xlsx"), "--out", out, "--state", state,
                   env=None).returncode == 0
    with Register(state) as register:
        entries = register.entries()
    assert len({e.prefix for e in entries}) == 1 and [e.serial for e in entries] == [1, 2, 3]
    one_memo_one_letter(state, out)


def test_a_zero_width_character_in_an_office_name_is_the_same_office(tmp_path):
    """Before: a zero-width joiner in the office's name made it another office (another folder, and "not
    submitted" on the roster)."""
    from generator.periods.roster import office_key

    out, state = tmp_path / "out", tmp_path / "state"
    for i, name in enumerate(["ময়মনসিংহ সিটি কর্পোরেশন", "ময়মনসিংহ সিটি\u200d কর্পোরেশন\u200b"]):
        letter = dict(MYMENSINGH, office_name=name, copies=f"{i}")
        assert gen("build", fill_cc(tmp_path, letter, ROWS, name=f"w{i}.xlsx"), "--out", out, "--state", state,
                   env=None).returncode == 0
    assert len({p.parent.parent for p in out.rglob("CURRENT.txt")}) == 1
    assert {r[0] for r in ledger_offices(state)} == {office_key("ময়মনসিংহ সিটি কর্পোরেশন")}


def ledger_offices(state: Path) -> list[tuple]:
    db = sqlite3.connect(state / "register.sqlite3")
    try:
        return db.execute("SELECT office FROM files").fetchall()
    finally:
        db.close()


def test_an_office_is_known_by_its_whole_name(tmp_path):
    """Before: an office was known by the last line of its name, so 'জেলা প্রশাসকের কার্যালয় / রংপুর' and
    'পুলিশ সুপারের কার্যালয় / রংপুর' were one office 'রংপুর' sharing one folder (one hid the other)."""
    from generator.service import pipeline

    out, state = tmp_path / "out", tmp_path / "state"
    names = ["গণপ্রজাতন্ত্রী বাংলাদেশ সরকার\nজেলা প্রশাসকের কার্যালয়\nরংপুর", "পুলিশ সুপারের কার্যালয়\nরংপুর",
             "A/B office " + "ক" * 120, "A-B office " + "ক" * 120]
    for i, name in enumerate(names):
        path = fill_cc(tmp_path, dict(MYMENSINGH, office_name=name), ROWS, name=f"w{i}.xlsx")
        result = pipeline.build(path, out_root=out, state_dir=state)
        assert result.status == "built", result.issues
    folders = sorted(p.parent.parent.name for p in out.rglob("CURRENT.txt"))
    assert len(set(folders)) == 4
    assert "জেলা প্রশাসকের কার্যালয়, রংপুর" in folders and "পুলিশ সুপারের কার্যালয়, রংপুর" in folders
    assert all(len(f.encode()) <= 255 for f in folders)


@pytest.mark.parametrize("name", ["গণপ্রজাতন্ত্রী বাংলাদেশ সরকার", "গণপ্রজাতন্ত্রী বাংলাদেশ সরকার\n\u200b",
                                  "Government of the People's Republic of Bangladesh"])
def test_an_office_name_of_the_government_line_alone_is_refused_at_its_cell(tmp_path, name):
    """Before: it built, into a folder named for no office ('office~e3b0c442', shared by every such workbook),
    and the report never showed in the receiving office's summary."""
    from generator.service import pipeline
    from generator.xlsx import reading

    path = fill_cc(tmp_path, dict(MYMENSINGH, office_name=name), ROWS, name="w.xlsx")
    result = pipeline.build(path, out_root=tmp_path / "out", state_dir=tmp_path / "state")
    cell = reading.read(path).letter["office_name"].ref
    assert result.status == "rejected" and not list((tmp_path / "out").rglob("*.docx"))
    assert [(f.code, f.cell) for f in result.issues if f.severity == "error"] == [("missing-field", cell)]
    assert "government's line" in [f for f in result.issues if f.code == "missing-field"][0].en


def test_prefixes_stored_in_two_forms_before_are_one_sequence_and_reported(tmp_path):
    """A state folder from before identities were normalised: a prefix stored once with a zero-width space.
    Migrated, both spellings continue one sequence (no serial printed twice) and `gen register` says so."""
    state = tmp_path / "state"
    meta = dict(source="old.xlsx", kind="cc", office="o", fiscal_year="2022-23", period="q2")
    key = "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২"
    with Register(state) as register:
        register.confirm(register.allocate(key, "h1", **meta)[0])
        db = register._db
        db.execute("INSERT INTO memos (prefix, serial, content_hash, source, kind, office, fiscal_year, period, "
                   "issued_at, explicit, state) VALUES (?, 2, 'h2', 'older.xlsx', 'cc', 'o', '2022-23', 'q2', "
                   "'2023-01-01', 0, 'issued')", (key + "\u200b",))
        db.execute("PRAGMA user_version = 5")  # as a state folder written before the prefix keys
    with Register(state) as register:
        entry, reused = register.allocate(key, "h3", **meta)
        assert (entry.serial, reused) == (3, False)
        assert register.coinciding() == {key: [key, key + "\u200b"]}
        register._db.execute("UPDATE memos SET office = ? WHERE serial = 2", ("ময়মনসিংহ\u200b সিটি",))
        register._db.execute("UPDATE memos SET office = ? WHERE serial IN (1, 3)", ("ময়মনসিংহ সিটি",))
        assert register.coinciding_offices() == {"ময়মনসিংহ সিটি": ["ময়মনসিংহ সিটি", "ময়মনসিংহ\u200b সিটি"]}
    listed = gen("register", "--state", state, env=None)
    assert listed.returncode == 0 and "ভিন্ন লেখায়" in listed.stderr and "2 spellings" in listed.stderr
    assert "this office is in the register in 2 spellings" in listed.stderr


HOLD = """
import sqlite3, sys, time
db_path, seconds = sys.argv[1], float(sys.argv[2])
while True:
    try:
        db = sqlite3.connect(db_path, isolation_level=None, timeout=0)
        if db.execute("SELECT 1 FROM memos WHERE state = 'reserved'").fetchone():
            db.execute("BEGIN IMMEDIATE")  # a backup, an open sqlite3 shell: the writers wait
            print("held", flush=True)
            time.sleep(seconds)
            db.execute("ROLLBACK")
            break
        db.close()
    except sqlite3.OperationalError:
        pass
    time.sleep(0.0005)
"""


def test_a_state_database_locked_between_reserving_and_confirming_makes_no_second_letter(tmp_path):
    """Before: the database locked (a backup) after a serial was reserved kept the worker from confirming
    until its time limit killed it; its version folder was already complete and visible, the serial went
    back, and a workbook of another office got the same serial: two letters, one memo. Now a version is
    visible only once its serial is confirmed."""
    out, state = tmp_path / "out", tmp_path / "state"
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from synthetic import workbooks  # a plan long enough that its documents take a while after the reservation

    first, second = workbooks(tmp_path / "src", 2, 200)
    Register(state).close()  # the database exists for the holder to watch
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(state / "register.sqlite3"), "8"],
                              stdout=subprocess.PIPE, text=True)
    try:
        run = gen("build", first, "--out", out, "--state", state, "--timeout", "3", "--json",
                  env={**service_env(), "GEN_STATE_BUSY_TIMEOUT": "30"})
        assert holder.stdout.readline().strip() == "held"
    finally:
        holder.wait(30)
    assert '"took-too-long"' in run.stdout, run.stdout + run.stderr
    assert gen("build", second, "--out", out, "--state", state).returncode == 0
    folders = one_memo_one_letter(state, out)
    assert [serial for _, serial in folders] == [1]
    with Register(state) as register:
        assert [(e.serial, e.source, e.state) for e in register.entries()] == [(1, second.name, "issued")]


def test_a_server_killed_while_it_builds_an_upload_is_followed_by_the_next_with_its_evidence_and_pdfs(tmp_path):
    """Before: a killed `gen serve` left its worker running; it finished without PDFs, and the next server
    found no upload to build and had deleted its evidence. Now the worker dies with the server, and the next
    server (once the lease has run out) builds the upload with its evidence into the e-Nothi bundle."""
    import re

    import httpx
    from PIL import Image

    from generator.spec.paths import EXAMPLES_DIR
    from generator.xlsx import examples
    from tests.support.office import need_libreoffice, pages_of
    from tests.support.processes import free_port

    need_libreoffice(warm=True)
    workbook = examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "cc.xlsx").read_bytes()
    scan = tmp_path / "scan.png"
    Image.new("RGB", (600, 800), "gray").save(scan, "PNG")

    def serve(port):
        proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "serve", "--port", str(port), "--out",
                                 str(tmp_path / "out"), "--state", str(tmp_path / "state"), "--pdf"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env={**service_env(), "GEN_WEB_ANSWER_WITHIN": "0"}, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if answers(port):
                return proc
            time.sleep(0.1)
        raise AssertionError("gen serve did not answer")

    port = free_port()
    first = serve(port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            token = re.search(r'name="csrf" value="([^"]+)"', client.get("/upload").text).group(1)
            answer = client.post("/upload", data={"csrf": token}, follow_redirects=False,
                                 files=[("workbook", ("cc.xlsx", workbook)), ("evidence", ("scan.png", scan.read_bytes()))])
        assert answer.status_code == 303
    finally:
        os.kill(first.pid, signal.SIGKILL)  # the server alone: its workers must die with it, not finish unseen
        first.wait(10)
    time.sleep(1)
    assert not list((tmp_path / "out").rglob("versions/*/*bundle.pdf"))  # killed mid-build, not after it
    waiting = answer.headers["location"]
    second_port = free_port()
    second = serve(second_port)
    try:
        deadline = time.monotonic() + 120
        bundles: list[Path] = []
        while time.monotonic() < deadline and not bundles:
            bundles = [p for p in (tmp_path / "out").rglob("versions/*/*bundle.pdf")  # a version in place, not one
                       if not p.parent.name.startswith(".")]  # being staged (renamed into place as it is looked at)
            time.sleep(0.5)
        # the clerk's page, looking again after the restart: on to the submission (before: a red 404, the upload
        # no longer in uploads/ once the next server had built it)
        deadline, seen = time.monotonic() + 60, None
        while time.monotonic() < deadline and (seen is None or seen.status_code == 200):
            seen = httpx.get(f"http://127.0.0.1:{second_port}{waiting}", follow_redirects=False, timeout=30)
            time.sleep(0.3)
        assert seen is not None and seen.status_code == 303, (seen.status_code, seen.text[:300])
        assert re.fullmatch(r"/submissions/\d+", seen.headers["location"])
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(30)
    assert len(bundles) == 1, "the upload was not built with its PDFs by the next server"
    letter, annex = (pages_of(p.read_bytes(), tmp_path) for p in sorted(bundles[0].parent.glob("*.pdf"))
                     if not p.name.endswith("bundle.pdf"))
    assert pages_of(bundles[0].read_bytes(), tmp_path) == letter + annex + 1  # the scan is in it
    one_memo_one_letter(tmp_path / "state", tmp_path / "out")
    assert not list((tmp_path / "state" / "uploads").glob("*.xlsx"))


def test_an_upload_with_evidence_left_by_a_stopped_server_waits_for_a_server_that_makes_pdfs(tmp_path):
    """Found by a hostile run: a server started without PDFs built such an upload without its evidence (no
    bundle, no warning on the page, the evidence deleted, the memo used), and the letter, once built, is never
    built again. Now it stays kept, its page says why, and no memo is used."""
    import httpx
    from PIL import Image

    from generator.records.register import Register
    from generator.spec.paths import EXAMPLES_DIR
    from generator.xlsx import examples
    from tests.support.processes import running_server

    tag = "0a1b2c3d"
    uploads, proof = tmp_path / "state" / "uploads", tmp_path / "state" / "evidence" / tag
    uploads.mkdir(parents=True)
    proof.mkdir(parents=True)
    examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", uploads / f"{tag}-cc.xlsx")  # as a server left it
    Image.new("RGB", (60, 80), "gray").save(proof / "রসিদ.png", "PNG")
    from generator.records.ledger import Ledger

    with Ledger(tmp_path / "state") as ledger:  # the killed server's entry, open (a review: the page said building)
        ledger.start(f"{tag}-cc.xlsx", "ab" * 32, route="web", owner="f" * 32)
    with running_server(tmp_path) as server:
        time.sleep(2)  # its start-up recovery has run
        page = httpx.get(f"{server}/uploads/{tag}", timeout=30)
    assert page.status_code == 503 and "makes none now" in page.text and "প্রমাণক" in page.text
    assert (uploads / f"{tag}-cc.xlsx").exists() and (proof / "রসিদ.png").exists()
    assert not list((tmp_path / "out").rglob("*.docx"))
    with Register(tmp_path / "state") as register:
        assert register.entries() == []
