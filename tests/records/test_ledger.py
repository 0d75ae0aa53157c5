"""The ledger on both backends (SQLite, PostgreSQL): every file handled, resumed by its route only when its
owner is gone, listed a page at a time with filters."""

import pytest

from generator.records.ledger import UNPROCESSABLE, Ledger
from generator.records.owners import Owners


def test_an_entry_round_trips_with_its_findings_documents_and_score(backend):
    details = {"score": {"total": 19.55, "possible": 25.0}, "issues": [{"bn": "ঘর খালি", "en": "empty cell"}]}
    with Ledger(backend) as ledger:
        id = ledger.start("প্রতিবেদন ১ম.xlsx", "h1", route="upload", owner="me")
        assert ledger.get(id).status == "processing" and ledger.owner_of(id) == "me"
        ledger.finish(id, "built", memo="৪৬.১১-১", kind="cc", office="চট্টগ্রাম সিটি কর্পোরেশন", fiscal_year="2023-24",
                      period="q1", outputs=["a/letter.docx", "a/annex.docx"], moved_to="archive/x.xlsx",
                      seconds=1.25, details=details)
    with Ledger(backend) as ledger:
        got = ledger.get(id)
        assert ledger.get(id + 1000) is None and ledger.get(2 ** 63) is None
    assert (got.name, got.status, got.memo, got.office, got.route, got.attempts) == (
        "প্রতিবেদন ১ম.xlsx", "built", "৪৬.১১-১", "চট্টগ্রাম সিটি কর্পোরেশন", "upload", 1)
    assert got.outputs == ["a/letter.docx", "a/annex.docx"] and got.details == details
    assert (got.score_total, got.score_possible, got.seconds) == (19.55, 25.0, 1.25)
    assert got.finished_at >= got.received_at


