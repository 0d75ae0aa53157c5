"""The memo register: a SQLite database on local disk that hands out memo serials, never the same one twice."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

SCHEMA_VERSION = 1
FILE_NAME = "register.sqlite3"


def default_state_dir() -> Path:
    """$GEN_STATE_DIR, else $XDG_STATE_HOME/gen, else ~/.local/state/gen."""
    if os.environ.get("GEN_STATE_DIR"):
        return Path(os.environ["GEN_STATE_DIR"])
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "gen"


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
        super().__init__(f"{entry.prefix}-{entry.serial} already issued to {entry.source}")
        self.entry = entry


_COLUMNS = "prefix, serial, content_hash, source, kind, office, fiscal_year, period, issued_at, explicit"


class Register:
    def __init__(self, state_dir: Path):
        Path(state_dir).mkdir(parents=True, exist_ok=True)
        self.path = Path(state_dir) / FILE_NAME
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA busy_timeout = 30000")
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = FULL")
        if self.db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            with self._transaction():
                self.db.execute(
                    "CREATE TABLE IF NOT EXISTS memos ("
                    " prefix TEXT NOT NULL, serial INTEGER NOT NULL, content_hash TEXT NOT NULL,"
                    " source TEXT, kind TEXT, office TEXT, fiscal_year TEXT, period TEXT,"
                    " issued_at TEXT NOT NULL, explicit INTEGER NOT NULL DEFAULT 0,"
                    " UNIQUE (prefix, serial))"
                )
                self.db.execute("CREATE INDEX IF NOT EXISTS memos_hash ON memos (prefix, content_hash)")
                self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _transaction(self):
        db = self.db

        class _Tx:
            def __enter__(self):
                db.execute("BEGIN IMMEDIATE")

            def __exit__(self, exc_type, *_):
                db.execute("ROLLBACK" if exc_type else "COMMIT")

        return _Tx()

    def _find(self, sql: str, *args) -> Entry | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM memos WHERE {sql}", args).fetchone()
        return Entry(*row[:-1], bool(row[-1])) if row else None

    def _insert(self, prefix: str, serial: int, content_hash: str, explicit: bool, meta: dict) -> Entry:
        entry = Entry(prefix, serial, content_hash, meta["source"], meta["kind"], meta["office"],
                      meta["fiscal_year"], meta["period"],
                      dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), explicit)
        self.db.execute(f"INSERT INTO memos ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
                        (*[getattr(entry, f) for f in _COLUMNS.split(", ")][:-1], int(explicit)))
        return entry

    def allocate(self, prefix: str, content_hash: str, **meta) -> tuple[Entry, bool]:
        """The serial already given to this content, or the next one for the prefix."""
        with self._transaction():
            found = self._find("prefix = ? AND content_hash = ? ORDER BY serial DESC", prefix, content_hash)
            if found:
                return found, True
            last = self.db.execute("SELECT MAX(serial) FROM memos WHERE prefix = ?", (prefix,)).fetchone()[0]
            return self._insert(prefix, (last or 0) + 1, content_hash, False, meta), False

    def record(self, prefix: str, serial: int, content_hash: str, **meta) -> tuple[Entry, bool]:
        """A serial the office typed itself; refused when another letter already has it."""
        with self._transaction():
            found = self._find("prefix = ? AND serial = ?", prefix, serial)
            if found and found.content_hash == content_hash:
                return found, True
            if found:
                raise SerialTaken(found)
            return self._insert(prefix, serial, content_hash, True, meta), False

    def entries(self, *, prefix: str | None = None) -> list[Entry]:
        where = "prefix = ?" if prefix is not None else "1"
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM memos WHERE {where} ORDER BY issued_at, serial",
                               (prefix,) if prefix is not None else ()).fetchall()
        return [Entry(*r[:-1], bool(r[-1])) for r in rows]

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *_) -> None:
        self.close()
