"""The e-Nothi bundle from the web page: a workbook uploaded with evidence files, built through a real warm
LibreOffice, gives one PDF of letter, annex and evidence; bad evidence, too much of it, and evidence sent to a
server without PDFs are refused by name, in Bangla and English."""

import sqlite3
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from generator.xlsx import examples
from generator.documents.make import PdfSettings
from generator.records.ledger import Ledger
from generator.spec.paths import EXAMPLES_DIR
from generator.records.register import Register
from generator.web import MB, create_app
from tests.support.processes import TEST_HOSTS
from tests.support.office import noisy_jpeg, pages_of
from tests.support.web import BUNDLE_LABEL, blank_pdf, csrf, links, png, settled

MEMO = "৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭-১৯২"


@pytest.fixture
def workbook(tmp_path):
    return examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "চট্টগ্রাম.xlsx").read_bytes()


def app(tmp_path, office, **options):
    settings = PdfSettings(office.handle, timeout=60) if office else None
    return create_app(out_root=tmp_path / "out", state_dir=tmp_path / "state", hosts=TEST_HOSTS, pdf=settings,
                      **options)


def send(client, workbook: bytes, evidence: list[tuple[str, bytes]]):
    files = [("workbook", ("চট্টগ্রাম.xlsx", workbook))] + [("evidence", item) for item in evidence]
    return settled(client, client.post("/upload", data={"csrf": csrf(client)}, files=files, follow_redirects=False))


def evidence_left(tmp_path) -> list[Path]:
    root = tmp_path / "state" / "evidence"
    return list(root.rglob("*")) if root.exists() else []


def test_a_workbook_with_a_png_a_jpeg_and_a_pdf_gives_one_pdf_for_e_nothi(tmp_path, office, workbook):
    photo = noisy_jpeg(tmp_path / "photo.jpg", (4800, 3200)).read_bytes()  # a phone photo at its worst: noise
    assert len(photo) > 25 * MB  # over e-Nothi's limit by itself; the default evidence cap takes it
    with TestClient(app(tmp_path, office)) as c:
        assert 'name="evidence"' in c.get("/upload").text
        r = send(c, workbook, [("সভার ছবি.jpg", photo), ("স্ক্যান.png", png()), ("নোটিশ.pdf", blank_pdf(3))])
        assert r.status_code == 303, r.text[:500]
        page = c.get(r.headers["location"]).text
        assert MEMO in page and BUNDLE_LABEL in page
        assert page.index(BUNDLE_LABEL) < page.index("পত্র (PDF)") < page.index("পত্র (Word, সম্পাদনার জন্য)")
        files = links(page)
        got = {name: c.get(href) for name, href in files.items()}
    bundle = got["cc-2023-24-q1-bundle.pdf"]
    assert bundle.status_code == 200 and bundle.content.startswith(b"%PDF-")
    letter, annex = (pages_of(got[f"cc-2023-24-q1-{d}.pdf"].content, tmp_path) for d in ("letter", "annex"))
    assert pages_of(bundle.content, tmp_path) == letter + annex + 3 + 1 + 1  # notice, then the photos: name order
    assert len(bundle.content) < 25 * MB
    assert "bundle.pdf" in bundle.headers["content-disposition"]
    assert not evidence_left(tmp_path)  # removed once built: the bundle holds them


def test_bad_evidence_rejects_the_upload_naming_the_file_and_fixed_evidence_builds_it(tmp_path, office, workbook):
    with TestClient(app(tmp_path, office)) as c:
        r = send(c, workbook, [("ok.png", png()), ("ভর্তির রসিদ.PDF", b"this is a scan, honestly, not a PDF")])
        page = c.get(r.headers["location"]).text
        assert "বাতিল" in page and "ভর্তির রসিদ.PDF" in page and "evidence-wrong-type" in page  # named as sent
        assert "প্রমাণক ফাইলের নাম আছে সেটি ঠিক করে" in page and "লাল ঘরগুলো" not in page
        assert ".annotated.xlsx" not in page  # no cell is to blame: no marked copy offered (a hostile run saw one)
        with Register(tmp_path / "state") as register:
            assert not [e for e in register.entries() if e.state == "issued"]  # the serial went back
        again = send(c, workbook, [("ok.png", png()), ("ভর্তির রসিদ.pdf", blank_pdf(1))])  # the same workbook
        assert again.headers["location"] != r.headers["location"]
        page = c.get(again.headers["location"]).text
        assert MEMO in page and BUNDLE_LABEL in page and "এখনও বাতিল" not in page
    assert not evidence_left(tmp_path)


def test_evidence_over_its_caps_gets_413_naming_the_cap(tmp_path, office, workbook):
    with TestClient(app(tmp_path, office, max_upload=1 * MB, max_evidence=2 * MB)) as c:
        assert "সর্বোচ্চ ২ MB" in c.get("/upload").text
        r = send(c, workbook, [("a.jpg", b"\xff\xd8\xff" + b"\0" * (1 * MB)), ("b.jpg", b"\xff\xd8\xff" + b"\0" * MB)])
        assert r.status_code == 413 and "সর্বোচ্চ ২ MB" in r.text and "at most 2 MB" in r.text
        r = send(c, workbook, [(f"{n:02d}.png", png((20, 20))) for n in range(21)])
        assert r.status_code == 413 and "সর্বোচ্চ ২০টি" in r.text and "at most 20" in r.text
        r = send(c, workbook, [("huge.png", b"\0" * (3 * MB + 100_000))])  # over both caps: refused before it is read
        assert r.status_code == 413 and "ওয়ার্কবুক সর্বোচ্চ ১ MB" in r.text and "evidence files together" in r.text
        r = send(c, workbook, [("minutes.docx", b"PK\3\4")])
        assert r.status_code == 415 and "minutes.docx" in r.text and "PDF, JPEG or PNG" in r.text
        with Ledger(tmp_path / "state") as ledger:
            assert ledger.page({})[1] == 0  # nothing was taken
    assert not evidence_left(tmp_path)


