"""Uploads through `gen serve` on a PostgreSQL state: queued for `gen worker`, the request answered at once, the
upload's page saying queued, then building, then sending the clerk to the submission, on any server."""
import re
import shutil
import time

import pytest

from tests.support.queue import serve, files, memos, wait, worker
from tests.support.workbooks import make_workbooks

pytestmark = pytest.mark.slow



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
    [archived] = (tmp_path / "out" / ".uploads" / "archive").rglob("*.xlsx")  # the worker moved it when built
    from generator.records import store

    with pytest.raises(store.RecordOutput):  # a submitted original: never written over (gen next -o … --force)
        store.refuse_over_record(archived)


def _send(bases: list[str], first: int, name: str, data: bytes) -> str:
    """Upload through the servers from `first` on (the next when one is down), then follow the upload's page on
    any live server until it sends the clerk to the submission; that submission's address."""
    import httpx

    location = None
    for attempt in range(12):
        base = bases[(first + attempt) % len(bases)]
        try:
            if location is None:
                with httpx.Client(base_url=base, timeout=30) as client:
                    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/upload").text).group(1)
                    answer = client.post("/upload", data={"csrf": token}, files={"workbook": (name, data)})
                assert answer.status_code == 303, answer.text
                location = answer.headers["location"]
                if location.startswith("/submissions/"):
                    return location
            end = time.monotonic() + 60
            while time.monotonic() < end:
                page = httpx.get(base + location, timeout=30)
                if page.status_code == 303:
                    return page.headers["location"]
                assert page.status_code == 200, page.text
                time.sleep(0.3)
        except httpx.TransportError:
            time.sleep(0.2)  # that server is down: the next one
    raise AssertionError(f"{name}: never built")


