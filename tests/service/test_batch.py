"""`gen build` of many files reads each file when a worker is nearly free for it: a batch of large files is never
all in memory at once (before: every file's bytes were read before the first build, 20 × 15 MB here), and the
results still come in the order the files were given, those that cannot be read included."""

import os
import subprocess
import sys

from generator import api
from tests.support.workbooks import make_workbooks

MB = 2**20


def test_a_batch_of_large_files_is_not_held_in_memory_all_at_once(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for i in range(20):  # under the 20 MB a workbook may have, so each is read whole (and refused: not a zip)
        (src / f"big-{i:02d}.xlsx").write_bytes(os.urandom(15 * MB))
    # through a small Python that reports its children's peak: a child forked straight from this (large) test
    # process would count this process's memory as its own until it execs
    report = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
              "stderr=subprocess.DEVNULL).returncode; "
              "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    run = subprocess.run([sys.executable, "-c", report, sys.executable, "-m", "generator.cli", "build", str(src),
                          "--out", str(tmp_path / "out"), "--state", str(tmp_path / "state"), "--jobs", "2", "--json"],
                         capture_output=True, text=True, timeout=300)
    code, kb = (int(v) for v in run.stdout.split())
    assert code == 1  # every file refused, each with its report
    assert len(list((tmp_path / "out").rglob("*.errors.txt"))) == 20
    peak = kb * 1024  # the largest of gen build and its workers
    print(f"peak {peak / MB:.0f} MB")
    assert peak < 200 * MB, f"{peak / MB:.0f} MB"  # 20 files held at once would be 300 MB and more


def test_results_keep_the_order_given_with_unreadable_files_first_between_and_last(tmp_path):
    books = make_workbooks(tmp_path / "src", 3)
    gone = [tmp_path / f"gone-{i}.xlsx" for i in range(3)]
    os.mkfifo(fifo := tmp_path / "a-pipe.xlsx")
    order = [gone[0], fifo, books[0], gone[1], books[1], books[2], gone[2]]
    results = list(api.build_many(order, out=tmp_path / "out", state=tmp_path / "state", jobs=2))
    assert [r.source for r in results] == [str(p) for p in order]
    assert [r.status for r in results] == ["rejected", "rejected", "built", "rejected", "built", "built", "rejected"]
    assert {r.issues[0].code for r in results if r.status == "rejected"} == {"could-not-read"}


def test_a_serial_a_failed_build_could_not_give_back_is_given_back_by_the_next_gen_build(tmp_path):
    """helper-49: a state database locked mid-batch past the busy timeout: two builds failed (exit 3) and could not
    give their serials back; their ledger entries were closed as failed, so no later `gen build` took them over
    (only entries left 'processing' were), and the serials stayed 'reserved: being built' for ever, though README
    says the number goes back. A later run gives back every serial whose owner's lease ran out."""
    from generator.records.ledger import Ledger
    from generator.records.register import Register
    from generator.spec.memo import register_prefix
    from tests.support.state import register_rows
    from tests.support.workbooks import MYMENSINGH, make_workbooks

    state, out = tmp_path / "state", tmp_path / "out"
    gone = "d" * 32  # the failed run's lease, run out (no live lease by that id)
    with Ledger(state) as ledger:
        id = ledger.start("failed.xlsx", "x" * 64, route="build", owner=gone)
        ledger.finish(id, "failed", note="the state database was locked")
    with Register(state) as register:  # what the failed build left: its serial reserved, its giving back refused
        register.take(register_prefix(MYMENSINGH["memo_prefix"]), None, "the failed build's content",
                      source="failed.xlsx", kind="cc", office="অফিস", fiscal_year="2022-23", period="q2",
                      submission=id, owner=gone)
    with Ledger(state) as ledger:  # another route's file, its entry still open: resumed by its own route, untouched
        open_id = ledger.start("waiting.xlsx", "y" * 64, route="watch", owner=gone)
    with Register(state) as register:
        register.take("৪৬.০০.০০০০.০০০.০০.০০০.২৩", None, "the waiting file's content", source="waiting.xlsx",
                      kind="cc", office="অফিস", fiscal_year="2022-23", period="q2", submission=open_id, owner=gone)
    assert register_rows(state) == [(1, "reserved"), (1, "reserved")]
    [book] = make_workbooks(tmp_path / "src", 1)
    run = subprocess.run([sys.executable, "-m", "generator.cli", "build", str(book), "--out", str(out), "--state",
                          str(state)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    # given back, and taken by this letter (no gap); the open entry's serial kept for its file
    assert sorted(register_rows(state)) == [(1, "issued"), (1, "reserved")]
