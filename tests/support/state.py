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


def one_memo_one_letter(state: Path | str, out: Path) -> dict[tuple[str, int], Path]:
    """Assert the register's first promise and return each issued memo's version folder: every serial of a
    prefix is in the register once; every issued one has exactly one version folder, whose stamp names the
    content the register issued it to; no version folder exists for a serial not issued to its content."""
    if isinstance(state, str):  # a PostgreSQL state's URL
        from tests.support.queue import memos

        rows = memos(state)
    else:
        db = sqlite3.connect(state / "register.sqlite3")
        try:
            rows = db.execute("SELECT prefix, serial, content_hash, state FROM memos").fetchall()
        finally:
            db.close()
    assert len({(p, s) for p, s, _, _ in rows}) == len(rows)
    stamps: dict[str, list[tuple[Path, str]]] = {}
    for stamp in Path(out).rglob("versions/*/.content"):
        if stamp.parent.name.startswith("."):  # a staging folder a killed worker left: never visible, swept later
            continue
        fields = dict(line.split(": ", 1) for line in stamp.read_text(encoding="utf-8").splitlines())
        stamps.setdefault(fields["memo"], []).append((stamp.parent, fields["content"]))
    from generator.spec.memo import number

    found = {}
    issued = {number(p, s): (p, s, h) for p, s, h, st in rows if st == "issued"}
    for memo, (prefix, serial, digest) in issued.items():
        folders = stamps.get(memo, [])
        assert len(folders) == 1, f"memo {memo}: {len(folders)} version folders {folders}"
        assert folders[0][1] == digest, f"memo {memo}: its folder holds other content"
        found[(prefix, serial)] = folders[0][0]
    assert set(stamps) <= set(issued), f"letters with memos the register did not issue: {set(stamps) - set(issued)}"
    return found
