"""The one database adapter under the register, the ledger and the owners: SQLite in a state folder (the
default, zero set-up, exactly as before) or PostgreSQL (a `postgresql://` URL, for several servers sharing one
register). No ORM: `connect(state)` gives a `Database` that runs the same SQL on either, written once with `?`
placeholders, plus the few bits that differ by dialect (the database's clock, `IS` between values that may be
NULL, the SQLite-only index trick, an insert's new id, how a transaction begins, how a prefix is locked).

PostgreSQL needs psycopg (`pip install 'generator[postgres]'`); nothing here imports it until a URL is opened.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from generator.records import idle, moved, state
from generator.spec import settings

CONNECT_TIMEOUT_S = int(settings.number("GEN_STATE_CONNECT_TIMEOUT", 10, 1))
# A frozen process (SIGSTOP, a hung NFS read, a debugger) inside a transaction is cut off by PostgreSQL after this
# many seconds, so it cannot hold the register's row locks; others wait for a lock at most BUSY_TIMEOUT_S.
IDLE_TIMEOUT_S = settings.number("GEN_STATE_IDLE_TIMEOUT", 10.0, 1.0)
MIGRATION_LOCK = 0x67656E5F737461  # pg_advisory_xact_lock key under which the schema is brought up to date ("gen_sta")


class Database:
    """A connection to the state database in autocommit mode (transactions are explicit)."""

    dialect: str
    where: Path | str  # what StateError names: the state folder, or the database's URL (its password hidden)
    NOW: str  # SQL: the database's clock, in Unix seconds (leases are judged by it, never by a local clock)
    IS: str  # SQL operator: equal, NULL equal to NULL
    IS_NOT: str
    TRUE: str  # SQL: a condition always true

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement with `?` placeholders; the cursor (fetchone, fetchall, iteration)."""
        raise NotImplementedError

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an INSERT into a table with an integer `id` and return the new row's id."""
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction, rolled back if the block raises."""
        raise NotImplementedError
        yield

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A read-only transaction: every statement in the block reads the same snapshot."""
        raise NotImplementedError
        yield

    def lock_prefix(self, key: str) -> None:
        """Inside a transaction: hold the register of one prefix (by its key) until the transaction ends.
        (SQLite: the transaction already holds the one write lock.)"""

    def lock(self, name: str) -> None:
        """Inside a transaction: hold the lock called `name` until the transaction ends (SQLite: as above)."""

    def unindexed(self, column: str) -> str:
        """SQL: `column` in a condition that should not choose the index (SQLite: `+column`)."""
        return column

    def for_update(self) -> str:
        """SQL suffix of a SELECT whose rows the transaction is about to change."""
        return ""

    def expired(self, column: str) -> str:
        """SQL: the owner named in `column` holds no live lease (none recorded counts as expired)."""
        return f"({column} IS NULL OR {column} NOT IN (SELECT id FROM owners WHERE lease_until > {self.NOW}))"

    def close(self) -> None:
        raise NotImplementedError


class SQLite(Database):
    """Today's state database: register.sqlite3 in the state folder (state.connect, state.MIGRATIONS)."""

    dialect = "sqlite"
    NOW = "((julianday('now') - 2440587.5) * 86400.0)"
    IS, IS_NOT, TRUE = "IS", "IS NOT", "1"

    def __init__(self, folder: Path):
        self.where = Path(folder)
        self.raw = state.connect(folder)
        try:
            moved.refuse_if_moved(self.raw, self.where)  # its register went to PostgreSQL: no number from here
        except BaseException:
            self.raw.close()
            raise

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.raw.execute(sql, params)

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        cur = self.raw.execute(sql, params)
        assert cur.lastrowid is not None  # set by the INSERT
        return cur.lastrowid

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with state.transaction(self.raw):  # BEGIN IMMEDIATE: the one write lock, taken up front
            # again under the lock: a process stopped (Ctrl-Z) across a whole `gen state migrate` wakes with this
            # connection open on a register that has gone to PostgreSQL, which issues the same serials
            moved.refuse_if_moved(self.raw, Path(self.where))
            yield

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        try:  # BEGIN inside: a Ctrl-C just after it leaves no read transaction open (as state.transaction)
            self.raw.execute("BEGIN")
            yield
        finally:
            if self.raw.in_transaction:
                self.raw.execute("COMMIT")

    def unindexed(self, column: str) -> str:
        return f"+{column}"

    def close(self) -> None:
        self.raw.close()


_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[?%]")


def _placeholders(sql: str) -> str:
    """psycopg's style: `?` → `%s` outside quoted strings and names, and every `%` → `%%` (psycopg reads
    placeholders inside quotes too)."""
    return _TOKENS.sub(lambda m: {"?": "%s", "%": "%%"}.get(m.group(), m.group().replace("%", "%%")), sql)


