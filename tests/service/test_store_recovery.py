"""A build worker of `gen watch` killed after its serial was confirmed (the commit point, with its `versions` row)
and before its version was renamed into place: the register says issued, no letter exists. The intake's retry
(a fresh worker, the same content) is the next owner: it reuses the serial, writes the very folder the row names,
and the file is archived as built, with no rejection report left beside it. The worker is really killed
(SIGKILL from within, at that moment), by a sitecustomize put on the service's PYTHONPATH."""

import datetime as dt
import os
import sqlite3

from generator.records import store
from tests.support.processes import Watch
from tests.support.state import ledger, one_memo_one_letter
from tests.support.workbooks import MYMENSINGH, ROWS, fill_cc

DIE_AFTER_CONFIRM = """
import os, signal
marker = os.environ.get("GEN_TEST_DIE_AFTER_CONFIRM")
if marker:
    from generator.records import register

    confirm = register.Held.confirm

    def confirm_then_die(self):
        confirm(self)
        if self.version and not os.path.exists(marker):  # once: the retry must be able to finish
            open(marker, "w").close()
            os.kill(os.getpid(), signal.SIGKILL)

    register.Held.confirm = confirm_then_die
later = os.environ.get("GEN_TEST_DAYS_LATER")  # the service started that many days on (Dhaka's clock moved on)
if later:
    import datetime
    from generator.text import clock

    today = clock.today
    clock.today = lambda: today() + datetime.timedelta(days=int(later))
"""


def dying_after_confirm(tmp_path, monkeypatch):
    """A workbook, and every service process started from now on killing itself once, right after a confirm."""
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(DIE_AFTER_CONFIRM)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(inject), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("GEN_TEST_DIE_AFTER_CONFIRM", str(tmp_path / "died"))
    return fill_cc(tmp_path, MYMENSINGH, ROWS, name="report.xlsx")


def built_by_the_retry(tmp_path, monkeypatch) -> Watch:
    """A workbook dropped into a watched inbox, its first worker killed right after its confirmation, built by the
    intake's retry; the watcher, stopped."""
    path = dying_after_confirm(tmp_path, monkeypatch)
    watch = Watch(tmp_path)
    try:
        watch.drop([path])
        watch.wait(lambda: watch.done(1), what="the file built")
    finally:
        watch.stop()
    assert (tmp_path / "died").exists()  # a worker did die after its confirmation
    return watch


def test_a_watch_worker_killed_after_confirm_is_finished_by_the_intakes_retry(tmp_path, monkeypatch):
    watch = built_by_the_retry(tmp_path, monkeypatch)
    ((name, status, memo, moved_to),) = ledger(watch.state)
    assert (name, status) == ("report.xlsx", "built") and "archive" in moved_to
    (folder,) = one_memo_one_letter(watch.state, watch.out).values()
    db = sqlite3.connect(watch.state / "register.sqlite3")
    try:
        assert db.execute("SELECT serial, memo, path FROM versions").fetchall() == [
            (1, memo, folder.relative_to(watch.out).as_posix())]
    finally:
        db.close()
    report = folder.parent.parent
    assert store.current(report)[1] == 1 and not (report / store.REJECTED).exists()
    assert not [p for p in watch.out.rglob("*") if p.is_file() and store.REJECTED in p.parts]  # the stopped try's report went


def test_gen_build_whose_worker_died_after_confirm_says_so_and_the_same_file_again_finishes_it(tmp_path, monkeypatch):
    """`gen build` does not retry: its worker killed after the commit point is told as what it is (the memo was
    issued, the letter not yet put in place, send the same file again), not as a damaged file; the same file
    again gets that memo and its letter."""
    import json
    import subprocess
    import sys

    path = dying_after_confirm(tmp_path, monkeypatch)
    out, state = tmp_path / "out", tmp_path / "state"

    def gen_build():
        run = subprocess.run([sys.executable, "-m", "generator.cli", "build", str(path), "--out", str(out), "--state",
                              str(state), "--json"], capture_output=True, text=True, timeout=300)
        assert "Traceback" not in run.stderr
        return run, json.loads(run.stdout)

    run, first = gen_build()
    assert (tmp_path / "died").exists() and run.returncode != 0 and first["status"] != "built"
    (told,) = [i for i in first["issues"] if i["severity"] == "error"]
    assert "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২-১" in told["message_bn"] and "Send the same file again" in told["message_en"]
    assert "damaged" not in told["message_en"]
    run, again = gen_build()
    assert run.returncode == 0 and again["status"] == "built" and again["memo"] == "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২-১"
    assert again["memo_reused"] and all(os.path.isfile(p) for p in again["outputs"])
    one_memo_one_letter(state, out)


