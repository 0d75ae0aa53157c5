"""The queue's processes on a PostgreSQL state (`gen worker`, `gen watch`, `gen serve`), each in a process group of
its own so that a test can kill it whole with kill -9, and what the database holds afterwards."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.processes import answers, free_port, service_env


def rows(url: str, sql: str, params=()) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(sql, params or None)
        return cur.fetchall() if cur.description else []


def memos(url: str) -> list[tuple]:
    return rows(url, "SELECT prefix, serial, content_hash, state FROM memos ORDER BY prefix, serial")


def files(url: str) -> list[tuple]:
    return rows(url, "SELECT name, status, memo, moved_to, file_hash FROM files ORDER BY id")


class Process:
    """`gen <args>` with the tests' short lease, its local folder under `tmp`, logging to tmp/<log>."""

    def __init__(self, tmp: Path, log: str, *args: str):
        self.log_path = tmp / log
        self.log = open(self.log_path, "a")
        env = {**service_env(), "GEN_STATE_DIR": str(tmp / "local")}
        self.proc = subprocess.Popen([sys.executable, "-m", "generator.cli", *map(str, args)], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def said(self, text: str) -> bool:
        return text in self.log_path.read_text(encoding="utf-8", errors="replace")

    def freeze(self) -> None:
        os.killpg(self.proc.pid, signal.SIGSTOP)

    def kill(self) -> None:
        """kill -9 of the whole process group: the process, its build workers, its LibreOffice."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def worker(tmp: Path, url: str, log: str = "worker.log", *extra: str) -> Process:
    return Process(tmp, log, "worker", "--state", url, "--no-pdf", *extra)


def watcher(tmp: Path, url: str, inbox: Path, log: str = "watch.log") -> Process:
    return Process(tmp, log, "watch", "--inbox", inbox, "--out", tmp / "out", "--state", url, "--settle", "0.4",
                   "--give-up", "3", "--rescan", "5", "--no-pdf")


def serve(tmp: Path, url: str, *extra: str) -> tuple[Process, str]:
    """`gen serve` without PDFs (on the queue, the workers make them) and its address, once it answers."""
    port = free_port()
    proc = Process(tmp, f"serve-{port}.log", "serve", "--port", port, "--out", tmp / "out", "--state", url,
                   "--no-pdf", *extra)
    wait(lambda: answers(port), 60, "the server")
    return proc, f"http://127.0.0.1:{port}"


def wait(condition, timeout: float = 120, what: str = "", every: float = 0.1) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def archived(inbox: Path) -> list[str]:
    return sorted(p.name for p in (inbox / "archive").rglob("*.xlsx")) if (inbox / "archive").exists() else []
