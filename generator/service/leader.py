"""One leader among the watchers of a shared inbox on a PostgreSQL state: a session-level advisory lock named
after the inbox, held on a connection of its own for as long as the leader runs. A standby waits for it; when
the leader dies (its connection closes: a killed process at once, a machine gone once the server's TCP
keepalives give up) PostgreSQL releases the lock and one standby takes it. No pid or clock decides it."""

from __future__ import annotations

import logging
from typing import Any
import time
from collections.abc import Callable
from pathlib import Path

from generator.records import db
from generator.records.state import StateError, shown

log = logging.getLogger("gen.watch")
KEEPALIVE = ("SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3; "
             "SET tcp_user_timeout = 30000")  # a leader's machine that vanished is let go within about 30 s


class Leadership:
    """`with Leadership(url, inbox, stopping) as leading:` blocks until this process leads the inbox's watchers
    (`leading` True) or `stopping()` says to stop (False). `check()` raises StateError when the lock's connection is lost."""

    def __init__(self, url: str, inbox: Path, stopping: Callable[[], bool]):
        self.url, self.name, self.stopping = url, f"gen watch {Path(inbox).resolve()}", stopping
        self._conn: Any = None

    def __enter__(self) -> bool:
        import psycopg

        try:
            self._conn = psycopg.connect(self.url, autocommit=True, connect_timeout=db.CONNECT_TIMEOUT_S,
                                         application_name="gen watch leader")
            self._conn.execute(KEEPALIVE)
            told = False
            while not self.stopping():
                if self._conn.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))",
                                      (self.name,)).fetchone()[0]:
                    log.info("leading the watchers of this inbox")
                    return True
                if not told:
                    log.info("standing by: another watcher leads this inbox; taking over when it stops")
                    told = True
                time.sleep(0.5)
            return False
        except psycopg.Error as e:
            self.close()
            raise StateError(shown(self.url), str(e).strip().splitlines()[0] if str(e).strip() else "lost") from None

    def check(self) -> None:
        """StateError when the connection that holds the lock is gone (the lock with it)."""
        import psycopg

        try:
            assert self._conn is not None
            self._conn.execute("SELECT 1")
        except psycopg.Error as e:
            raise StateError(shown(self.url), f"the watcher's lead was lost: {str(e).strip() or 'closed'}") from None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()  # the session ends: its advisory lock is released
            self._conn = None

    def __exit__(self, *_: object) -> None:
        self.close()
