"""The ledger: every file the watcher has seen, beside the memo register in the same SQLite database."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .register import FILE_NAME

_SCHEMA = """CREATE TABLE IF NOT EXISTS files (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    file_hash    TEXT NOT NULL,
    status       TEXT NOT NULL,      -- processing, built, rejected, duplicate, done
    memo         TEXT,
    kind         TEXT,
    office       TEXT,
    fiscal_year  TEXT,
    period       TEXT,
    outputs      TEXT,               -- JSON list of paths
    moved_to     TEXT,               -- where the file went: archive/… or rejected/…
    note         TEXT,
    received_at  TEXT NOT NULL,
    finished_at  TEXT,
    seconds      REAL,
    details      TEXT                -- JSON: the build result (findings, score) for the web page
)"""


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Record:
    id: int
    name: str
    file_hash: str
    status: str
    memo: str | None
    kind: str | None
    office: str | None
    fiscal_year: str | None
    period: str | None
    outputs: list[str]
    moved_to: str | None
    note: str | None
    received_at: str
    finished_at: str | None
    seconds: float | None
    details: dict | None = None


class Ledger:
    def __init__(self, state_dir: Path):
        Path(state_dir).mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(Path(state_dir) / FILE_NAME, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA busy_timeout = 30000")
        self.db.execute(_SCHEMA)
        if "details" not in {r[1] for r in self.db.execute("PRAGMA table_info(files)")}:
            self.db.execute("ALTER TABLE files ADD COLUMN details TEXT")
        self.db.execute("CREATE INDEX IF NOT EXISTS files_by_hash ON files (file_hash)")

    def _records(self, where: str, *args) -> list[Record]:
        rows = self.db.execute(f"SELECT * FROM files WHERE {where} ORDER BY id", args).fetchall()
        return [Record(*r[:9], json.loads(r[9] or "[]"), *r[10:15], json.loads(r[15]) if r[15] else None)
                for r in rows]

    def start(self, name: str, file_hash: str) -> int:
        """Note a file about to be processed; an unfinished earlier attempt on the same file is reused."""
        unfinished = self._records("name = ? AND file_hash = ? AND status = 'processing'", name, file_hash)
        if unfinished:
            return unfinished[-1].id
        cur = self.db.execute("INSERT INTO files (name, file_hash, status, received_at) VALUES (?, ?, 'processing', ?)",
                              (name, file_hash, now()))
        return cur.lastrowid

    def finish(self, id: int, status: str, *, memo=None, kind=None, office=None, fiscal_year=None, period=None,
               outputs=(), moved_to=None, note=None, seconds=None, details=None) -> None:
        self.db.execute(
            "UPDATE files SET status=?, memo=?, kind=?, office=?, fiscal_year=?, period=?, outputs=?, moved_to=?, "
            "note=?, finished_at=?, seconds=?, details=? WHERE id=?",
            (status, memo, kind, office, fiscal_year, period, json.dumps(list(outputs), ensure_ascii=False),
             moved_to, note, now(), seconds, json.dumps(details, ensure_ascii=False) if details else None, id))

    def get(self, id: int) -> Record | None:
        found = self._records("id = ?", id)
        return found[0] if found else None

    def done_with(self, file_hash: str) -> Record | None:
        """The earlier finished record of the same bytes, if any."""
        found = self._records("file_hash = ? AND status IN ('built', 'rejected')", file_hash)
        return found[-1] if found else None

    def unfinished(self) -> list[Record]:
        return self._records("status = 'processing'")

    def records(self) -> list[Record]:
        return self._records("1")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_) -> None:
        self.close()
