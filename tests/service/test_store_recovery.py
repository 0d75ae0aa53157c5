"""A build worker of `gen watch` killed after its serial was confirmed (the commit point, with its `versions` row)
and before its version was renamed into place: the register says issued, no letter exists. The intake's retry
(a fresh worker, the same content) is the next owner: it reuses the serial, writes the very folder the row names,
and the file is archived as built, with no rejection report left beside it. The worker is really killed
(SIGKILL from within, at that moment), by a sitecustomize put on the service's PYTHONPATH."""

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
"""


def dying_after_confirm(tmp_path, monkeypatch):
    """A workbook, and every service process started from now on killing itself once, right after a confirm."""
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(DIE_AFTER_CONFIRM)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(inject), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("GEN_TEST_DIE_AFTER_CONFIRM", str(tmp_path / "died"))
    return fill_cc(tmp_path, MYMENSINGH, ROWS, name="report.xlsx")


def test_a_watch_worker_killed_after_confirm_is_finished_by_the_intakes_retry(tmp_path, monkeypatch):
    path = dying_after_confirm(tmp_path, monkeypatch)
    watch = Watch(tmp_path)
    try:
        watch.drop([path])
        watch.wait(lambda: watch.done(1), what="the file built")
    finally:
        watch.stop()
    assert (tmp_path / "died").exists()  # a worker did die after its confirmation
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
