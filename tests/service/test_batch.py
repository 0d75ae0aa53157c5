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
