"""The store's index: one `versions` row per version of a report written to the store, inserted in the very
transaction that confirms its serial (Register.confirm), so that the register and the store agree at one commit
point. `path` is relative to the store's root (the output folder shared by every server), `created_at` the
database's clock (Unix seconds). A row is never updated or deleted: an official record is never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.records import db


@dataclass(frozen=True)
class Version:
    prefix: str
    serial: int
    memo: str
    content_hash: str
    path: str  # relative to the store's root, '/'-separated
    created_at: float


_COLUMNS = "prefix, serial, memo, content_hash, path, created_at"


def record(database: db.Database, prefix: str, serial: int, memo: str, content_hash: str, path: str) -> None:
    """Inside the confirming transaction: the version's row, unless this serial has one (the same version
    confirmed again by a build that takes over: the row is kept as first written, never overwritten)."""
    database.execute(f"INSERT INTO versions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, {database.NOW}) "
                     "ON CONFLICT (prefix, serial) DO NOTHING", (prefix, serial, memo, content_hash, path))


def of(database: db.Database, prefix: str, serial: int) -> Version | None:
    row = database.execute(f"SELECT {_COLUMNS} FROM versions WHERE prefix = ? AND serial = ?",
                           (prefix, serial)).fetchone()
    return Version(*row) if row else None


def every(database: db.Database) -> list[Version]:
    rows = database.execute(f"SELECT {_COLUMNS} FROM versions ORDER BY created_at, prefix, serial").fetchall()
    return [Version(*row) for row in rows]


def relative(root: Path, path: Path) -> str:
    """`path` as the database keeps it: relative to the store's root, with '/' (the same on every server,
    wherever each mounts the share)."""
    return Path(path).relative_to(Path(root)).as_posix()