def test_ids_count_up_and_gen_build_always_starts_a_new_entry(backend):
    with Ledger(backend) as ledger:
        ids = [ledger.start("a.xlsx", "h", route="build") for _ in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3


def test_a_failed_file_is_resumed_and_a_crashed_ones_attempts_counted(backend):
    with Owners(backend) as owners:
        me = owners.claim("watch", "inbox")
    with Ledger(backend) as ledger:
        first = ledger.start("a.xlsx", "h", owner=me.id)
        # my own unfinished entry, resumed: not counted (only an outage leaves it open: the database could not be
        # written to close it; counting it would set the file aside as a crash after two outages)
        assert ledger.start("a.xlsx", "h", owner=me.id) == first
        assert ledger.get(first).attempts == 1
        crashed = ledger.start("c.xlsx", "h", owner="a-predecessor-whose-lease-ran-out")
        assert ledger.start("c.xlsx", "h", owner=me.id) == crashed and ledger.get(crashed).attempts == 2  # counted
        ledger.finish(first, "failed", note="disk full")
        assert ledger.start("a.xlsx", "h", owner=me.id) == first and ledger.get(first).attempts == 1
        ledger.finish(first, "built")
        assert ledger.start("a.xlsx", "h", owner=me.id) != first  # done: a new entry
        assert ledger.start("a.xlsx", "other bytes", owner=me.id) not in (first,)


def test_done_with_and_a_late_move(backend):
    with Ledger(backend) as ledger:
        lost = ledger.start("a.xlsx", "h")
        ledger.finish(lost, "rejected", note=UNPROCESSABLE)
        assert ledger.done_with("h") is None  # a crash is not held against the same bytes
        kept = ledger.start("b.xlsx", "h")
        ledger.finish(kept, "rejected", note="the file could not be moved (permission denied)")
        assert ledger.done_with("h").id == kept
        ledger.moved(kept, "rejected/b.xlsx")
        ledger.moved(kept, "somewhere/else.xlsx")  # only once
        got = ledger.get(kept)
        assert (got.moved_to, got.note) == ("rejected/b.xlsx", None)
        assert [r.id for r in ledger.unfinished()] == [] and ledger.built("2023-24", "q1") == []


def test_pages_filters_and_choices(backend):
    offices = ["রংপুর", "খুলনা", "Dhaka", "রংপুর", "খুলনা", "রংপুর"]
    with Ledger(backend) as ledger:
        ids = []
        for n, office in enumerate(offices):
            ids.append(ledger.start(f"{n}.xlsx", f"h{n}"))
            ledger.finish(ids[-1], "built" if n else "rejected", office=office, kind="cc", fiscal_year="2023-24",
                          period="q1", details={"score": {"total": n, "possible": 10}})
        records, total = ledger.page()
        assert total == 6 and [r.id for r in records] == ids[::-1]
        assert records[0].details is None and records[0].outputs == []  # a list page reads neither
        records, total = ledger.page({"office": "রংপুর", "status": "built", "kind": ""}, limit=1)
        assert total == 2 and [r.id for r in records] == [ids[5]]
        assert [r.id for r in ledger.page({"office": "রংপুর", "status": "built"}, limit=1, offset=1)[0]] == [ids[3]]
        assert ledger.page({"office": "nowhere"}) == ([], 0)
        with pytest.raises(ValueError):
            ledger.page({"name": "x"})
        choices = ledger.choices()
        assert [r.id for r in ledger.built("2023-24", "q1", "cc")] == ids[1:]
    # byte order, as SQLite compares text: Latin before Bangla, Bangla letters in code point order
    assert choices["office"] == sorted(set(offices)) == ["Dhaka", "খুলনা", "রংপুর"]
    assert choices["status"] == ["built", "rejected"] and choices["period"] == ["q1"]


def test_the_public_api_takes_a_postgresql_url_as_a_string(postgres, monkeypatch, tmp_path):
    """`generator.memo_register("postgresql://…")`, as an integrator would call it."""
    import generator
    from generator.records.register import Register
    from generator.records.state import resolve

    monkeypatch.setenv("GEN_STATE_DIR", str(tmp_path))  # where the URL's local folder goes
    with Register(resolve(postgres)) as register:
        register.confirm(register.allocate("P", "h", source="s", kind="cc", office="o", fiscal_year="2023-24",
                                           period="q1")[0])
    assert [(e.prefix, e.serial) for e in generator.memo_register(postgres)] == [("P", 1)]


def test_an_entry_is_finished_once_a_stale_process_never_writes_over_it(backend):
    """Found by trying: a worker stopped past its lease, resumed after another had built its file and closed its
    entry (built, moved), wrote 'failed' with no memo over it."""
    with Ledger(backend) as ledger:
        id = ledger.start("a.xlsx", "h", route="watch", owner="stale")
        ledger.finish(id, "built", memo="৪৬.১১-১", moved_to="archive/a.xlsx")  # by the process that took it over
        ledger.finish(id, "failed", note="the file vanished before it could be moved")  # the stale one, resumed
        got = ledger.get(id)
    assert (got.status, got.memo, got.moved_to) == ("built", "৪৬.১১-১", "archive/a.xlsx")


def test_a_stale_process_that_finishes_first_does_not_close_the_entry_another_has_taken_over(backend):
    """The other order (found in review): the process that took the file over re-opened the entry as its own;
    the stale one, resumed, finishes first: its 'failed' must not be the entry's outcome."""
    with Owners(backend) as owners:
        stale, taker = owners.claim("watch", "inbox"), owners.claim("watch", "inbox")
        with Ledger(backend) as ledger:
            id = ledger.start("a.xlsx", "h", route="watch", owner=stale.id)
            owners.end(stale)  # its lease ran out (stopped): the taker resumes the entry as its own
            assert ledger.start("a.xlsx", "h", route="watch", owner=taker.id) == id
            ledger.finish(id, "failed", note="the file vanished before it could be moved", owner=stale.id)
            assert ledger.get(id).status == "processing"
            ledger.finish(id, "built", memo="৪৬.১১-১", moved_to="archive/a.xlsx", owner=taker.id)
            got = ledger.get(id)
    assert (got.status, got.memo, got.moved_to) == ("built", "৪৬.১১-১", "archive/a.xlsx")