def test_a_letter_issued_before_a_stop_is_made_the_next_day_with_its_memo_and_its_date(tmp_path, monkeypatch):
    """helper-46: the watcher killed between the register's commit and the letter's placing, started again the next
    (Dhaka) day: the workbook left the date blank, so its content now printed another date, and it got a second memo,
    the first left issued with no letter for good. The resumed entry is now made as it was dated: its one memo."""
    import shutil as sh
    from pathlib import Path


    from generator.records.ledger import Ledger
    from generator.service import pipeline
    from generator.text import clock
    from generator.xlsx.source import load
    from tests.support.workbooks import MYMENSINGH, ROWS, fill_cc

    inbox, out, state = tmp_path / "inbox", tmp_path / "out", tmp_path / "state"
    inbox.mkdir()
    path = fill_cc(inbox, MYMENSINGH, ROWS, name="q1.xlsx")
    with Ledger(state) as ledger:
        id = ledger.start(path.name, load(path).digest, route="watch")
    first = pipeline.build(load(path), out_root=out, state_dir=state, submission=id)
    assert first.status == "built" and "issue_date" not in MYMENSINGH
    sh.rmtree(Path(first.outputs[0]).parent.parent.parent)  # killed after the commit: no letter in its place
    day = clock.today()
    _received_the_next_day(path, inbox, out, state, monkeypatch, id, first.memo, day)


def test_gen_build_whose_letter_was_not_placed_sends_it_again_the_next_day_under_its_memo_and_date(tmp_path,
                                                                                                   monkeypatch):
    """helper-49: the memo of a blank-dated workbook issued, its letter not placed (the worker killed after the
    commit), and the same file sent again the next day, as the message says: it printed the new day, so it was other
    content and got a second memo; the first stayed issued with no letter for good. Only a watcher's own retry of the
    same entry was dated as before (96c983f), not `gen build` again, nor a new upload."""
    import json
    import subprocess
    import sys

    from generator.text import bangla, clock
    from tests.support.docx import docx_text

    path = dying_after_confirm(tmp_path, monkeypatch)
    out, state = tmp_path / "out", tmp_path / "state"
    assert "issue_date" not in MYMENSINGH

    def gen_build():
        run = subprocess.run([sys.executable, "-m", "generator.cli", "build", str(path), "--out", str(out), "--state",
                              str(state), "--json"], capture_output=True, text=True, timeout=300)
        assert "Traceback" not in run.stderr
        return run, json.loads(run.stdout)

    day = clock.today()
    run, first = gen_build()
    assert (tmp_path / "died").exists() and run.returncode != 0 and first["status"] != "built"
    monkeypatch.setenv("GEN_TEST_DAYS_LATER", "1")
    run, again = gen_build()
    assert run.returncode == 0 and again["memo"] == "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২-১", again
    text = docx_text(next(p for p in again["outputs"] if p.endswith("-letter.docx")))
    assert bangla.format_gregorian_date(day) in text and bangla.format_gregorian_date(day + dt.timedelta(days=1)) not in text
    found = one_memo_one_letter(state, out)
    assert list(found) == [("৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২", 1)]  # one serial issued, one letter: no second memo
    run, later = gen_build()  # its letter in place now: the same file again is its own new letter, dated this day
    assert run.returncode == 0 and later["memo"].endswith("-২") and not later["memo_reused"]


def test_a_memo_reserved_just_past_midnight_is_made_again_dated_as_it_printed(tmp_path, monkeypatch):
    """helper-49: a letter dated the evening before (its date left blank) whose memo was reserved just past midnight
    in Dhaka (the register's lock busy a moment), issued, its letter not placed: the retry dated it by the
    reservation's day, other content, and gave a second memo. The day before the reservation is tried too; the
    content hash says which day the letter printed."""
    import shutil as sh
    from pathlib import Path

    from generator.records.ledger import Ledger
    from generator.service import pipeline
    from generator.text import clock
    from generator.xlsx.source import load

    inbox, out, state = tmp_path / "inbox", tmp_path / "out", tmp_path / "state"
    inbox.mkdir()
    path = fill_cc(inbox, MYMENSINGH, ROWS, name="q1.xlsx")
    with Ledger(state) as ledger:
        id = ledger.start(path.name, load(path).digest, route="watch")
    day = clock.today()
    first = pipeline.build(load(path), out_root=out, state_dir=state, submission=id, today=day)
    assert first.status == "built"
    sh.rmtree(Path(first.outputs[0]).parent)  # stopped after the commit: no letter in its place
    past_midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0, 1), clock.DHAKA)
    db = sqlite3.connect(state / "register.sqlite3")
    with db:
        db.execute("UPDATE memos SET issued_at = ?", (past_midnight.astimezone(dt.timezone.utc).isoformat(),))
    db.close()
    _received_the_next_day(path, inbox, out, state, monkeypatch, id, first.memo, day)
    assert list(one_memo_one_letter(state, out)) == [("৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২", 1)]