def test_three_servers_two_workers_two_watchers_one_of_each_killed(postgres, tmp_path):
    """Issue 19's end to end: 30 uploads from 6 threads over three `gen serve`, 10 files dropped into one inbox
    watched by two `gen watch`, two `gen worker`; while builds are in flight one server's whole process group,
    one worker and the leading watcher are killed with kill -9. Then the register, the versions and the ledger
    hold: every serial 1..max once, none reserved; one complete version folder per issued serial, no staging
    left; one final ledger entry per file; a duplicate gets no new serial; a typed serial is the register's if
    free when it is built, and refused if it was taken (either way no gap, nothing twice)."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.support.queue import archived, watcher
    from tests.support.state import one_memo_one_letter

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    uploads = make_workbooks(tmp_path / "up", 25, tag="u")
    dropped = make_workbooks(tmp_path / "in", 8, tag="i")
    [typed] = make_workbooks(tmp_path / "typed", 1, tag="t")
    _type_serial(typed, "১")  # serial 1 typed: the first letter's, or already another's
    servers = [serve(tmp_path, postgres) for _ in range(3)]
    bases = [base for _, base in servers]
    workers = [worker(tmp_path, postgres, f"worker-{i}.log") for i in range(2)]
    lead = watcher(tmp_path, postgres, inbox, "watch-a.log")
    wait(lambda: lead.said("watching"), 60, "the first watcher leading")
    standby = watcher(tmp_path, postgres, inbox, "watch-b.log")
    wait(lambda: standby.said("standing by"), 60, "the second watcher standing by")
    sends = [(b.name, b.read_bytes()) for b in uploads] + [(f"again-{b.name}", b.read_bytes()) for b in uploads[:5]]
    try:
        with ThreadPoolExecutor(6) as clients:
            answers = [clients.submit(_send, bases, n % 3, name, data) for n, (name, data) in enumerate(sends)]
            for n, book in enumerate(dropped):
                shutil.copy(book, inbox / book.name)
                if n == 3:
                    wait(lambda: len([r for r in files(postgres) if r[1] == "built"]) >= 6, 60, "builds in flight",
                         every=0.02)
                    servers[0][0].kill()
                    workers[0].kill()
                    lead.kill()
            shutil.copy(dropped[0], inbox / "copy-of-i0.xlsx")  # the same bytes under another name
            shutil.copy(typed, inbox / typed.name)
            (inbox / "notes.txt").write_text("not a workbook")
            shown = [a.result(timeout=120) for a in answers]
        wait(lambda: len(archived(inbox)) + len(_rejected_workbooks(inbox)) == 10
             and (inbox / "rejected" / "notes.txt").exists()
             and not [r for r in files(postgres) if r[1] == "processing"], 90, "the inbox drained")
    finally:
        for p in [*(s for s, _ in servers), *workers, lead, standby]:
            p.stop()
    assert all(re.fullmatch(r"/submissions/\d+", s) for s in shown)
    entries = files(postgres)
    [typed_status] = [r[1] for r in entries if r[0] == typed.name]
    contents = 33 + (typed_status == "built")  # 25 uploads and 8 inbox contents, and the typed one if it was free
    assert typed_status == "built" or (typed_status == "rejected" and typed.name in _rejected_workbooks(inbox))
    rows = memos(postgres)
    assert sorted(r[1] for r in rows) == list(range(1, contents + 1)) and {r[3] for r in rows} == {"issued"}
    assert len(one_memo_one_letter(postgres, tmp_path / "out")) == contents
    assert not list((tmp_path / "out").rglob(".tmp-*"))  # what the killed builds staged, swept by their leases
    assert not [r for r in entries if r[1] == "processing"]
    for book in dropped[1:]:
        assert [r[1] for r in entries if r[0] == book.name] == ["built"]
    # the same bytes under two names: one built, the other a duplicate (whichever came first: the original's
    # worker may have been the one killed), one entry each
    pair = sorted(r[1] for r in entries if r[0] in (dropped[0].name, "copy-of-i0.xlsx"))
    assert pair == ["built", "duplicate"]
    memos_of: dict[str, set] = {}
    for r in entries:
        if r[1] in ("built", "duplicate"):
            memos_of.setdefault(r[4], set()).add(r[2])
    assert len(memos_of) == contents and all(len(m) == 1 for m in memos_of.values())  # one memo per content, ever
    assert len([r for r in entries if r[4] in memos_of]) == 30 + 9 + (typed_status == "built")  # one per file


def _type_serial(path, serial: str) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["পত্র"]
    row = next(r[0].row for r in ws.iter_rows(max_col=1) if r[0].value == "memo_serial")
    ws.cell(row, 3, serial)
    wb.save(path)


def _rejected_workbooks(inbox) -> list[str]:
    folder = inbox / "rejected"
    return sorted(p.name for p in folder.rglob("*.xlsx") if not p.name.endswith(".annotated.xlsx")) \
        if folder.exists() else []  # the workbooks set aside, not the marked-up copies beside them


def test_a_clerk_signed_in_on_one_server_is_signed_in_and_out_on_all(postgres, tmp_path):
    """Several `gen serve` on one PostgreSQL state (behind one load balancer): the session made by one is good on
    the other, and signing out on either ends it on both."""
    import httpx

    (one, a), (two, b) = serve(tmp_path, postgres, "--token", "s3cret"), serve(tmp_path, postgres, "--token", "s3cret")
    try:
        with httpx.Client(base_url=a) as client:
            token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
            assert client.post("/login", data={"csrf": token, "token": "s3cret", "next": "/"}).status_code == 303
            session = client.cookies["gen_session"]
        with httpx.Client(base_url=b, cookies={"gen_session": session}) as client:
            assert client.get("/").status_code == 200  # signed in on the other server too
            token = re.search(r'name="csrf" value="([^"]+)"', client.get("/upload").text).group(1)
            assert client.post("/logout", data={"csrf": token}).status_code == 303
        assert httpx.get(a + "/", cookies={"gen_session": session}).status_code != 200  # and out on both
        assert httpx.get(b + "/", cookies={"gen_session": session}).status_code != 200
    finally:
        one.stop()
        two.stop()


def test_an_upload_kept_but_never_queued_is_queued_by_the_next_server(postgres, tmp_path, monkeypatch):
    """A server killed between keeping an upload and queueing it: another server of the state queues it."""
    import os

    from starlette.testclient import TestClient

    from generator.records.state import resolve
    from generator.web import create_app
    from tests.support.queue import rows

    monkeypatch.setenv("GEN_STATE_DIR", str(tmp_path / "local"))
    [book] = make_workbooks(tmp_path / "src", 1)
    kept = tmp_path / "out" / ".uploads" / f"0123abcd-{book.name}"
    kept.parent.mkdir(parents=True)
    shutil.copy(book, kept)
    fresh = kept.with_name(f"4567cdef-{book.name}")
    shutil.copy(book, fresh)  # kept a moment ago: its own server is about to queue it
    os.utime(kept, (time.time() - 300, time.time() - 300))
    with TestClient(create_app(out_root=tmp_path / "out", state_dir=resolve(postgres))):
        wait(lambda: rows(postgres, "SELECT count(*) FROM procrastinate_jobs")[0][0] >= 1, 30, "the upload queued")
    queued = rows(postgres, "SELECT args->>'path', status::text FROM procrastinate_jobs")
    assert queued == [(str(kept), "todo")]
