"""Run by Debian's Python (not imported by the service): unoserver's server, started without its fixed waits.

    python3 unoserver_launch.py PARENT_PID [unoserver's own arguments]

unoserver's `start` sleeps 5 s for LibreOffice to come up, then 2 s for its converter to connect: seven seconds
before every warm start can answer, however fast LibreOffice is. Here those two waits of the starting (main)
thread end as soon as LibreOffice accepts on its UNO port (within the same limits); the converter thread's own
retry waits are left as they are. When the thread that started us dies (the parent killed or terminated
without leaving its `with` block) the kernel sends SIGUSR1 (PR_SET_PDEATHSIG) and the whole process group is
killed: unoserver's own SIGTERM handling can leave soffice running.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import sys
import threading
import time


def _uno_port() -> int | None:
    args = sys.argv[1:]
    for i, arg in enumerate(args):
        if arg == "--uno-port" and i + 1 < len(args):
            return int(args[i + 1])
        if arg.startswith("--uno-port="):
            return int(arg.split("=", 1)[1])
    return None


class _Clock:
    """The `time` module unoserver sees: a sleep of the main thread ends once LibreOffice listens."""

    def __init__(self, port: int | None):
        self.port = port

    def __getattr__(self, name):
        return getattr(time, name)

    def sleep(self, seconds: float) -> None:
        if threading.current_thread() is not threading.main_thread() or self.port is None:
            return time.sleep(seconds)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)


def main() -> None:
    signal.signal(signal.SIGUSR1, lambda *_: os.killpg(0, signal.SIGKILL))
    ctypes.CDLL(None).prctl(1, signal.SIGUSR1)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != int(sys.argv.pop(1)):
        sys.exit(1)  # the parent was gone before the line above
    import unoserver.server as server  # type: ignore[import-not-found]

    server.time = _Clock(_uno_port())
    sys.argv[0] = "unoserver"
    sys.exit(server.main())


if __name__ == "__main__":
    main()
