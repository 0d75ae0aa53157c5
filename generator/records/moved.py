"""The mark left in a SQLite state folder whose register `gen state migrate` moved to PostgreSQL: while it is
there the folder's register issues no number (no split brain: two registers issuing the same serials), and
whatever opens the folder is told, in Bangla and English, where the register went."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from generator.records.state import StateError

MOVING, MOVED = "moving", "moved"


class RegisterMoved(StateError):
    """This state folder's register moved (or is being moved) to a PostgreSQL database."""

    def __init__(self, folder: Path, url: str, state: str, since: str):
        super().__init__(folder, f"its register moved to {url}")
        self.url, self.state, self.since = url, state, since[:19].replace("T", " ")
        self.code = "register-moved"
        if state == MOVING:
            self.bn = (f"অবস্থা-ফোল্ডার {folder}-এর রেজিস্টার {url}-এ সরানো হচ্ছে, বা সরানো মাঝপথে থেমেছে ({self.since} "
                       "থেকে); তাই এখান থেকে কোনো স্মারক নম্বর দেওয়া হবে না। সরানো শেষ করতে `gen state migrate` আবার "
                       "চালান।")
            self.en = (f"The register of the state folder {folder} is being moved to {url}, or its move stopped "
                       f"half-way (since {self.since}); no memo number is issued from here. Run `gen state migrate` "
                       "again to finish the move.")
        else:
            self.bn = (f"অবস্থা-ফোল্ডার {folder}-এর রেজিস্টার {self.since}-এ {url}-এ সরানো হয়েছে; এখান থেকে আর কোনো "
                       f"স্মারক নম্বর দেওয়া হবে না। --state {url} দিন।")
            self.en = (f"The register of the state folder {folder} was moved to {url} on {self.since}; no memo number "
                       f"is issued from here any more. Use --state {url}.")


def found(raw: sqlite3.Connection) -> tuple[str, str, str] | None:
    """(url, state, since) of the mark, if the register was moved or is being moved."""
    row = raw.execute("SELECT url, state, since FROM register_moved").fetchone()
    return (row[0], row[1], row[2]) if row else None


def refuse_if_moved(raw: sqlite3.Connection, folder: Path) -> None:
    """RegisterMoved when this folder's register has been (or is being) moved."""
    mark = found(raw)
    if mark is not None:
        raise RegisterMoved(Path(folder), *mark)


def mark(raw: sqlite3.Connection, url: str, state: str) -> None:
    """Inside the caller's write transaction: the one mark, now saying `state`."""
    raw.execute("DELETE FROM register_moved")
    raw.execute("INSERT INTO register_moved (url, state, since) VALUES (?, ?, ?)",
                (url, state, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")))


def unmark(raw: sqlite3.Connection) -> None:
    """The move did not happen (its copy was rolled back): the folder's register is the register again."""
    raw.execute("DELETE FROM register_moved")


class MoveUnfinished(StateError):
    """A PostgreSQL database into which `gen state migrate` began moving a SQLite register, not yet finished."""

    def __init__(self, url: str, source: str, since: str):
        super().__init__(url, f"a move into it from {source} is unfinished")
        self.code = "register-moved"
        self.bn = (f"ডেটাবেস {url}-এ অবস্থা-ফোল্ডার {source}-এর রেজিস্টার সরানো শুরু হয়েছিল ({since[:19]}), শেষ হয়নি; তাই "
                   f"এখান থেকে কোনো স্মারক নম্বর দেওয়া হবে না (পুরোনো নম্বরগুলো এখনো এখানে আসেনি)। `gen state migrate "
                   f"--from {source} --to …` আবার চালান।")
        self.en = (f"A move of the register of the state folder {source} into the database {url} began ({since[:19]}) "
                   "and did not finish; no memo number is issued here until it does (the old numbers are not here "
                   f"yet). Run `gen state migrate --from {source} --to …` again.")


INCOMING = "SELECT source, since FROM register_incoming LIMIT 1"


def incoming(execute) -> tuple[str, str] | None:
    """(source, since) of an unfinished move into a PostgreSQL database, if there is one."""
    row = execute(INCOMING).fetchone()
    return (row[0], row[1]) if row else None
