"""`gen state migrate`: an office's SQLite register and ledger moved into PostgreSQL, with their ids.

1. The SQLite folder is marked `moving` (records/moved.py), so nothing issues a number from it meanwhile; a
   service still running on it (a live lease) refuses the move instead.
2. Everything is copied in ONE transaction on the target: the memos (their serials, states, owners), the
   ledger's files with their ids (their documents' paths made relative to the store root when given), the
   web page's signing secret and sign-outs. Each prefix's serials and the files are compared with the source
   inside that transaction; a difference, an error or a kill rolls it all back, and the target holds nothing.
3. Only after the commit is the folder marked `moved`: from then on it refuses to issue any number and names
   the database its register went to.

A target that already holds memos or files is refused, unless it is this very source's finished copy (a move
killed between its commit and its mark): then the move is checked again and finished. Run it again after
any failure.
"""

from __future__ import annotations

import datetime as dt

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from generator.findings import GenError
from generator.records import db, moved, state

MEMO_COLUMNS = ("prefix, serial, content_hash, source, kind, office, fiscal_year, period, issued_at, explicit, "
                "state, submission, owner, prefix_key")
FILE_COLUMNS = ("id, name, file_hash, status, memo, kind, office, fiscal_year, period, outputs, moved_to, note, "
                "received_at, finished_at, seconds, details, route, attempts, score_total, score_possible, owner")
OWNER_COLUMNS = "id, role, scope, host, boot_id, pid, started_at, lease_until"
BATCH = 1000


class MigrateRefused(GenError):
    """The move cannot be made as asked (the target holds records, a service still runs on the source…)."""

    def __init__(self, bn: str, en: str, report: Moved | None = None):
        super().__init__("migrate-refused", bn, en)
        self.report = report  # the prefixes and files as compared, when they were


@dataclass(frozen=True)
class PrefixCheck:
    """One prefix's serials on each side: how many, the highest, reserved and void ones, and whether the two
    sides hold the very same serials for the same content."""

    prefix: str
    count: int
    highest: int
    reserved: int
    void: int
    copied: int
    same: bool


@dataclass
class Moved:
    """What a move did: each prefix checked, the files on each side, the paths made relative to the store."""

    prefixes: list[PrefixCheck] = field(default_factory=list)
    files: int = 0
    files_copied: int = 0
    files_same: bool = True
    relative: int = 0  # document paths rewritten relative to the store root
    outside: int = 0  # absolute document paths not under the store root, kept as they were
    finished_earlier: bool = False  # the target already held this source's copy: only the mark was missing
    built_on: bool = False  # ...and the services it serves have built on it since (the target holds more)
    stores_same: bool = True  # the versions rows and each prefix's kept separator, alike on both sides

    @property
    def ok(self) -> bool:
        return self.files_same and self.stores_same and all(p.same for p in self.prefixes)


def _prefix_summary(rows: Iterable[tuple]) -> dict[str, tuple[int, int, int, int, str]]:
    """prefix key → (count, highest, reserved, void, digest of every (prefix, serial, content, state))."""
    grouped: dict[str, list[tuple]] = {}
    for prefix, serial, content_hash, memo_state, prefix_key in rows:
        grouped.setdefault(prefix_key or prefix, []).append((prefix, int(serial), content_hash, memo_state))
    out = {}
    for key, memos in grouped.items():
        memos.sort()
        digest = hashlib.sha256("\n".join("\t".join(map(str, m)) for m in memos).encode()).hexdigest()
        out[key] = (len(memos), max(m[1] for m in memos), sum(m[3] == "reserved" for m in memos),
                    sum(m[3] == "void" for m in memos), digest)
    return out


def _files_summary(rows: Iterable[tuple]) -> tuple[int, str]:
    lines = sorted((int(r[0]), *map(str, r[1:])) for r in rows)
    return len(lines), hashlib.sha256(repr(lines).encode()).hexdigest()


def _rows_summary(rows: Iterable[tuple]) -> tuple[int, str]:
    lines = sorted(tuple(map(str, r)) for r in rows)
    return len(lines), hashlib.sha256(repr(lines).encode()).hexdigest()


_CHECK_MEMOS = "SELECT prefix, serial, content_hash, state, prefix_key FROM memos"
_CHECK_FILES = "SELECT id, name, file_hash, status, memo FROM files"


