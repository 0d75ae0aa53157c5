"""Real processes the tests start and stop: `gen watch`, `gen serve`, a small tmpfs."""
import contextlib
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.state import ledger


TEST_HOSTS = ("testserver",)  # the name Starlette's test client sends; the real server never answers it


def terminal_sigint() -> None:
    """As a Popen preexec_fn: SIGINT as a terminal gives it. A test process may run with it ignored (started in the
    background), and a child inherits that: Python then never raises KeyboardInterrupt, and Ctrl-C tests nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(port: int) -> bool:
    """Whether something accepts connections on this loopback port (a server started, and up)."""
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@contextlib.contextmanager
def running_server(tmp_path, *args: str, env: dict[str, str] | None = None):
    """A real `gen serve` on a free loopback port, with its out and state folders in tmp_path (`--state` again in
    `args` wins); its address once it answers. `env`: added to its environment. Stopped on leaving."""
    import sys
    import time

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "serve", "--port", str(port), "--out",
                             str(tmp_path / "out"), "--state", str(tmp_path / "state"), "--no-pdf", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**service_env(), **(env or {})})
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not answers(port):
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def small_disk(path: Path, size: str, *options: str):
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join((f"size={size}", *options)), "tmpfs", str(path)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


# leases (records/owners.py) of the services the tests start run out after this many seconds, not 30: a test
# that kills a service and starts another waits that long for the first one's work
def service_env() -> dict[str, str]:
    """This process's environment (as a test has set it) with the tests' short lease."""
    return {**os.environ, "GEN_LEASE_SECONDS": "3"}


class Watch:
    def __init__(self, tmp: Path, *extra: str, inbox: Path | None = None, log: str = "watch.log"):
        self.inbox, self.out, self.state = inbox or tmp / "inbox", tmp / "out", tmp / "state"
        self.inbox.mkdir(exist_ok=True)
        self.log = open(tmp / log, "a")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "generator.cli", "watch", "--inbox", str(self.inbox), "--out", str(self.out),
             "--state", str(self.state), "--settle", "0.4", "--give-up", "3", "--no-pdf", *extra],
            stdout=self.log, stderr=subprocess.STDOUT, env=service_env())

    def wait(self, condition, timeout=120.0, what=""):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if condition():
                return
            assert self.proc.poll() is None, "the watcher died"
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")

    def drop(self, files):
        for f in files:
            os.replace(f, self.inbox / f.name)

    def interrupt(self, sig, after: int) -> int:
        """Send `sig` once `after` files are built; the watcher's exit code."""
        self.wait(lambda: len(self.archived()) >= after, what=f"{after} built")
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=30)

    def done(self, n: int) -> bool:
        """n files archived and every ledger entry closed (a file is moved before its entry is)."""
        return len(self.archived()) == n and all(r[1] != "processing" for r in ledger(self.state))

    def inbox_files(self):
        return sorted(p.name for p in self.inbox.iterdir() if p.is_file() and p.name != ".gen-watch.lock")

    def archived(self):
        return sorted(p.name for p in (self.inbox / "archive").rglob("*.xlsx")) if (self.inbox / "archive").exists() else []

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        self.log.close()
