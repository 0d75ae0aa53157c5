"""The benchmark scripts keep working (their figures are printed, never asserted)."""

import runpy
import sys

from generator.spec.paths import ROOT


def _run(monkeypatch, capsys, script, *args):
    monkeypatch.setattr(sys, "argv", [script, *args])
    runpy.run_path(str(ROOT / "benchmarks" / script), run_name="__main__")
    return capsys.readouterr().out


def test_validate_benchmark_runs(capsys, monkeypatch):
    out = _run(monkeypatch, capsys, "validate.py", "12")
    assert "median ms" in out and "(valid)" in out


def test_watch_latency_benchmark_runs(capsys, monkeypatch):
    out = _run(monkeypatch, capsys, "watch_latency.py", "3")
    assert "workbooks: 3" in out and "95th percentile" in out


def test_speed_benchmark_runs(capsys, monkeypatch):
    out = _run(monkeypatch, capsys, "speed.py", "--quick")
    assert "render annex" in out and "ratio" in out and "workbooks/s" in out and "cold start" in out


def test_web_load_benchmark_runs(capsys, monkeypatch):
    out = _run(monkeypatch, capsys, "web_load.py", "--rows", "120", "--requests", "20", "--seconds", "30")
    assert "ledger rows: 120" in out and "20 answered, 0 failed" in out and "requests/s" in out


def test_pdf_speed_benchmark_runs(capsys, monkeypatch):
    from tests.support.office import need_libreoffice

    need_libreoffice(warm=True)
    out = _run(monkeypatch, capsys, "pdf_speed.py", "--quick")
    assert "warm LibreOffice started" in out and "cold soffice" in out and "PDFs/s" in out and "bundle:" in out


def test_register_speed_benchmark_runs(capsys, monkeypatch):
    out = _run(monkeypatch, capsys, "register_speed.py", "--processes", "2", "--each", "20")
    assert "sqlite" in out and "allocations/s" in out and "postgresql" in out


def test_web_list_on_postgresql_benchmark_runs(capsys, monkeypatch):
    from tests.support.postgres import need_postgres

    need_postgres()
    out = _run(monkeypatch, capsys, "web_list_pg.py", "--rows", "200", "--requests", "20", "--seconds", "30")
    assert "ledger rows in PostgreSQL: 200" in out and "20 answered, 0 failed" in out and "drop-down values" in out


def test_queue_speed_benchmark_runs(capsys, monkeypatch):
    out = _run(monkeypatch, capsys, "queue_speed.py", "--files", "6")
    assert "in-process pool, 2 worker(s)" in out and "builds/s" in out