def _compare(source: sqlite3.Connection, target: db.Database, report: Moved) -> None:
    mine = _prefix_summary(source.execute(_CHECK_MEMOS))
    theirs = _prefix_summary(target.execute(_CHECK_MEMOS))
    report.prefixes = []
    for key in sorted(set(mine) | set(theirs)):
        count, highest, reserved, void, digest = mine.get(key, (0, 0, 0, 0, ""))
        copied = theirs.get(key, (0, 0, 0, 0, ""))
        report.prefixes.append(PrefixCheck(key, count, highest, reserved, void, copied[0],
                                           same=(count, highest, reserved, void, digest) == copied))
    report.files, files_digest = _files_summary(source.execute(_CHECK_FILES))
    report.files_copied, copied_digest = _files_summary(target.execute(_CHECK_FILES))
    report.files_same = (report.files, files_digest) == (report.files_copied, copied_digest)
    report.stores_same = all(
        _rows_summary(source.execute(sql)) == _rows_summary(target.execute(sql))
        for sql in (f"SELECT {VERSION_COLUMNS} FROM versions", f"SELECT {FORM_COLUMNS} FROM memo_forms"))


def _relative(outputs: str | None, store: Path | None, report: Moved) -> str | None:
    """The documents' paths of one file, relative to the store root when they lie under it: absolute ones, and
    relative ones as `gen build --out output` stored them (relative to where it ran: taken to be here, as the
    store root given). Others are kept as they are, and counted."""
    if store is None or not outputs:
        return outputs
    try:
        paths = json.loads(outputs)
    except ValueError:
        return outputs
    if not isinstance(paths, list):
        return outputs
    roots = {os.path.abspath(store), os.path.realpath(store)}
    out = []
    for p in paths:
        inside = _inside(p, roots) if isinstance(p, str) and p else None
        if inside is None:
            report.outside += 1
            out.append(p)
        else:
            report.relative += 1
            out.append(inside)
    return json.dumps(out, ensure_ascii=False)


def _inside(path: str, roots: set[str]) -> str | None:
    """`path` relative to the first of `roots` it lies under (a POSIX path), else None."""
    for candidate in dict.fromkeys((os.path.abspath(path), os.path.realpath(path))):
        for root in roots:
            rel = os.path.relpath(candidate, root)
            if rel != "." and not rel.startswith(".." + os.sep) and rel != "..":
                return PurePosixPath(Path(rel).as_posix()).as_posix()
    return None


def _batches(cursor: sqlite3.Cursor) -> Iterator[list[tuple]]:
    while rows := cursor.fetchmany(BATCH):
        yield rows


VERSION_COLUMNS = "prefix, serial, memo, content_hash, path, created_at"
FORM_COLUMNS = "prefix_key, separator, typed, source, chosen_at"


def _copy(source: sqlite3.Connection, target: db.Database, store: Path | None, report: Moved) -> None:
    cur = target.raw.cursor()  # type: ignore[attr-defined]  # psycopg's: executemany in batches
    marks = lambda n: ", ".join(["%s"] * n)  # noqa: E731
    for rows in _batches(source.execute(f"SELECT {MEMO_COLUMNS} FROM memos ORDER BY prefix, serial")):
        cur.executemany(f"INSERT INTO memos ({MEMO_COLUMNS}) VALUES ({marks(14)})", rows)
    target.execute("INSERT INTO memo_counters (prefix_key) SELECT DISTINCT prefix_key FROM memos "
                   "WHERE prefix_key IS NOT NULL ON CONFLICT DO NOTHING")
    for rows in _batches(source.execute(f"SELECT {FILE_COLUMNS} FROM files ORDER BY id")):
        cur.executemany(f"INSERT INTO files ({FILE_COLUMNS}) OVERRIDING SYSTEM VALUE VALUES ({marks(21)})",
                        [(*r[:9], _relative(r[9], store, report), *r[10:]) for r in rows])
    # the next file recorded on PostgreSQL gets the id after the last one copied
    target.execute("SELECT setval(pg_get_serial_sequence('files', 'id'), COALESCE((SELECT MAX(id) FROM files), 0) + 1, "
                   "false)")
    # the owners (every lease over: no service may run during the move), so that work a crashed service left
    # unfinished is still known by the inbox or uploads folder it served, and taken over as before
    for rows in _batches(source.execute(f"SELECT {OWNER_COLUMNS} FROM owners")):
        cur.executemany(f"INSERT INTO owners ({OWNER_COLUMNS}) VALUES ({marks(8)}) ON CONFLICT (id) DO NOTHING", rows)
    # the store's versions (their paths already relative to the output root) and each prefix's separator
    for rows in _batches(source.execute(f"SELECT {VERSION_COLUMNS} FROM versions")):
        cur.executemany(f"INSERT INTO versions ({VERSION_COLUMNS}) VALUES ({marks(6)})", rows)
    for rows in _batches(source.execute(f"SELECT {FORM_COLUMNS} FROM memo_forms")):
        cur.executemany(f"INSERT INTO memo_forms ({FORM_COLUMNS}) VALUES ({marks(5)})", rows)
    for name, value in source.execute("SELECT name, value FROM web_secrets"):  # clerks stay signed in
        target.execute("INSERT INTO web_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE "
                       "SET value = EXCLUDED.value", (name, value))
    for nonce, until in source.execute("SELECT nonce, until FROM signed_out"):  # and signed out
        target.execute("INSERT INTO signed_out (nonce, until) VALUES (?, ?) ON CONFLICT DO NOTHING", (nonce, until))