def test_a_server_without_pdfs_refuses_evidence_clearly(tmp_path, workbook):
    with TestClient(app(tmp_path, None)) as c:
        form = c.get("/upload").text
        assert 'name="evidence"' not in form and "প্রমাণক এখানে নেওয়া হয় না" in form
        r = send(c, workbook, [("photo.png", png())])
        assert r.status_code == 400 and "PDF তৈরি করে না, তাই প্রমাণক নেওয়া যায় না" in r.text
        assert "does not make PDFs, so it cannot take evidence" in r.text
        assert send(c, workbook, []).status_code == 303  # the workbook alone is built as before
    assert not evidence_left(tmp_path)


def test_evidence_sent_with_a_workbook_already_built_is_said_to_be_unused(tmp_path, office, workbook):
    with TestClient(app(tmp_path, office)) as c:
        first = send(c, workbook, []).headers["location"]
        assert BUNDLE_LABEL in c.get(first).text  # without evidence: one PDF of the letter and annex
        db = sqlite3.connect(tmp_path / "state" / "register.sqlite3")
        db.execute("UPDATE files SET received_at = '2020-01-01T00:00:00.000+00:00'")  # sent long ago
        db.commit()
        db.close()
        r = send(c, workbook, [("photo.png", png())])
        assert r.headers["location"].endswith("?evidence=unused")
        page = c.get(r.headers["location"]).text
        assert "প্রমাণকগুলো যোগ করা হয়নি" in page and "evidence files were not added" in page


def test_evidence_added_when_the_same_workbook_is_sent_again_at_once_is_said_to_be_unused(tmp_path, office, workbook):
    with TestClient(app(tmp_path, office)) as c:
        first = send(c, workbook, []).headers["location"]
        r = send(c, workbook, [("photo.png", png())])  # moments later, now with a scan: not a double-click
        assert r.headers["location"] != first and r.headers["location"].endswith("?evidence=unused")
        page = c.get(r.headers["location"]).text
        assert "প্রমাণকগুলো যোগ করা হয়নি" in page and "evidence files were not added" in page


def test_evidence_added_at_once_is_said_to_be_unused_when_the_answer_goes_by_the_building_page(tmp_path, office,
                                                                                               workbook):
    """helper-48: the same workbook sent again at once with a scan, answered through the page that says it is
    building (a build slower than the answer's wait; on PostgreSQL every upload): that page sent the clerk to the
    first submission, with no word that the scan was not added."""
    with TestClient(app(tmp_path, office, answer_within=0)) as c:
        first = send(c, workbook, []).headers["location"]
        r = send(c, workbook, [("photo.png", png())])
        assert r.headers["location"] != first and r.headers["location"].endswith("?evidence=unused"), r.headers
        page = c.get(r.headers["location"]).text
        assert "প্রমাণকগুলো যোগ করা হয়নি" in page and "evidence files were not added" in page


def test_evidence_sent_with_a_rejected_workbook_again_says_it_was_not_kept_and_to_send_it_with_the_fix(tmp_path, office):
    from tests.support.workbooks import MYMENSINGH, ROWS, fill_cc

    bad = fill_cc(tmp_path, dict(MYMENSINGH, recipient=None), ROWS, name="bad.xlsx").read_bytes()
    with TestClient(app(tmp_path, office)) as c:
        first = send(c, bad, []).headers["location"]
        r = send(c, bad, [("photo.png", png())])  # at once, now with a scan
        assert r.headers["location"] != first
        page = c.get(r.headers["location"]).text
        assert "এখনও বাতিল" in page and "Still rejected" in page and "প্রমাণকগুলো রাখা হয়নি" in page
        assert "Correct the workbook and send it again with the evidence" in page
        assert "a letter was already built" not in page


def test_an_upload_left_by_a_stopped_server_is_built_with_its_evidence(tmp_path, office, workbook):
    state = tmp_path / "state"
    (state / "uploads").mkdir(parents=True)
    (state / "uploads" / "0badc0de-চট্টগ্রাম.xlsx").write_bytes(workbook)
    (state / "evidence" / "0badc0de").mkdir(parents=True)
    (state / "evidence" / "0badc0de" / "scan.png").write_bytes(png())
    (state / "evidence" / "deadbeef").mkdir()  # an upload long gone: swept
    with TestClient(app(tmp_path, office)) as c:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with Ledger(state) as ledger:
                records, _ = ledger.page({"status": "built"})
            if records:
                break
            time.sleep(0.5)
        record = records[0]
        page = c.get(f"/submissions/{record.id}").text
        bundle = c.get(links(page)["cc-2023-24-q1-bundle.pdf"]).content
        letter, annex = (pages_of(c.get(links(page)[f"cc-2023-24-q1-{d}.pdf"]).content, tmp_path)
                         for d in ("letter", "annex"))
    assert pages_of(bundle, tmp_path) == letter + annex + 1
    assert not evidence_left(tmp_path)