class Postgres(Database):
    """A PostgreSQL database named by a URL: the same tables as SQLite's (state.PG_MIGRATIONS), one row per
    prefix in memo_counters locked while that prefix's serials change."""

    dialect = "postgresql"
    NOW = "extract(epoch from clock_timestamp())::float8"
    IS, IS_NOT, TRUE = "IS NOT DISTINCT FROM", "IS DISTINCT FROM", "TRUE"

    def __init__(self, url: str, *, receiving: bool = False):
        """`receiving`: for `gen state migrate`, which may open a database into which a move is unfinished;
        everything else is refused it (MoveUnfinished) until the move is done."""
        self.where = state.shown(url)
        try:
            import psycopg
        except ImportError:
            raise state.StateError(self.where, "psycopg is not installed: pip install 'generator[postgres]'") from None
        self._errors = psycopg.Error
        self._url = url
        # a connection this process kept (settings made, schema checked), its liveness probe the receiving check
        reused = idle.take(url, moved.INCOMING)
        if reused is not None:
            self.raw, unfinished = reused
            self._refuse_while_receiving(receiving, unfinished)
            return
        try:
            self.raw = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S,
                                       application_name="gen")
        except psycopg.Error as e:
            raise state.StateError(self.where, _first_line(e)) from None
        try:
            # for the whole session, so they bound every transaction and every single statement alike
            self.raw.execute(f"SET lock_timeout = {int(state.BUSY_TIMEOUT_S * 1000)}; "
                             f"SET idle_in_transaction_session_timeout = {int(IDLE_TIMEOUT_S * 1000)}")
            self._migrate()
            self._refuse_while_receiving(receiving, moved.incoming(self.raw.execute))
        except psycopg.Error as e:
            self.raw.close()
            raise state.StateError(self.where, _first_line(e)) from None
        except BaseException:
            self.raw.close()
            raise

    def _refuse_while_receiving(self, receiving: bool, unfinished: tuple[str, str] | None) -> None:
        """MoveUnfinished while `gen state migrate` is moving a register into this database and has not finished
        (`unfinished`: its mark): nothing may be written here before the folder's records are (a ledger row would
        stop the move's next run, which needs the database as it left it)."""
        if unfinished is not None and not receiving:
            self.raw.close()
            raise moved.MoveUnfinished(str(self.where), *unfinished)

    def _version(self) -> int | None:
        row = self.raw.execute("SELECT to_regclass('gen_schema') IS NOT NULL").fetchone()
        if not row or not row[0]:
            return None
        found = self.raw.execute("SELECT version FROM gen_schema").fetchone()
        return found[0] if found else None

    def _migrate(self) -> None:
        if self._version() == state.PG_SCHEMA_VERSION:
            return
        with self.transaction():  # once, under a lock: another server may be migrating this very moment
            self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            self.raw.execute("CREATE TABLE IF NOT EXISTS gen_schema (version INTEGER NOT NULL)")
            found = self.raw.execute("SELECT version FROM gen_schema").fetchone()
            if found is None:
                self.raw.execute("INSERT INTO gen_schema (version) VALUES (0)")
            version = found[0] if found else 0
            if version > state.PG_SCHEMA_VERSION:
                raise state.SchemaTooNew(self.where, version, state.PG_SCHEMA_VERSION)
            for step in state.PG_MIGRATIONS[version:]:
                for statement in step:
                    if callable(statement):
                        statement(self.execute)
                    else:
                        self.raw.execute(statement)
            self.raw.execute("UPDATE gen_schema SET version = %s", (state.PG_SCHEMA_VERSION,))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if not params:
            return self.raw.execute(sql)
        return self.raw.execute(_placeholders(sql), tuple(params))

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.execute(f"{sql} RETURNING id", params).fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        try:  # BEGIN and COMMIT inside: stopped anywhere (a Ctrl-C too), it is rolled back, no lock left held
            self.raw.execute("BEGIN")
            yield
            self.raw.execute("COMMIT")
        except BaseException:
            try:
                self.raw.execute("ROLLBACK")
            except self._errors:
                pass  # the connection is gone (and the transaction with it)
            raise

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        self.raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            yield
        finally:
            try:
                self.raw.execute("COMMIT")
            except self._errors:
                pass

    def lock_prefix(self, key: str) -> None:
        # A row per prefix key, created the first time (ON CONFLICT: two servers may both be first), then
        # locked: whoever changes this prefix's serials next waits here until this transaction ends.
        self.raw.execute("INSERT INTO memo_counters (prefix_key) VALUES (%s) ON CONFLICT DO NOTHING", (key,))
        self.raw.execute("SELECT prefix_key FROM memo_counters WHERE prefix_key = %s FOR UPDATE", (key,))
        unfinished = moved.incoming(self.raw.execute)  # after the lock: a copy committing meanwhile is seen
        if unfinished is not None:
            raise moved.MoveUnfinished(str(self.where), *unfinished)

    def lock(self, name: str) -> None:
        self.raw.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (name,))

    def for_update(self) -> str:
        return " FOR UPDATE"

    def close(self) -> None:
        raw, self.raw = self.raw, None
        if raw is not None:
            idle.give(self._url, raw)  # kept for this process's next connect, or closed


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


def connect(where: str | Path, *, receiving: bool = False) -> Database:
    """The state database of `where`: a `postgresql://` URL, a state folder that names one (state.folder_for),
    or a state folder holding SQLite's register.sqlite3 (created when missing). StateError when it cannot be
    opened or brought up to date. `receiving`: see Postgres."""
    url = state.database_url(where)
    return Postgres(url, receiving=receiving) if url else SQLite(Path(where))


def holds_register(where: str | Path) -> bool:
    """Whether the state of `where` has a register to read, without making one: SQLite's file is there and not
    empty; PostgreSQL's database has this program's tables. True, too, for what opening it explains better (a
    file where the state folder should be, a folder where the register's file should be). StateError when the
    database cannot be reached."""
    url = state.database_url(where)
    if url is None:
        file = Path(where) / state.FILE_NAME
        if Path(where).exists() and not Path(where).is_dir():
            return True
        return file.exists() and (not file.is_file() or file.stat().st_size > 0)
    try:
        import psycopg
    except ImportError:
        raise state.StateError(state.shown(url), "psycopg is not installed: pip install 'generator[postgres]'") from None
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S, application_name="gen") as raw:
            found = raw.execute("SELECT to_regclass('gen_schema') IS NOT NULL").fetchone()
    except psycopg.Error as e:
        raise state.StateError(state.shown(url), _first_line(e)) from None
    return bool(found and found[0])