def _holds_records(target: db.Database) -> bool:
    return bool(target.execute("SELECT EXISTS (SELECT 1 FROM memos) OR EXISTS (SELECT 1 FROM files) OR "
                               "EXISTS (SELECT 1 FROM versions) OR EXISTS (SELECT 1 FROM memo_forms)").fetchone()[0])


def _live_services(source: sqlite3.Connection) -> list[str]:
    rows = source.execute("SELECT role, scope, host, pid FROM owners WHERE lease_until > "
                          "((julianday('now') - 2440587.5) * 86400.0)").fetchall()
    return [f"gen {role} ({scope}) pid {pid} on {host}" for role, scope, host, pid in rows]


def _begin(source: sqlite3.Connection, folder: Path, url: str) -> bool:
    """Mark the source `moving` (True when this run put the mark there). MigrateRefused when a service still
    runs on it, or it was moved, or is being moved, to another database."""
    with state.transaction(source):
        mark = moved.found(source)
        if mark is not None and mark[0] != url:
            raise MigrateRefused(
                f"অবস্থা-ফোল্ডার {folder}-এর রেজিস্টার আগেই {mark[0]}-এ সরানো হয়েছে (বা হচ্ছে); অন্য কোথাও আবার সরানো যাবে না।",
                f"The register of the state folder {folder} was already moved (or is being moved) to {mark[0]}; "
                "it cannot be moved somewhere else too.")
        if mark is not None and mark[1] == moved.MOVED:
            raise MigrateRefused(
                f"অবস্থা-ফোল্ডার {folder}-এর রেজিস্টার {mark[2][:19]}-এ {mark[0]}-এ সরানো হয়ে গেছে; আর কিছু করার নেই।",
                f"The register of the state folder {folder} was moved to {mark[0]} on {mark[2][:19]}; there is "
                "nothing left to do.")
        live = _live_services(source)
        if live:
            raise MigrateRefused(
                f"এই অবস্থা-ফোল্ডারে এখনো সেবা চলছে ({'; '.join(live)}); সেগুলো বন্ধ করে আবার চালান। কিছুই সরানো হয়নি।",
                f"Services still run on this state folder ({'; '.join(live)}); stop them and run this again. "
                "Nothing was moved.")
        if mark is None:
            moved.mark(source, url, moved.MOVING)
        return mark is None


def migrate(folder: Path, url: str, *, store: Path | None = None) -> Moved:
    """Move the register and ledger of the SQLite state `folder` into the PostgreSQL database `url`.
    MigrateRefused (nothing changed) or StateError (the database cannot be reached; the source is left
    usable, or marked `moving` when the outcome is unknown: run it again)."""
    folder, shown = Path(folder), state.shown(url)
    if not (folder / state.FILE_NAME).is_file():
        raise MigrateRefused(f"{folder}-এ কোনো রেজিস্টার ({state.FILE_NAME}) নেই।",
                             f"There is no register ({state.FILE_NAME}) in {folder}.")
    source = state.connect(folder)
    try:
        target = db.connect(url, receiving=True)
        try:
            return _move(source, target, folder, shown, store)
        except Exception as e:
            if not state.database_error(e):
                raise
            where = folder if isinstance(e, sqlite3.Error) else shown
            raise state.StateError(where, str(e).strip().splitlines()[0] if str(e).strip() else e) from None
        finally:
            try:
                target.close()
            except Exception:  # the connection is already gone with its server
                pass
    finally:
        source.close()


