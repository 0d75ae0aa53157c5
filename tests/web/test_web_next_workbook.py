"""Next period's workbook is made in the server's own process (a workbook read, another written: some 100 MB and a
second each), so one at a time: forty clicks at once held 1.2 GB and kept every page waiting (a hostile review)."""

from __future__ import annotations

import threading

import pytest
from starlette.exceptions import HTTPException
from starlette.testclient import TestClient

from generator.periods import next_period
from generator.records.ledger import Ledger
from generator.web import create_app, next_workbook
from tests.support.processes import TEST_HOSTS
from tests.support.web import upload
from tests.support.workbooks import MYMENSINGH, ROWS, fill_cc


@pytest.fixture
def built(tmp_path):
    """A built submission's record."""
    data = fill_cc(tmp_path, MYMENSINGH, ROWS).read_bytes()
    with TestClient(create_app(out_root=tmp_path / "out", state_dir=tmp_path / "state", hosts=TEST_HOSTS)) as c:
        page = upload(c, "cc.xlsx", data)
        assert page.status_code == 303, page.text
        number = int(page.headers["location"].rsplit("/", 1)[1])
    with Ledger(tmp_path / "state") as ledger:
        return ledger.get(number)


def test_clicks_at_once_make_one_workbook_at_a_time(built, monkeypatch):
    making, most, lock = [0], [0], threading.Lock()
    real = next_period.make

    def counted(source):  # the real make, counted while it runs
        with lock:
            making[0] += 1
            most[0] = max(most[0], making[0])
        try:
            return real(source)
        finally:
            with lock:
                making[0] -= 1

    monkeypatch.setattr(next_period, "make", counted)
    answers = []
    clicks = [threading.Thread(target=lambda: answers.append(next_workbook.response(built))) for _ in range(6)]
    for t in clicks:
        t.start()
    for t in clicks:
        t.join(120)
    assert len(answers) == 6 and most[0] == 1
    assert all(a.status_code == 200 and a.body[:2] == b"PK" for a in answers)  # (each saved at its own time)


def test_a_click_that_waits_too_long_is_told_to_try_again(built, monkeypatch):
    monkeypatch.setattr(next_workbook, "WAIT_SECONDS", 0.1)
    assert next_workbook._MAKING.acquire(timeout=5)  # another click's workbook, still being made
    try:
        with pytest.raises(HTTPException) as e:
            next_workbook.response(built)
    finally:
        next_workbook._MAKING.release()
    assert e.value.status_code == 503 and "try again in a moment" in e.value.detail and "একটু পরে" in e.value.detail
    assert next_workbook.response(built).body[:2] == b"PK"
