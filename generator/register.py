"""The memo register: a SQLite database on local disk that hands out memo serials, never the same one twice."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from pathlib import Path

DEFAULT_STATE_DIR = "$GEN_STATE_DIR, else $XDG_STATE_HOME/gen, else ~/.local/state/gen"
FILE_NAME = "register.sqlite3"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 30.0

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS memos (
    prefix       TEXT    NOT NULL,
    serial       INTEGER NOT NULL CHECK (serial >= 0),
    content_hash TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    office       TEXT    NOT NULL,
    fiscal_year  TEXT    NOT NULL,
    period       TEXT    NOT NULL,
    issued_at    TEXT    NOT NULL,
    explicit     INTEGER NOT NULL,
    UNIQUE (prefix, serial)
    )""",
    "CREATE INDEX IF NOT EXISTS memos_by_content ON memos (prefix, content_hash)",
)
_COLUMNS = "prefix, serial, content_hash, source, kind, office, fiscal_year, period, issued_at, explicit"


def default_state_dir() -> Path:
    """$GEN_STATE_DIR, else $XDG_STATE_HOME/gen, else ~/.local/state/gen; read when called."""
    if gen := os.environ.get("GEN_STATE_DIR"):
        return Path(gen)
    xdg = os.environ.get("XDG_STATE_HOME")
    # The XDG spec says to ignore an empty or relative value.
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "gen"
    return Path.home() / ".local" / "state" / "gen"


@dataclass(frozen=True)
class Entry:
    prefix: str
    serial: int
    content_hash: str
    source: str
    kind: str
    office: str
    fiscal_year: str
    period: str
    issued_at: str
    explicit: bool


class SerialTaken(Exception):
    def __init__(self, entry: Entry):
        super().__init__(f"{entry.prefix}-{entry.serial} already issued to {entry.source} at {entry.issued_at}")
        self.entry = entry


def _entry(row: tuple) -> Entry:
    return Entry(*row[:-1], explicit=bool(row[-1]))


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


class Register:
    def __init__(self, state_dir: Path):
        state_dir = Path(state_dir)
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / FILE_NAME
        # Autocommit mode: transactions are only the explicit BEGIN IMMEDIATE blocks below.
        self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            self._db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            self._use_wal()
            self._db.execute("PRAGMA synchronous = FULL")
            with self._transaction():
                version = self._db.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise RuntimeError(f"{self.path} has schema {version}, newer than this program's {SCHEMA_VERSION}")
                if version < SCHEMA_VERSION:
                    for statement in _SCHEMA:
                        self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            self._db.close()
            raise

    def _use_wal(self) -> None:
        # On a new database two processes switching to WAL at once can get "database is locked" straight away,
        # without the busy timeout applying; retry within the same time limit.
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                self._db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        # IMMEDIATE takes the write lock up front, so read-max-then-insert cannot interleave with another process.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _one(self, where: str, *args: object) -> Entry | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM memos WHERE {where}", args).fetchone()
        return _entry(row) if row else None

    def _insert(self, entry: Entry) -> Entry:
        values = astuple(entry)[:-1] + (int(entry.explicit),)
        self._db.execute(f"INSERT INTO memos ({_COLUMNS}) VALUES ({', '.join('?' * len(values))})", values)
        return entry

    def allocate(self, prefix: str, content_hash: str, *, source: str, kind: str, office: str,
                 fiscal_year: str, period: str) -> tuple[Entry, bool]:
        """(entry, reused): the serial this content already has under prefix, else the next one."""
        with self._transaction():
            found = self._one("prefix = ? AND content_hash = ? ORDER BY serial DESC LIMIT 1", prefix, content_hash)
            if found:
                return found, True
            last = self._db.execute("SELECT MAX(serial) FROM memos WHERE prefix = ?", (prefix,)).fetchone()[0]
            entry = Entry(prefix, (last or 0) + 1, content_hash, source, kind, office, fiscal_year, period,
                          _now(), explicit=False)
            return self._insert(entry), False

    def record(self, prefix: str, serial: int, content_hash: str, *, source: str, kind: str, office: str,
               fiscal_year: str, period: str) -> tuple[Entry, bool]:
        """(entry, reused) for a serial the office typed; SerialTaken if other content already has it."""
        with self._transaction():
            found = self._one("prefix = ? AND serial = ?", prefix, serial)
            if found and found.content_hash == content_hash:
                return found, True
            if found:
                raise SerialTaken(found)
            entry = Entry(prefix, serial, content_hash, source, kind, office, fiscal_year, period,
                          _now(), explicit=True)
            return self._insert(entry), False

    def last_serial(self, prefix: str) -> int | None:
        """The highest serial issued under prefix, or None when there is none; reads only."""
        return self._db.execute("SELECT MAX(serial) FROM memos WHERE prefix = ?", (prefix,)).fetchone()[0]

    def entries(self, *, prefix: str | None = None) -> list[Entry]:
        if prefix is None:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM memos ORDER BY issued_at, serial")
        else:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM memos WHERE prefix = ? ORDER BY issued_at, serial",
                                    (prefix,))
        return [_entry(row) for row in rows]

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
