"""Where a queued upload is, asked while a worker notes it in the ledger and moves it on (CI, issue 19's end to
end: a duplicate noted and moved within a millisecond, between the page's look at the ledger and its look at the
folder, was called lost: 'the file could not be kept')."""

from __future__ import annotations

import os
import sys
import threading

from generator.records.ledger import Ledger
from generator.web import uploads
from generator.web.desk import Desk


def test_an_upload_noted_and_moved_between_two_looks_is_never_called_lost(tmp_path):
    state, kept_in, archive = tmp_path / "state", tmp_path / "uploads", tmp_path / "archive"
    for folder in (state, kept_in, archive):
        folder.mkdir()
    desk = Desk(tmp_path / "out", state, pool=None, templates=None)  # type: ignore[arg-type]  # reads the ledger
    seen: dict[str, int] = {}
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch often: the worker's two steps fall between the page's two looks
    try:
        for n in range(200):
            kept = kept_in / f"abcd{n:04x}-book.xlsx"
            kept.write_bytes(b"PK")
            go = threading.Event()

            def worker(kept=kept, go=go):  # intake.receive's order: noted in the ledger, then moved
                go.wait()
                with Ledger(state) as ledger:
                    ledger.start(kept.name, "digest", route="web")
                os.replace(kept, archive / kept.name)

            thread = threading.Thread(target=worker)
            thread.start()
            go.set()
            where = "queued"
            while where == "queued":
                where, _ = uploads.status(desk, kept)
            thread.join()
            seen[where] = seen.get(where, 0) + 1
    finally:
        sys.setswitchinterval(interval)
    assert "lost" not in seen, seen
    assert sum(seen.values()) == 200


def test_an_upload_neither_kept_nor_noted_is_lost(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    desk = Desk(tmp_path / "out", state, pool=None, templates=None)  # type: ignore[arg-type]
    assert uploads.status(desk, tmp_path / "abcd0000-gone.xlsx") == ("lost", None)
    kept = tmp_path / "abcd0001-here.xlsx"
    kept.write_bytes(b"PK")
    assert uploads.status(desk, kept) == ("queued", None)
    with Ledger(state) as ledger:
        id = ledger.start(kept.name, "digest", route="web")
    assert uploads.status(desk, kept) == ("building", id)


def test_an_upload_archived_into_a_new_days_folder_as_it_is_looked_for_is_found(tmp_path):
    """helper-48: a server that did not take an upload (another on PostgreSQL, a restarted one) finds it by its tag
    in uploads/, rejected/ or archive/<day>/. The day folders were listed before uploads/ was looked in: a worker
    that made a new day's folder (the first upload of a Dhaka day) and moved the file there in between hid it
    everywhere, and the page said 404 'no such upload'."""
    from generator.web.views import progress

    desk = Desk(tmp_path / "out", tmp_path / "state", pool=None, templates=None, queued=True)  # type: ignore[arg-type]
    desk.uploads.mkdir(parents=True)
    missed = 0
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for n in range(200):
            tag = f"abcd{n:04x}"
            kept = desk.uploads / f"{tag}-book.xlsx"
            kept.write_bytes(b"PK")
            go = threading.Event()

            def worker(kept=kept, go=go, n=n):  # intake._destination: the day's folder made, then the move
                go.wait()
                day = desk.uploads / "archive" / f"2030-01-{n:04d}"
                day.mkdir(parents=True)
                os.replace(kept, day / kept.name)

            thread = threading.Thread(target=worker)
            thread.start()
            go.set()
            found = progress._left_over(desk, tag)
            thread.join()
            missed += found is None
    finally:
        sys.setswitchinterval(interval)
    assert missed == 0, f"{missed} of 200 looks found no upload"