def test_a_letter_finished_by_the_retry_of_its_own_submission_is_not_told_as_given_again(tmp_path, monkeypatch):
    """helper-48: a build killed after its memo was issued, finished by the retry of the same submission (the watch
    folder's fresh worker; on PostgreSQL another worker): the clerk's one and only submission was noted 'memo
    reused: same content', and its page said it had been submitted before and its memo given again."""
    from generator.records.ledger import MEMO_REUSED

    watch = built_by_the_retry(tmp_path, monkeypatch)
    db = sqlite3.connect(watch.state / "register.sqlite3")
    try:
        [(status, note, details)] = db.execute("SELECT status, note, details FROM files").fetchall()
    finally:
        db.close()
    assert status == "built" and note != MEMO_REUSED and '"memo_reused": false' in details, (note, details[:200])


def test_a_serial_a_stopped_try_reserved_for_another_days_letter_is_given_back(tmp_path, monkeypatch):
    """helper-49: a watcher stopped between reserving a serial and writing the letter (a blank-dated workbook, on
    day D), its file built the next day: the stopped try's serial was adopted, the letter printed the new day (other
    content) and took the next serial, and the adopted one stayed 'reserved: being built' for ever. It is now given
    back before the new content takes one, so the letter takes that very serial, and nothing is left reserved."""
    import time

    from generator.records import owners, store as store_module
    from generator.records.ledger import Ledger
    from generator.records.owners import Owners
    from generator.service import intake, pipeline
    from generator.service.builds import BuildPool
    from generator.text import clock
    from generator.xlsx.source import load
    from tests.support.state import register_rows

    inbox, out, state = tmp_path / "inbox", tmp_path / "out", tmp_path / "state"
    inbox.mkdir()
    path = fill_cc(inbox, MYMENSINGH, ROWS, name="q1.xlsx")
    monkeypatch.setattr(owners, "LEASE_S", 1.0)
    pid = os.fork()
    if pid == 0:  # yesterday's watcher, a real process, gone between its reservation and its letter
        try:
            with Owners(state) as taken:
                me = taken.claim("watch", str(inbox.resolve()))
            with Ledger(state) as ledger:
                id = ledger.start(path.name, load(path).digest, route="watch", owner=me.id)
            store_module.write_version = lambda *args, **kwargs: os._exit(137)
            pipeline.build(load(path), out_root=out, state_dir=state, submission=id, owner=me.id,
                           today=clock.today() - dt.timedelta(days=1))
        finally:
            os._exit(1)
    assert os.waitpid(pid, 0)[1] >> 8 == 137
    assert register_rows(state) == [(1, "reserved")]  # for the letter of yesterday
    time.sleep(1.5)  # its lease runs out
    with Owners(state) as taken:
        now = taken.claim("watch", str(inbox.resolve()))
    with BuildPool(1, start_method="fork") as pool:
        id = intake.receive(path, inbox=inbox, out_root=out, state_dir=state, pool=pool, owner=now.id)
    with Ledger(state) as ledger:
        built = ledger.get(id)
    assert built.status == "built" and built.memo == "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২-১", (built.status, built.memo)
    assert register_rows(state) == [(1, "issued")]  # today's letter took it; nothing left reserved


def _received_the_next_day(path, inbox, out, state, monkeypatch, id: int, memo: str, day: dt.date) -> None:
    """The file handled by the intake on the (Dhaka) day after `day`: built again on its entry `id`, under `memo`,
    and dated `day` as it printed then, not the new day."""
    from generator.records.ledger import Ledger
    from generator.service import intake
    from generator.service.builds import BuildPool
    from generator.text import bangla, clock
    from tests.support.docx import docx_text

    monkeypatch.setattr(clock, "today", lambda: day + dt.timedelta(days=1))
    with BuildPool(1, start_method="fork") as pool:
        intake.receive(path, inbox=inbox, out_root=out, state_dir=state, pool=pool)
    with Ledger(state) as ledger:
        again = ledger.get(id)
    assert again.status == "built" and again.memo == memo, (again.status, again.memo, memo)
    text = docx_text(next(p for p in again.outputs if p.endswith("-letter.docx")))
    assert bangla.format_gregorian_date(day) in text
    assert bangla.format_gregorian_date(day + dt.timedelta(days=1)) not in text
