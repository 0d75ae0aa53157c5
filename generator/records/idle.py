"""Idle PostgreSQL connections kept for reuse within one process, so that a web request or a lease's heartbeat
does not pay for a new connection each time (connecting, its session settings and the schema check cost about
15 ms; a reused connection, one query to see that it still works: the caller's probe).

A connection is kept only when it is idle (no transaction open) and once it has let go of any session advisory
lock; it is kept per process (never shared across a fork), at most KEEP in all (the oldest closed first). One
broken since it was kept (PostgreSQL restarted, the network cut) fails its check and is dropped: the caller
connects afresh."""

from __future__ import annotations

import os
import threading
from typing import Any
from generator.spec import settings

KEEP = int(settings.number("GEN_STATE_IDLE_CONNECTIONS", 8, 0, ("টি সংযোগ", "connections")))
_idle: list[tuple[int, str, Any]] = []  # (pid, url, connection), oldest first
_lock = threading.Lock()


def take(url: str, probe: str = "SELECT 1") -> tuple[Any, Any] | None:
    """A kept connection to `url` that answers `probe` (the look that shows it still works; the caller may ask
    what it needs to know anyway), with the probe's first row; or None."""
    while True:
        with _lock:
            found = next((i for i in range(len(_idle) - 1, -1, -1) if _idle[i][:2] == (os.getpid(), url)), None)
            conn = _idle.pop(found)[2] if found is not None else None
        if conn is None:
            return None
        try:
            return conn, conn.execute(probe).fetchone()
        except Exception:  # psycopg's error, whatever it is: the connection is of no use
            _close(conn)


def give(url: str, conn: Any) -> None:
    """Keep `conn` for the next `take`, or close it (in a transaction, broken, or no room)."""
    from psycopg.pq import TransactionStatus

    try:
        if KEEP <= 0 or conn.closed or conn.info.transaction_status != TransactionStatus.IDLE:
            raise ValueError("not reusable")
        conn.execute("SELECT pg_advisory_unlock_all()")  # nothing held for the next user
    except Exception:
        _close(conn)
        return
    with _lock:
        _idle.append((os.getpid(), url, conn))
        evicted = _idle.pop(0)[2] if len(_idle) > KEEP else None
    if evicted is not None:
        _close(evicted)


def forget(url: str) -> None:
    """Close every connection kept to `url` (before the database is dropped or copied)."""
    with _lock:
        gone = [c for pid, u, c in _idle if u == url and pid == os.getpid()]
        _idle[:] = [entry for entry in _idle if entry[2] not in gone]
    for conn in gone:
        _close(conn)


def _close(conn: Any) -> None:
    try:
        conn.close()
    except Exception:
        pass
