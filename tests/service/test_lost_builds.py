"""A build whose worker ran out of memory or raised brings no result back; the clerk still finds why beside the
file (the rejection report), as for a worker that died or ran late. Before, only the log and the terminal said."""

from pathlib import Path

import pytest

from generator.service import builds
from generator.service.workers import Limits, Pool


def _runs_out_of_memory(task):
    return bytearray(2**40)  # under the worker's limit: a real MemoryError, in a real worker


def _raises(task):
    raise RuntimeError("a fault of the service's own")


@pytest.mark.parametrize("target, code, said", [
    (_runs_out_of_memory, "too-large", "needed more than 256 MB of memory"),
    (_raises, "could-not-process", "An unexpected error occurred while processing cc-example.xlsx (RuntimeError"),
])
def test_a_build_lost_in_its_worker_files_its_report(cc_example, tmp_path, target, code, said):
    with Pool(target, builds.lost, 1, Limits(memory_mb=256, seconds=60), start_method="fork") as pool:
        result = pool.run(builds.Task(cc_example, tmp_path / "out", tmp_path / "state"))
    assert result.status == "rejected" and [i.code for i in result.issues] == [code]
    [report] = map(Path, result.outputs)
    assert report.name == "cc-example.errors.txt" and report.parent.parent == tmp_path / "out" / "rejected"
    text = report.read_text(encoding="utf-8-sig")
    assert said in text and "cc-example.xlsx: গ্রহণ করা যায়নি / rejected" in text
    assert cc_example.exists()  # the original as it was
