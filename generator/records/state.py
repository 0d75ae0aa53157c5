"""The state database: one SQLite file in the state folder holding the memo register and the ledger.

One connection set-up (`connect`) and one list of migrations (`MIGRATIONS`); `register.py` and
`ledger.py` are the friendly objects over it. Keep the state folder on local disk: SQLite locking is
unreliable on network shares.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.findings import GenError

FILE_NAME = "register.sqlite3"
BUSY_TIMEOUT_S = float(os.environ.get("GEN_STATE_BUSY_TIMEOUT", "30"))  # seconds to wait for a lock held by another process
DEFAULT_STATE_DIR = "$GEN_STATE_DIR, else $XDG_STATE_HOME/gen, else ~/.local/state/gen"


class StateError(GenError):
    """The state folder or its database cannot be opened or written."""

    def __init__(self, path: Path, cause: BaseException | str):
        self.path, self.cause = Path(path), str(cause)
        super().__init__(
            "state-unavailable",
            f"অবস্থা-ফোল্ডার {self.path} খোলা বা লেখা যাচ্ছে না ({self.cause})। ফোল্ডারটি লেখার অনুমতি দিন "
            "বা --state দিয়ে অন্য ফোল্ডার দিন; কোনো স্মারক নম্বর খরচ হয়নি।",
            f"The state folder {self.path} cannot be opened or written ({self.cause}). Make it writable or "
            "give another with --state; no memo number was used.")

    def __str__(self) -> str:
        return f"{self.path}: {self.cause}"


def default_state_dir() -> Path:
    """$GEN_STATE_DIR, else $XDG_STATE_HOME/gen, else ~/.local/state/gen; read when called."""
    if gen := os.environ.get("GEN_STATE_DIR"):
        return Path(gen)
    xdg = os.environ.get("XDG_STATE_HOME")
    # The XDG spec says to ignore an empty or relative value.
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "gen"
    return Path.home() / ".local" / "state" / "gen"


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}


def _add_columns(table: str, **columns: str) -> Callable[[sqlite3.Connection], None]:
    def migrate(db: sqlite3.Connection) -> None:
        have = _columns(db, table)
        for name, decl in columns.items():
            if name not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {decl}")
    return migrate


def _fill_scores(db: sqlite3.Connection) -> None:
    """score_total and score_possible from the findings (`details`) of each file recorded before step 4."""
    rows = db.execute("SELECT id, details FROM files WHERE details IS NOT NULL AND score_possible IS NULL")
    scores = []
    for id, details in rows:
        try:
            score = json.loads(details).get("score") or {}
        except (ValueError, AttributeError):
            continue
        if isinstance(score, dict) and score.get("possible") is not None:
            scores.append((score.get("total"), score["possible"], id))
    db.executemany("UPDATE files SET score_total = ?, score_possible = ? WHERE id = ?", scores)


def _fill_prefix_keys(db: sqlite3.Connection) -> None:
    from generator.spec.memo import register_prefix

    for (prefix,) in db.execute("SELECT DISTINCT prefix FROM memos WHERE prefix_key IS NULL").fetchall():
        db.execute("UPDATE memos SET prefix_key = ? WHERE prefix = ?", (register_prefix(prefix), prefix))


# Each step runs once, in order, inside one transaction; PRAGMA user_version counts the steps done.
# Never edit a step that has shipped: add one.
MIGRATIONS: list[tuple[str | Callable[[sqlite3.Connection], None], ...]] = [
    # 1: the memo register
    ("""CREATE TABLE IF NOT EXISTS memos (
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
        UNIQUE (prefix, serial))""",
     "CREATE INDEX IF NOT EXISTS memos_by_content ON memos (prefix, content_hash)"),
    # 2: the ledger of every file handled (it was created apart from the register before)
    ("""CREATE TABLE IF NOT EXISTS files (
        id           INTEGER PRIMARY KEY,
        name         TEXT NOT NULL,
        file_hash    TEXT NOT NULL,
        status       TEXT NOT NULL,      -- processing, built, rejected, failed, duplicate, done
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
        seconds      REAL)""",
     _add_columns("files", details="TEXT"),
     "CREATE INDEX IF NOT EXISTS files_by_hash ON files (file_hash)"),
    # 3: a serial is 'reserved' until its documents are written, then 'issued'; 'void' if it could not
    # be given back; the ledger records the route of each file and how often it was tried
    (_add_columns("memos", state="TEXT NOT NULL DEFAULT 'issued'", submission="INTEGER"),
     _add_columns("files", route="TEXT NOT NULL DEFAULT 'watch'", attempts="INTEGER NOT NULL DEFAULT 1"),
     "CREATE INDEX IF NOT EXISTS memos_by_submission ON memos (submission)"),
    # 4: the web list pages and filters in the database: the score of each file in its own columns (so the
    # list never reads the findings), filled for the files already there, and an index per filter
    (_add_columns("files", score_total="REAL", score_possible="REAL"),
     _fill_scores,
     *(f"CREATE INDEX IF NOT EXISTS files_by_{c} ON files ({c})"
       for c in ("office", "kind", "fiscal_year", "period", "status"))),
    # 5: who owns work (owners.py): a lease per service process; the ledger entries and memo reservations it
    # makes carry its id, so work is taken over only when that lease has run out
    ("""CREATE TABLE IF NOT EXISTS owners (
        id          TEXT PRIMARY KEY,
        role        TEXT NOT NULL,
        scope       TEXT NOT NULL,
        host        TEXT NOT NULL,
        boot_id     TEXT NOT NULL,
        pid         INTEGER NOT NULL,
        started_at  TEXT NOT NULL,
        lease_until REAL NOT NULL)""",
     "CREATE INDEX IF NOT EXISTS owners_by_role ON owners (role, scope)",
     _add_columns("memos", owner="TEXT"),
     _add_columns("files", owner="TEXT")),
    # 6: each serial under its prefix's identity key (spec/memo.register_prefix), so that prefixes stored
    # before keys were normalised (a zero-width space, another Unicode form) continue one sequence and are
    # reported by `gen register`, never given a serial again
    (_add_columns("memos", prefix_key="TEXT"),
     _fill_prefix_keys,
     "CREATE INDEX IF NOT EXISTS memos_by_key ON memos (prefix_key, serial)"),
]
SCHEMA_VERSION = len(MIGRATIONS)


def connect(state_dir: Path) -> sqlite3.Connection:
    """The state database, created or brought up to date; autocommit (transactions are explicit).
    StateError when the folder or the file cannot be opened or written."""
    path = Path(state_dir) / FILE_NAME
    try:
        if not path.exists():
            Path(state_dir).mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except (OSError, sqlite3.Error) as e:
        raise StateError(Path(state_dir), (e.strerror or e) if isinstance(e, OSError) else e) from None
    try:
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        _use_wal(db)
        db.execute("PRAGMA synchronous = FULL")
        if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            _migrate(db, path)
    except sqlite3.Error as e:
        db.close()
        raise StateError(Path(state_dir), e) from None
    except BaseException:
        db.close()
        raise
    return db


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    with transaction(db):  # the version is read again under the write lock: another process may have migrated
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StateError(path, f"schema {version} is newer than this program's {SCHEMA_VERSION}")
        for step in MIGRATIONS[version:]:
            for statement in step:
                statement(db) if callable(statement) else db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _use_wal(db: sqlite3.Connection) -> None:
    # On a new database two processes switching to WAL at once can get "database is locked" straight
    # away, without the busy timeout applying; retry within the same time limit.
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def state_errors(cls):
    """Class decorator: every public method of a friendly object over the database turns a database error
    (locked past the busy timeout, disk full, I/O) into StateError naming its state folder."""
    def guard(method):
        @functools.wraps(method)
        def guarded(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except sqlite3.Error as e:
                raise StateError(self.state_dir, e) from None
        return guarded

    for name, value in list(vars(cls).items()):
        if callable(value) and not name.startswith("_"):
            setattr(cls, name, guard(value))
    return cls


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE takes the write lock up front, so read-then-write cannot interleave with another process."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
