"""What a state folder holds, read straight from its SQLite database."""
import hashlib
import sqlite3
from pathlib import Path


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def register_rows(state: Path) -> list[tuple]:
    db = sqlite3.connect(state / "register.sqlite3")
    try:
        return db.execute("SELECT serial, state FROM memos ORDER BY serial").fetchall()
    finally:
        db.close()


def serials(state: Path) -> list[int]:
    db = sqlite3.connect(state / "register.sqlite3")
    try:
        return sorted(r[0] for r in db.execute("SELECT serial FROM memos"))
    finally:
        db.close()


def ledger(state: Path) -> list[tuple]:
    """The ledger's rows; none while the watcher has not made its database yet."""
    if not (state / "register.sqlite3").exists():
        return []
    db = sqlite3.connect(state / "register.sqlite3")
    try:
        return db.execute("SELECT name, status, memo, moved_to FROM files ORDER BY id").fetchall()
    except sqlite3.OperationalError:  # the file exists, its tables not yet
        return []
    finally:
        db.close()
