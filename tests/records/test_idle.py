"""Idle PostgreSQL connections kept for reuse within a process (records/idle.py), against a real PostgreSQL:
reused when idle and working, never handed on inside a transaction or holding an advisory lock, dropped when
PostgreSQL ended them."""

import time

import psycopg

from generator.records import db, idle


def _pid(database) -> int:
    return database.execute("SELECT pg_backend_pid()").fetchone()[0]


def test_a_closed_connection_is_reused_by_the_next_connect(postgres):
    first = db.connect(postgres)
    pid = _pid(first)
    first.close()
    second = db.connect(postgres)
    assert _pid(second) == pid
    assert second.execute("SHOW lock_timeout").fetchone()[0] == "30s"  # its session settings kept
    second.close()
    idle.forget(postgres)


def test_a_connection_holding_a_session_lock_lets_go_before_it_is_reused(postgres):
    first = db.connect(postgres)
    first.execute("SELECT pg_advisory_lock(42)")
    first.close()
    with psycopg.connect(postgres, autocommit=True) as other:  # another session can take it: it was let go
        assert other.execute("SELECT pg_try_advisory_lock(42)").fetchone()[0] is True
    idle.forget(postgres)


def test_a_connection_left_inside_a_transaction_is_closed_not_kept(postgres):
    first = db.connect(postgres)
    pid = _pid(first)
    first.execute("BEGIN")
    first.close()
    second = db.connect(postgres)
    assert _pid(second) != pid
    second.close()
    idle.forget(postgres)


def test_a_kept_connection_ended_by_postgresql_is_dropped_and_a_new_one_made(postgres):
    first = db.connect(postgres)
    pid = _pid(first)
    first.close()
    with psycopg.connect(postgres, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0] is True
    second = db.connect(postgres)  # no error: the dead one failed its check
    assert _pid(second) != pid and second.execute("SELECT 1").fetchone() == (1,)
    second.close()
    idle.forget(postgres)


def test_no_more_than_keep_connections_are_kept(postgres):
    opened = [db.connect(postgres) for _ in range(idle.KEEP + 3)]
    pids = {_pid(d) for d in opened}
    for d in opened:
        d.close()
    deadline = time.monotonic() + 10  # a closed connection's backend ends a moment later
    with psycopg.connect(postgres, autocommit=True) as admin:
        while (left := admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)",
                                     (list(pids),)).fetchone()[0]) > idle.KEEP and time.monotonic() < deadline:
            time.sleep(0.05)
    assert left == idle.KEEP
    idle.forget(postgres)
