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
