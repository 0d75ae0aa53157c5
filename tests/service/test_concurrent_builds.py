"""Two `gen build` processes at once never share a serial."""

import json
import subprocess
import sys

from tests.support.workbooks import fill_cc
from tests.support.workbooks import MYMENSINGH, ROWS


def test_parallel_builds_get_distinct_consecutive_serials(tmp_path):
    state, out = tmp_path / "state", tmp_path / "out"
    batches = []
    for b in range(2):
        folder = tmp_path / f"batch{b}"
        folder.mkdir()
        for i in range(4):
            letter = dict(MYMENSINGH, office_name=f"অফিস {b}-{i}")
            fill_cc(folder, letter, ROWS, f"w{i}.xlsx")
        batches.append(folder)
    procs = [
        subprocess.Popen([sys.executable, "-m", "generator.cli", "build", str(folder), "--out", str(out),
                          "--state", str(state), "--json"], stdout=subprocess.PIPE, text=True)
        for folder in batches
    ]
    memos = []
    for p in procs:
        stdout, _ = p.communicate(timeout=300)
        assert p.returncode == 0
        memos += [json.loads(line)["memo"] for line in stdout.splitlines()]
    serials = sorted(int(m.rsplit("-", 1)[1].translate(str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789"))) for m in memos)
    assert serials == list(range(1, 9))
