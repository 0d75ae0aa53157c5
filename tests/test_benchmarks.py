"""The benchmark scripts keep working (their figures are printed, never asserted)."""

import runpy
import sys

from generator.paths import ROOT


def test_validate_benchmark_runs(capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["validate.py", "12"])
    runpy.run_path(str(ROOT / "benchmarks" / "validate.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "median ms" in out and "(valid)" in out
