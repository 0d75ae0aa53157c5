"""An upload is answered at once: a page that says it is building and looks again by itself (no script) until
the submission is built; the same content sent again meanwhile joins it."""

from starlette.testclient import TestClient

from generator.records.ledger import Ledger
from generator.spec.paths import EXAMPLES_DIR
from generator.web import create_app
from generator.xlsx import examples
from tests.support.processes import TEST_HOSTS
from tests.support.web import csrf, settled


def _example(tmp_path) -> bytes:
    return examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path / "cc.xlsx").read_bytes()


def test_the_upload_answers_at_once_with_a_page_that_refreshes_until_built(tmp_path):
    app = create_app(out_root=tmp_path / "out", state_dir=tmp_path / "state", hosts=TEST_HOSTS, answer_within=0)
    with TestClient(app) as c:
        sent = c.post("/upload", data={"csrf": csrf(c)}, files={"workbook": ("চট্টগ্রাম.xlsx", _example(tmp_path))},
                      follow_redirects=False)
        assert sent.status_code == 303 and sent.headers["location"].startswith("/uploads/")
        building = c.get(sent.headers["location"], follow_redirects=False)
        if building.status_code == 200:  # still building when looked at
            assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in building.text  # without script
            assert '<script src="/look-again.js" data-every="2" defer></script>' in building.text  # with: no timed move
            assert "তৈরি হচ্ছে" in building.text and "Building" in building.text and "চট্টগ্রাম.xlsx" in building.text
        done = settled(c, sent)
        assert done.status_code == 303 and done.headers["location"].startswith("/submissions/")
        assert "তৈরি হয়েছে" in c.get(done.headers["location"]).text


def test_the_same_content_three_times_is_one_submission_without_a_warning(tmp_path):
    app = create_app(out_root=tmp_path / "out", state_dir=tmp_path / "state", hosts=TEST_HOSTS, answer_within=0)
    data = _example(tmp_path)
    with TestClient(app) as c:
        token = csrf(c)
        sent = [c.post("/upload", data={"csrf": token}, files={"workbook": ("cc.xlsx", data)}, follow_redirects=False)
                for _ in range(3)]
        assert len({s.headers["location"] for s in sent}) == 1  # all three on the one build's page
        done = settled(c, sent[0])
        page = c.get(done.headers["location"]).text
        again = settled(c, c.post("/upload", data={"csrf": token}, files={"workbook": ("cc.xlsx", data)},
                                  follow_redirects=False))
        assert again.headers["location"] == done.headers["location"]  # a fourth, moments after: the same page
    with Ledger(tmp_path / "state") as ledger:
        records, total = ledger.page()
    assert total == 1 and records[0].status == "built"
    assert "নতুন স্মারক" not in page and "new memo" not in page and "version-kept" not in page


def test_an_upload_kept_while_the_records_were_unwritable_is_built_when_they_are_again(tmp_path, monkeypatch):
    from generator.records.state import StateError
    from generator.service import intake
    from generator.web.views import progress

    real, calls = intake.receive, []

    def refuses_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise StateError(tmp_path / "state", "disk I/O error")
        return real(*args, **kwargs)

    monkeypatch.setattr(intake, "receive", refuses_once)
    monkeypatch.setattr(progress, "RETRY_AFTER", 0.2)
    app = create_app(out_root=tmp_path / "out", state_dir=tmp_path / "state", hosts=TEST_HOSTS, answer_within=5)
    data = _example(tmp_path)  # the same file sent twice (a workbook written again has another save time)
    with TestClient(app) as c:
        sent = c.post("/upload", data={"csrf": csrf(c)}, files={"workbook": ("cc.xlsx", data)},
                      follow_redirects=False)
        first = c.get(sent.headers["location"], follow_redirects=False)
        assert first.status_code == 503 and "ফাইলটি রাখা আছে" in first.text and "Your file is kept" in first.text
        assert 'http-equiv="refresh"' in first.text  # the page tries again by itself
        again = c.post("/upload", data={"csrf": csrf(c)}, files={"workbook": ("cc.xlsx", data)},
                       follow_redirects=False)
        import time

        time.sleep(0.3)
        done = settled(c, sent)
    assert done.status_code == 303 and done.headers["location"].startswith("/submissions/") and len(calls) == 2
    # sent again meanwhile: the same, kept one (or, when its retry had already built it, that submission)
    assert again.headers["location"] in (sent.headers["location"], done.headers["location"])


def test_the_same_content_sent_three_times_at_once_is_one_submission(tmp_path):
    """The three requests of a triple click arrive together, each still reading its form when the next comes."""
    import threading

    app = create_app(out_root=tmp_path / "out", state_dir=tmp_path / "state", hosts=TEST_HOSTS, answer_within=0)
    data = _example(tmp_path)
    with TestClient(app) as c:
        token, answers = csrf(c), []

        def send():
            answers.append(c.post("/upload", data={"csrf": token}, files={"workbook": ("cc.xlsx", data)},
                                  follow_redirects=False))

        threads = [threading.Thread(target=send) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len({a.headers["location"] for a in answers}) == 1
        settled(c, answers[0])
    with Ledger(tmp_path / "state") as ledger:
        assert ledger.page()[1] == 1


def test_an_upload_this_server_did_not_receive_but_will_build_still_says_building(tmp_path):
    app = create_app(out_root=tmp_path / "out", state_dir=tmp_path / "state", hosts=TEST_HOSTS)
    with TestClient(app) as c:
        (tmp_path / "state" / "uploads").mkdir(parents=True, exist_ok=True)
        (tmp_path / "state" / "uploads" / "0123abcd-চট্টগ্রাম.xlsx").write_bytes(b"PK")  # as a stopped server left it
        waiting = c.get("/uploads/0123abcd", follow_redirects=False)
        unknown = c.get("/uploads/ffffffff", follow_redirects=False)
    assert waiting.status_code == 200 and "তৈরি হচ্ছে" in waiting.text and "চট্টগ্রাম.xlsx" in waiting.text
    assert unknown.status_code == 404 and "No such upload is being built" in unknown.text


def test_a_submission_still_processing_looks_again_by_itself_and_a_finished_one_does_not(tmp_path):
    app = create_app(out_root=tmp_path / "out", state_dir=tmp_path / "state", hosts=TEST_HOSTS)
    with TestClient(app) as c:
        c.get("/")
        with Ledger(tmp_path / "state") as ledger:
            id = ledger.start("খুলনা.xlsx", "ab" * 32, route="watch")
        open_page = c.get(f"/submissions/{id}").text
        assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in open_page
        assert '<script src="/look-again.js" data-every="2" defer></script>' in open_page
        with Ledger(tmp_path / "state") as ledger:
            ledger.finish(id, "rejected")
        assert "look-again" not in c.get(f"/submissions/{id}").text
        js = c.get("/look-again.js")
        assert js.headers["content-type"].startswith("text/javascript") and "location.replace" in js.text
