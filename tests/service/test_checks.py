"""`gen validate` checks each workbook in a worker with the time and memory limits a build has: a check that
stalls is stopped and told alone, and the next workbook is checked by a fresh worker."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.processes import service_env


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_a_stalled_check_is_stopped_and_the_next_workbook_still_checked(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from synthetic import workbooks

    (big,) = workbooks(tmp_path / "big", 1, 990)  # a few hundred ms of checking: time to stop its worker
    smalls = workbooks(tmp_path / "small", 3, 3)
    given = [big, *smalls]
    run = subprocess.Popen([sys.executable, "-m", "generator.cli", "validate", "--json", "--jobs", "1",
                            "--timeout", "2", *map(str, given)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=service_env())
    stopped = None
    deadline = time.monotonic() + 60
    while stopped is None and time.monotonic() < deadline and run.poll() is None:
        for child in _children(run.pid):
            os.kill(child, signal.SIGSTOP)  # the worker hangs, as one reading a hostile file might
            stopped = child
        time.sleep(0.002)
    out, err = run.communicate(timeout=120)
    assert stopped is not None, "no worker process was seen"
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["source"] for r in results] == list(map(str, given)), out + err
    # the stop lands on the big one's check unless this test was held up meanwhile: on one of them, and alone
    stopped_at = [i for i, r in enumerate(results) if r["status"] == "rejected"]
    assert len(stopped_at) == 1 and results[stopped_at[0]]["issues"][0]["code"] == "took-too-long", results
    assert stopped_at[0] < len(given) - 1  # and at least one was checked after it, by a fresh worker
    assert all(r["status"] == "valid" for i, r in enumerate(results) if i != stopped_at[0])
    assert run.returncode == 1
    assert not Path(f"/proc/{stopped}").exists() or "Z" in Path(f"/proc/{stopped}/stat").read_text().split()[2]


def test_gen_validate_checks_many_workbooks_in_the_order_given(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from synthetic import workbooks

    paths = workbooks(tmp_path / "many", 6, 5)
    broken = tmp_path / "many" / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    given = [*paths[:3], broken, *paths[3:]]
    run = subprocess.run([sys.executable, "-m", "generator.cli", "validate", "--json", "--jobs", "2",
                          *map(str, given)], capture_output=True, text=True, timeout=120)
    results = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["source"] for r in results] == list(map(str, given))
    assert [r["status"] for r in results] == ["valid"] * 3 + ["rejected"] + ["valid"] * 3
    assert run.returncode == 1 and "Traceback" not in run.stderr


def test_the_apis_check_runs_in_a_worker_and_a_stalled_one_is_told_not_waited_for(tmp_path):
    """`generator.check` once checked in the caller's own process: a hostile workbook there had no time or memory
    limit. It checks in a worker with the limits a build has; a stalled worker is told took-too-long and the
    caller goes on to check the next workbook."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from synthetic import workbooks

    (big,) = workbooks(tmp_path / "big", 1, 990)
    (small,) = workbooks(tmp_path / "small", 1, 3)
    code = ("import sys, generator; from generator import Limits; "
            "print(generator.check(sys.argv[1], limits=Limits(seconds=2)).issues[0].code, flush=True); "
            "print(generator.check(sys.argv[2]).status, flush=True)")
    run = subprocess.Popen([sys.executable, "-c", code, str(big), str(small)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=service_env())
    stopped = None
    deadline = time.monotonic() + 60
    while stopped is None and time.monotonic() < deadline and run.poll() is None:
        for child in _children(run.pid):
            os.kill(child, signal.SIGSTOP)  # the check's worker hangs
            stopped = child
        time.sleep(0.002)
    out, err = run.communicate(timeout=120)
    assert stopped is not None, "generator.check started no worker process"
    assert out.split() == ["took-too-long", "valid"], out + err
