"""Evidence with queued uploads (PostgreSQL state, docs/scale.md): the evidence is kept on the shared output root
beside the upload, a real `gen worker` with a warm LibreOffice builds the e-Nothi bundle, and any server serves it;
a hostile evidence file is refused by name and burns no serial."""

import re

import httpx
import pytest

from tests.support.office import need_libreoffice, pages_of
from tests.support.queue import Process, serve, files, memos, wait
from tests.support.workbooks import make_workbooks
from tests.support.web import BUNDLE_LABEL, blank_pdf, links, png

pytestmark = pytest.mark.slow



def _upload(base: str, book, evidence: list[tuple[str, bytes]]) -> str:
    with httpx.Client(base_url=base) as client:
        form = client.get("/upload")
        assert 'name="evidence"' in form.text  # taken on PostgreSQL, though this server makes no PDFs
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        answer = client.post("/upload", data={"csrf": token}, files=[("workbook", (book.name, book.read_bytes()))]
                             + [("evidence", item) for item in evidence])
    assert answer.status_code == 303 and answer.headers["location"].startswith("/uploads/"), answer.text[:500]
    return answer.headers["location"]


def _built(base: str, location: str) -> str:
    wait(lambda: httpx.get(base + location).status_code == 303, 180, f"{location} built")
    submission = httpx.get(base + location).headers["location"]
    assert re.fullmatch(r"/submissions/\d+", submission)
    return submission


def test_queued_upload_with_evidence_is_bundled_by_a_worker_with_pdfs_and_served_by_any_server(postgres, tmp_path):
    need_libreoffice(warm=True)
    hostile, good = make_workbooks(tmp_path / "src", 2)
    evidence_root = tmp_path / "out" / ".uploads" / ".evidence"
    (one, a), (two, b) = serve(tmp_path, postgres), serve(tmp_path, postgres)
    builder = None
    try:
        bad = _upload(a, hostile, [("ok.png", png()), ("ভর্তির রসিদ.pdf", b"this is a scan, honestly, not a PDF")])
        location = _upload(a, good, [("সভার ছবি.png", png()), ("নোটিশ.pdf", blank_pdf(3))])
        assert len([p for p in evidence_root.rglob("*") if p.is_file()]) == 4  # on the shared root, for any worker
        builder = Process(tmp_path, "worker.log", "worker", "--state", postgres, "--pdf", "--pdf-timeout", "60")
        refused = httpx.get(b + _built(b, bad)).text
        assert "ভর্তির রসিদ.pdf" in refused and "evidence-wrong-type" in refused and "বাতিল" in refused
        page = httpx.get(b + _built(b, location)).text  # the OTHER server
        assert BUNDLE_LABEL in page
        got = {name: httpx.get(b + href).content for name, href in links(page).items()}
    finally:
        for p in (one, two, builder):
            if p is not None:
                p.stop()
    [bundle] = [data for name, data in got.items() if name.endswith("-bundle.pdf")]
    [letter] = [data for name, data in got.items() if name.endswith("-letter.pdf")]
    [annex] = [data for name, data in got.items() if name.endswith("-annex.pdf")]
    assert bundle.startswith(b"%PDF-")
    assert pages_of(bundle, tmp_path) == pages_of(letter, tmp_path) + pages_of(annex, tmp_path) + 3 + 1
    assert [r[1] for r in memos(postgres) if r[3] == "issued"] == [1]  # the hostile upload burnt no serial
    assert sorted(r[1] for r in files(postgres)) == ["built", "rejected"]
    assert not [p for p in evidence_root.rglob("*") if p.is_file()]  # removed once built or refused, as on SQLite


def test_a_worker_without_pdfs_leaves_an_upload_with_evidence_to_one_with_pdfs_and_a_killed_one_is_retried(
        postgres, tmp_path):
    """A worker with --no-pdf does not take an upload that wants a bundle (it says so in its log); a worker with
    PDFs killed while building it leaves the job and the evidence to the next, which builds the bundle."""
    from tests.support.queue import worker

    need_libreoffice(warm=True)
    [book] = make_workbooks(tmp_path / "src", 1)
    server, base = serve(tmp_path, postgres)
    plain = first = second = None
    try:
        location = _upload(base, book, [("সভার ছবি.png", png()), ("নোটিশ.pdf", blank_pdf(2))])
        plain = worker(tmp_path, postgres, "plain.log")
        wait(lambda: plain.said("wait for a worker with PDFs"), 60, "the worker without PDFs to say so")
        assert "Queued" in httpx.get(base + location).text and not files(postgres)  # left alone, not built bare
        first = Process(tmp_path, "first.log", "worker", "--state", postgres, "--pdf", "--pdf-timeout", "60")
        wait(lambda: files(postgres) != [], 120, "the build to start")
        first.kill()  # kill -9 while it builds (or just after): the job is taken again with its evidence
        second = Process(tmp_path, "second.log", "worker", "--state", postgres, "--pdf", "--pdf-timeout", "60")
        page = httpx.get(base + _built(base, location)).text
        assert BUNDLE_LABEL in page
    finally:
        for p in (server, plain, first, second):
            if p is not None:
                p.stop()
    assert [r[1] for r in memos(postgres) if r[3] == "issued"] == [1]
    assert [r[1] for r in files(postgres)] == ["built"]  # resumed, not doubled
    assert not [p for p in (tmp_path / "out" / ".uploads" / ".evidence").rglob("*") if p.is_file()]


def test_evidence_with_no_upload_beside_it_is_swept_by_a_server_and_waiting_evidence_kept(postgres, tmp_path,
                                                                                          monkeypatch):
    """A server killed between keeping the evidence and the workbook leaves a folder no job names: any server of
    the state removes it once it is older than a minute; the evidence of an upload still waiting is kept."""
    import os
    import time

    from starlette.testclient import TestClient

    from generator.records.state import resolve
    from generator.web import create_app

    monkeypatch.setenv("GEN_STATE_DIR", str(tmp_path / "local"))
    uploads = tmp_path / "out" / ".uploads"
    orphan, fresh, waiting = (uploads / ".evidence" / tag for tag in ("0123abcd", "89abcdef", "4567cdef"))
    for folder in (orphan, fresh, waiting):
        folder.mkdir(parents=True)
        (folder / "scan.png").write_bytes(png())
    [book] = make_workbooks(tmp_path / "src", 1)
    (uploads / f"4567cdef-{book.name}").write_bytes(book.read_bytes())
    for path in (orphan, waiting, uploads / f"4567cdef-{book.name}"):
        os.utime(path, (time.time() - 300, time.time() - 300))
    with TestClient(create_app(out_root=tmp_path / "out", state_dir=resolve(postgres))):
        wait(lambda: not orphan.exists(), 30, "the orphan evidence swept")
    assert (waiting / "scan.png").exists() and (fresh / "scan.png").exists()  # fresh: its workbook is coming