def _expect(target: db.Database, folder: Path, shown: str) -> bool:
    """Mark the target as receiving this folder's register before anything else (True when this run put the mark
    there): until the copy commits (and removes the mark with it) the target issues no serial, so that services
    pointed at it after a move stopped half-way never number from 1 again. MigrateRefused when a move from another
    folder into it is unfinished."""
    with target.transaction():
        target.lock("register incoming")
        found = moved.incoming(target.execute)
        if found is not None and found[0] != str(folder):
            raise MigrateRefused(
                f"লক্ষ্য-ডেটাবেস {shown}-এ অন্য একটি অবস্থা-ফোল্ডার ({found[0]}) থেকে সরানো শেষ হয়নি; আগে সেটি শেষ করুন। "
                "কিছুই সরানো হয়নি।",
                f"A move into the target database {shown} from another state folder ({found[0]}) is unfinished; "
                "finish that one first. Nothing was moved.")
        if found is not None or _holds_records(target):
            return False
        target.execute("INSERT INTO register_incoming (source, since) VALUES (?, ?)",
                       (str(folder), dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")))
        return True


def _copied_earlier(source: sqlite3.Connection, target: db.Database) -> bool:
    """Whether every memo and file of the source is in the target (with its serial, content and id): an earlier
    run's copy, committed before that run could mark the folder, and built on since by the services it serves."""
    checks = ("SELECT prefix, serial, content_hash FROM memos", "SELECT id, file_hash FROM files",
              "SELECT prefix, serial, memo, content_hash FROM versions", "SELECT prefix_key, separator FROM memo_forms")
    return all({tuple(r) for r in source.execute(sql)} <= {tuple(r) for r in target.execute(sql).fetchall()}
               for sql in checks)


def _move(source: sqlite3.Connection, target: db.Database, folder: Path, shown: str, store: Path | None) -> Moved:
    report = Moved()
    expected = _expect(target, folder, shown)
    try:
        ours = _begin(source, folder, shown)
    except BaseException:
        if expected:
            with target.transaction():
                target.execute("DELETE FROM register_incoming WHERE source = ?", (str(folder),))
        raise
    copying = committing = False
    try:
        with target.transaction():
            # an operator's one-off, with the services stopped: comparing a large register in Python leaves the
            # session idle between statements for longer than a service's transaction ever is
            target.execute("SET LOCAL idle_in_transaction_session_timeout = 0")
            # nothing else writes these tables while the copy is made and checked
            target.execute("LOCK TABLE memos, files, memo_counters, versions, memo_forms IN EXCLUSIVE MODE")
            if _holds_records(target):
                _compare(source, target, report)
                if not ours and moved.incoming(target.execute) is None and _copied_earlier(source, target):
                    report.finished_earlier = True
                    report.built_on = not report.ok  # the target holds more: services have built on it since
                elif ours or not report.ok:
                    raise MigrateRefused(
                        f"লক্ষ্য-ডেটাবেস {shown}-এ আগেই স্মারক বা ফাইলের রেকর্ড আছে; খালি একটি ডেটাবেস দিন। কিছুই সরানো হয়নি।",
                        f"The target database {shown} already holds memos or files; give an empty database. "
                        "Nothing was moved.", report)
                else:
                    report.finished_earlier = True  # this source's own copy, committed before its mark was set
            else:
                copying = True
                source.execute("BEGIN")  # one snapshot of the source (nothing writes it: it is marked)
                try:
                    _copy(source, target, store, report)
                    _compare(source, target, report)
                finally:
                    source.execute("COMMIT")
                if not report.ok:
                    raise MigrateRefused(
                        "অনুলিপি উৎসের সঙ্গে মেলেনি (নিচের সারণি দেখুন); কিছুই সরানো হয়নি।",
                        "The copy does not match the source (see the table); nothing was moved.", report)
            target.execute("DELETE FROM register_incoming WHERE source = ?", (str(folder),))  # with the copy: it issues from now on
            committing = True
    except BaseException:
        if (ours or copying) and not committing:  # rolled back: the target holds nothing of this folder's, which
            # is the register again (a target holding others' records, found on a run after a kill, keeps the mark)
            with state.transaction(source):
                moved.unmark(source)
            with target.transaction():  # then the target's mark (killed between: the next run finds it, and copies)
                target.execute("DELETE FROM register_incoming WHERE source = ?", (str(folder),))
        raise
    with state.transaction(source):
        moved.mark(source, shown, moved.MOVED)
    return report
