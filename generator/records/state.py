"""The state database: the memo register, the ledger and the owners' leases. By default one SQLite file in the
state folder; given a `postgresql://` URL (`--state`, `$GEN_STATE`), a PostgreSQL database shared by several
servers (docs/scale.md).

SQLite's connection set-up (`connect`) and list of migrations (`MIGRATIONS`), PostgreSQL's (`PG_MIGRATIONS`,
run by db.Postgres), and which one a state names (`database_url`, `folder_for`, `resolve`); `db.py` is the
adapter over both, `register.py`, `ledger.py` and `owners.py` the friendly objects over it. Keep a SQLite
state folder on local disk: SQLite locking is unreliable on network shares.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any
from contextlib import contextmanager
from pathlib import Path

from generator.findings import PlaceError
from generator.spec.codes import STATE_UNAVAILABLE
from generator.spec import settings

FILE_NAME = "register.sqlite3"
BUSY_TIMEOUT_S = settings.number("GEN_STATE_BUSY_TIMEOUT", 30.0, 0.1)  # seconds to wait for a lock held by another process
DEFAULT_STATE_DIR = "$GEN_STATE (a folder or a postgresql:// URL), else $GEN_STATE_DIR, else $XDG_STATE_HOME/gen, " \
    "else ~/.local/state/gen"
URL_SCHEMES = ("postgresql://", "postgres://")
DATABASE_FILE = "database"  # in the local folder of a PostgreSQL state: the URL of its database


_DAMAGED = re.compile(r"malformed|not a database|no such (?:table|column)|file is encrypted", re.IGNORECASE)


class StateError(PlaceError):
    """The state folder or its database cannot be opened or written."""

    def __init__(self, path: Path | str, cause: BaseException | str):
        self.path, self.cause = (path if is_url(path) else Path(path)), str(cause)
        where = shown(str(self.path))  # never a password, whatever the state was given as
        if is_url(path):
            super().__init__(
                STATE_UNAVAILABLE,
                f"অবস্থা-ডেটাবেস {where} খোলা বা লেখা যাচ্ছে না ({self.cause})। PostgreSQL চালু আছে কি না এবং "
                "ঠিকানাটি ঠিক কি না দেখুন; কোনো স্মারক নম্বর খরচ হয়নি।",
                f"The state database {where} cannot be reached or written ({self.cause}). Check that "
                "PostgreSQL is running and the URL is right; no memo number was used.")
            return
        if _DAMAGED.search(self.cause):  # not a permission to give: the file is not a register this program reads
            super().__init__(
                STATE_UNAVAILABLE,
                f"অবস্থা-ফোল্ডার {where}-এর ডেটাবেস নষ্ট বা এই প্রোগ্রামের নয় ({self.cause})। ব্যাকআপ থেকে "
                "register.sqlite3 ফেরত আনুন বা --state দিয়ে ঠিক ফোল্ডারটি দিন; কোনো স্মারক নম্বর খরচ হয়নি।",
                f"The database in the state folder {where} is damaged or not this program's ({self.cause}). "
                "Restore register.sqlite3 from a backup or give the right folder with --state; no memo number was "
                "used.")
            return
        if "locked" in self.cause:  # held by another program past the busy timeout: nothing to give permission to
            super().__init__(
                STATE_UNAVAILABLE,
                f"অবস্থা-ফোল্ডার {where}-এর ডেটাবেস অন্য একটি প্রোগ্রাম আটকে রেখেছে ({self.cause})। সেটি শেষ হলে আবার "
                "চালান (কোন প্রোগ্রাম খুলে রেখেছে দেখুন: একটি sqlite3 বা ব্যাকআপ); কোনো স্মারক নম্বর খরচ হয়নি।",
                f"The database in the state folder {where} is held by another program ({self.cause}). Run again once "
                "it is done (see what holds it open: an sqlite3 shell, a backup); no memo number was used.")
            return
        super().__init__(
            STATE_UNAVAILABLE,
            f"অবস্থা-ফোল্ডার {where} খোলা বা লেখা যাচ্ছে না ({self.cause})। ফোল্ডারটি লেখার অনুমতি দিন "
            "বা --state দিয়ে অন্য ফোল্ডার দিন; কোনো স্মারক নম্বর খরচ হয়নি।",
            f"The state folder {where} cannot be opened or written ({self.cause}). Make it writable or "
            "give another with --state; no memo number was used.")


class SchemaTooNew(StateError):
    """The state database was brought up to date by a newer release of the program than this one."""

    def __init__(self, path: Path | str, found: int, known: int):
        super().__init__(path, f"schema {found} is newer than this program's {known}")
        self.code = "state-schema-newer"
        self.bn = (f"অবস্থা-ডেটাবেস {self.path} এই প্রোগ্রামের চেয়ে নতুন একটি সংস্করণ হালনাগাদ করেছে (স্কিমা {found}, এই "
                   f"প্রোগ্রাম জানে {known} পর্যন্ত); এই যন্ত্রে gen হালনাগাদ করুন। কিছুই লেখা হয়নি, কোনো স্মারক নম্বর "
                   "খরচ হয়নি।")
        self.en = (f"The state database {self.path} was brought up to date by a newer release than this program (schema "
                   f"{found}; this program knows up to {known}); update gen on this machine. Nothing was written and "
                   "no memo number was used.")


class NoRegister(StateError):
    """A state asked only to be read (the register listed) that holds no register: a mistyped --state is told,
    not made into a new, empty register."""

    def __init__(self, path: Path | str):
        super().__init__(path, "no memo register here")
        where = shown(str(path)) if is_url(path) else path
        self.bn = (f"{where}-এ কোনো স্মারক-রেজিস্টার নেই: এই অবস্থায় কখনো কিছু তৈরি হয়নি। --state ঠিক আছে কি না "
                   "দেখুন।")
        self.en = f"There is no memo register in {where}: nothing was ever built with this state. Check --state."


class StateAddressError(StateError):
    """A state given in a form this program does not read (`as_given`): taken as a folder, it would start a register of
    its own. Nothing is opened."""

    def __init__(self, given: str, why: str, where: str = "--state"):
        super().__init__(shown(given), why)
        self.bn = (f"{where}-এর মান ({shown(given)}) এই প্রোগ্রাম পড়ে না: কেবল একটি ফোল্ডার বা postgresql://… ঠিকানা দিন, "
                   "উদ্ধৃতিচিহ্ন ছাড়া (libpq-এর host=… ধরনের সেটিং ঠিকানার ? অংশে)। ফোল্ডার ধরে নিলে নতুন রেজিস্টার শুরু হতো "
                   "এবং আগে দেওয়া স্মারক নম্বর আবার দেওয়া হতো; কিছুই তৈরি হয়নি।")
        self.en = f"{where}: {why}. Taken as a folder it would start a register of its own; nothing was built."


_URL_LIKE = re.compile(r"\s*([A-Za-z][A-Za-z0-9+.-]*)://")
_QUOTED = re.compile("\\s*[\"'\u2018\u201c].*[\"'\u2019\u201d]\\s*$")  # quoted at both ends
# libpq's keyword=value form (host=db1 dbname=gen …): taken as a folder, it would be a register of its own
_CONNINFO = re.compile(r"(?:^|\s)(?:host|hostaddr|port|dbname|user|password|passfile|service|sslmode|"
                       r"target_session_attrs|connect_timeout|options|application_name)\s*=", re.IGNORECASE)


def as_given(state: str) -> str:
    """A --state as typed, a URL's scheme in the case and without the spaces this program reads (POSTGRESQL://… is
    postgresql://…); ValueError for one that looks like an address but names no PostgreSQL (postgresql+psycopg://
    …): taken as a folder, it would start a register of its own and issue numbers already issued."""
    if _QUOTED.match(state):
        raise ValueError(f"{shown(state)} is in quotes (an env file that kept them?): give the folder or the "
                         "postgresql://… address without them")
    if _CONNINFO.search(state):
        raise ValueError(f"{shown(state)} looks like a PostgreSQL connection string (host=… dbname=…); this program reads "
                         "a postgresql://… address, libpq's settings in its query "
                         "(postgresql:///gen?host=db1,db2&target_session_attrs=read-write), or a folder")
    found = _URL_LIKE.match(state)
    if found is None:
        return state
    url = found.group(1).lower() + state.strip()[len(found.group(1)):]
    if not url.startswith(URL_SCHEMES):
        raise ValueError(f"'{state}' looks like an address, but this program reads only postgresql://… addresses "
                         "(or a folder)")
    return url


def is_url(state: object) -> bool:
    return isinstance(state, str) and state.startswith(URL_SCHEMES)


def named(state: str | Path) -> str | Path:
    """A state as given: a PostgreSQL URL stays a string (a Path would lose one of its slashes), else a Path."""
    return state if is_url(state) else Path(state)


_SCHEME = re.compile("^\\s*[\"'\u2018\u201c]?[\\w+.-]+://")
# a password in the query or in libpq's keyword form, quoted or not
_PASSWORD = re.compile(r"((?:[?&]|\s|^)password\s*=\s*)(?:'(?:[^'\\]|\\.)*'?|[^&\s]*)", re.IGNORECASE)


def shown(url: str) -> str:
    """The URL (or anything given as a state) without its password, in the user part or in the query, to be
    printed or logged. The user part ends at the last @ (a password may hold /, ?, # or @ unencoded)."""
    scheme, at = _SCHEME.match(url), url.rfind("@")
    if scheme is not None and at > scheme.end() and ":" in url[scheme.end():at]:
        user = url[scheme.end():at].split(":", 1)[0]
        url = f"{url[:scheme.end()]}{user}:***{url[at:]}"
    return _PASSWORD.sub(r"\1***", url)


def _folder_key(url: str) -> str:
    """What a PostgreSQL state's local folder is named by (its hash): the URL without a password in its user part,
    as it always was (a changed key would move the folder)."""
    return re.sub(r"^(\w+://[^:/@]*):[^@/]*@", r"\1:***@", url)


def default_state_dir() -> Path:
    """The state folder: $GEN_STATE (a folder, or a postgresql:// URL: its local folder, `folder_for`), else
    $GEN_STATE_DIR, else $XDG_STATE_HOME/gen, else ~/.local/state/gen; read when called."""
    if gen := os.environ.get("GEN_STATE"):
        try:
            gen = as_given(gen)
        except ValueError as e:
            raise StateAddressError(gen, str(e), "$GEN_STATE") from None
        return folder_for(gen) if is_url(gen) else Path(gen)
    return _local_state_dir()


def _local_state_dir() -> Path:
    if gen := os.environ.get("GEN_STATE_DIR"):
        if _QUOTED.match(gen):
            raise StateAddressError(gen, f"{gen} is in quotes (an env file that kept them?): give the folder without "
                                         "them", "$GEN_STATE_DIR")
        return Path(gen)
    xdg = os.environ.get("XDG_STATE_HOME")
    # The XDG spec says to ignore an empty or relative value.
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "gen"
    return Path.home() / ".local" / "state" / "gen"


def resolve(state: str | Path | None) -> Path:
    """The state folder of what `--state` was given: nothing (the default), a folder, or a PostgreSQL URL
    (its local folder, `folder_for`)."""
    if state is None or state == "":
        return default_state_dir()
    if not isinstance(state, Path):
        try:
            state = as_given(str(state))
        except ValueError as e:
            raise StateAddressError(str(state), str(e)) from None
    if is_url(str(state)) and not isinstance(state, Path):
        return folder_for(str(state))
    return Path(state)


def folder_for(url: str) -> Path:
    """The local folder of a PostgreSQL state: what is not in the database yet (the web uploads) lives there
    (the current view's lock is the database's: stores.view_lock), and its file `database` names the database,
    so that every part of the program that is handed this folder (a worker process, `gen register`) opens the same one.
    Under the default state folder, one per database (the URL's hash, its password left out)."""
    folder = _local_state_dir() / "postgresql" / hashlib.sha256(_folder_key(url).encode()).hexdigest()[:16]
    pointer = folder / DATABASE_FILE
    try:
        if not pointer.is_file() or pointer.read_text(encoding="utf-8").strip() != url:
            folder.mkdir(parents=True, exist_ok=True)
            temporary = folder / f".{DATABASE_FILE}.{os.urandom(4).hex()}.tmp"  # its own: processes starting at once
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(url + "\n")
            os.replace(temporary, pointer)
    except OSError as e:
        raise StateError(folder, e.strerror or e) from None
    return folder


def database_url(state: str | Path) -> str | None:
    """The PostgreSQL URL a state names (the URL itself, or a state folder's `database` file); None for SQLite."""
    if is_url(state):
        return str(state)
    text = str(state)
    if re.match(r"postgres(ql)?:/[^/]", text):  # a URL made into a Path loses a slash: refuse, never a folder
        raise StateError(text, "a PostgreSQL URL was turned into a folder path; give it as a string "
                               "(--state, $GEN_STATE, records.state.resolve)")
    pointer = Path(state) / DATABASE_FILE
    try:
        url = pointer.read_text(encoding="utf-8").strip() if pointer.is_file() else None
    except OSError as e:
        raise StateError(Path(state), e.strerror or e) from None
    if url is not None and not is_url(url):  # never taken as a folder of its own: that would be a new register
        raise StateError(Path(state), f"its file '{DATABASE_FILE}' names no PostgreSQL database ({url[:40]!r})")
    if url and (Path(state) / FILE_NAME).exists():
        raise StateError(Path(state), f"it has both {FILE_NAME} and a PostgreSQL database ({shown(url)}); "
                                      "keep one")
    return url

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


def rekey_prefixes(execute: Callable[..., Any]) -> None:
    """Each serial under its prefix's key as spec/memo.register_prefix now makes it (text/identity.py: also
    without variation selectors, fillers and control characters, compatibility forms as their letters), so
    that prefixes that print alike, kept apart before, are one sequence: its next serial is above all of
    theirs. Of two separators kept for keys that are now one, the first chosen stays. `execute(sql, params)`
    runs one statement, `?` for each parameter."""
    from generator.spec.memo import register_prefix

    for prefix, key in execute("SELECT DISTINCT prefix, prefix_key FROM memos").fetchall():
        if register_prefix(prefix) != key:
            execute("UPDATE memos SET prefix_key = ? WHERE prefix = ?", (register_prefix(prefix), prefix))
    # a serial reserved, never issued, under a spelling whose serial another spelling already has: its letter
    # would print the other's memo, so it is voided (its content gets the sequence's next serial)
    execute("UPDATE memos SET state = 'void' WHERE state = 'reserved' AND EXISTS (SELECT 1 FROM memos other "
            "WHERE other.prefix_key = memos.prefix_key AND other.serial = memos.serial AND other.prefix != memos.prefix)")
    kept: set[str] = set()
    for (key,) in execute("SELECT prefix_key FROM memo_forms ORDER BY chosen_at, prefix_key").fetchall():
        new = register_prefix(key)
        if new in kept:
            execute("DELETE FROM memo_forms WHERE prefix_key = ?", (key,))
            continue
        kept.add(new)
        if new != key:
            execute("DELETE FROM memo_forms WHERE prefix_key = ?", (new,))  # chosen later: the first one stays
            execute("UPDATE memo_forms SET prefix_key = ? WHERE prefix_key = ?", (new, key))


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
    # 7: the web page's sessions in the database (records/web_sessions.py), so that every server sharing it
    # knows the signing secret and who signed out
    ("CREATE TABLE IF NOT EXISTS web_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
     "CREATE TABLE IF NOT EXISTS signed_out (nonce TEXT PRIMARY KEY, until REAL NOT NULL)"),
    # the store of documents (records/versions.py): one row per version written, in the transaction that confirms
    # its serial (the commit point); `path` relative to the output root, `created_at` by the database's clock
    ("""CREATE TABLE IF NOT EXISTS versions (
        prefix       TEXT    NOT NULL,
        serial       INTEGER NOT NULL,
        memo         TEXT    NOT NULL,
        content_hash TEXT    NOT NULL,
        path         TEXT    NOT NULL,
        created_at   REAL    NOT NULL,
        UNIQUE (prefix, serial))""",
     "CREATE INDEX IF NOT EXISTS versions_by_path ON versions (path)"),
    # the memo's separator is the office's (records/memo_forms.py): chosen by the first issue under a prefix key
    ("""CREATE TABLE IF NOT EXISTS memo_forms (
        prefix_key TEXT    PRIMARY KEY,
        separator  TEXT    NOT NULL,
        typed      INTEGER NOT NULL,
        source     TEXT    NOT NULL,
        chosen_at  REAL    NOT NULL)""",),
    # the register moved to PostgreSQL by `gen state migrate` (records/moved.py): while a row is here
    # this folder's register issues no number (state 'moving' during the copy, 'moved' after)
    ("CREATE TABLE IF NOT EXISTS register_moved (url TEXT NOT NULL, state TEXT NOT NULL, since TEXT NOT NULL)",),
    # the web page's wrong-credential throttle (records/throttle.py), shared by every server on the state
    ("""CREATE TABLE IF NOT EXISTS web_throttle (
        client  TEXT PRIMARY KEY,         -- a client address, or '' for the bucket of all clients together
        count   REAL NOT NULL,            -- wrong credentials in a row (the overall bucket: its tokens left)
        last    REAL NOT NULL,            -- the database's clock at the last change
        free_at REAL NOT NULL)""",
     "CREATE INDEX IF NOT EXISTS web_throttle_by_last ON web_throttle (last)"),
    # prefixes keyed again: what prints nothing or prints alike is one key (text/identity.py)
    (lambda db: rekey_prefixes(db.execute),),
    # and again: khanda ta typed the old way (ত, hasanta, joiner) is ৎ (text/identity.py)
    (lambda db: rekey_prefixes(db.execute),),
    # and again: an en dash, figure dash or minus is a hyphen, a joiner after a hasanta before no letter nothing
    (lambda db: rekey_prefixes(db.execute),),
]
SCHEMA_VERSION = len(MIGRATIONS)

# PostgreSQL: SQLite's final schema (the same tables and columns, text compared byte by byte as SQLite does),
# plus memo_counters: one row per prefix key, locked FOR UPDATE by every change to that prefix's serials, so
# that the next serial, MAX(serial) + 1 read under the lock, is gap-free across servers (a sequence is not).
# Run by db.Postgres under an advisory lock; gen_schema holds the number of steps done. Never edit a shipped step.
_TEXT = 'TEXT COLLATE "C"'
PG_MIGRATIONS: list[tuple[str | Callable[[Callable[..., Any]], None], ...]] = [
    # 1: the register, the ledger and the owners as SQLite has them after its step 6
    (f"""CREATE TABLE memos (
        prefix       {_TEXT} NOT NULL,
        serial       INTEGER NOT NULL CHECK (serial >= 0),
        content_hash {_TEXT} NOT NULL,
        source       {_TEXT} NOT NULL,
        kind         {_TEXT} NOT NULL,
        office       {_TEXT} NOT NULL,
        fiscal_year  {_TEXT} NOT NULL,
        period       {_TEXT} NOT NULL,
        issued_at    {_TEXT} NOT NULL,
        explicit     INTEGER NOT NULL,
        state        {_TEXT} NOT NULL DEFAULT 'issued',
        submission   BIGINT,
        owner        {_TEXT},
        prefix_key   {_TEXT},
        UNIQUE (prefix, serial))""",
     "CREATE INDEX memos_by_content ON memos (prefix, content_hash)",
     "CREATE INDEX memos_by_key_content ON memos (prefix_key, content_hash)",
     "CREATE INDEX memos_by_submission ON memos (submission)",
     "CREATE INDEX memos_by_key ON memos (prefix_key, serial)",
     f"CREATE TABLE memo_counters (prefix_key {_TEXT} PRIMARY KEY)",
     f"""CREATE TABLE files (
        id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        name           {_TEXT} NOT NULL,
        file_hash      {_TEXT} NOT NULL,
        status         {_TEXT} NOT NULL,
        memo           {_TEXT},
        kind           {_TEXT},
        office         {_TEXT},
        fiscal_year    {_TEXT},
        period         {_TEXT},
        outputs        {_TEXT},
        moved_to       {_TEXT},
        note           {_TEXT},
        received_at    {_TEXT} NOT NULL,
        finished_at    {_TEXT},
        seconds        DOUBLE PRECISION,
        details        {_TEXT},
        route          {_TEXT} NOT NULL DEFAULT 'watch',
        attempts       INTEGER NOT NULL DEFAULT 1,
        score_total    DOUBLE PRECISION,
        score_possible DOUBLE PRECISION,
        owner          {_TEXT})""",
     "CREATE INDEX files_by_hash ON files (file_hash)",
     *(f"CREATE INDEX files_by_{c} ON files ({c})" for c in ("office", "kind", "fiscal_year", "period", "status")),
     f"""CREATE TABLE owners (
        id          {_TEXT} PRIMARY KEY,
        role        {_TEXT} NOT NULL,
        scope       {_TEXT} NOT NULL,
        host        {_TEXT} NOT NULL,
        boot_id     {_TEXT} NOT NULL,
        pid         INTEGER NOT NULL,
        started_at  {_TEXT} NOT NULL,
        lease_until DOUBLE PRECISION NOT NULL)""",
     "CREATE INDEX owners_by_role ON owners (role, scope)"),
    # 2: the web page's sessions (SQLite's step 7)
    (f"CREATE TABLE web_secrets (name {_TEXT} PRIMARY KEY, value {_TEXT} NOT NULL)",
     f"CREATE TABLE signed_out (nonce {_TEXT} PRIMARY KEY, until DOUBLE PRECISION NOT NULL)"),
    # the store of documents (SQLite's step of the same name)
    (f"""CREATE TABLE IF NOT EXISTS versions (
        prefix       {_TEXT} NOT NULL,
        serial       INTEGER NOT NULL,
        memo         {_TEXT} NOT NULL,
        content_hash {_TEXT} NOT NULL,
        path         {_TEXT} NOT NULL,
        created_at   DOUBLE PRECISION NOT NULL,
        UNIQUE (prefix, serial))""",
     "CREATE INDEX IF NOT EXISTS versions_by_path ON versions (path)"),
    # the memo's separator per prefix key (SQLite's step of the same name)
    (f"""CREATE TABLE IF NOT EXISTS memo_forms (
        prefix_key {_TEXT} PRIMARY KEY,
        separator  {_TEXT} NOT NULL,
        typed      INTEGER NOT NULL,
        source     {_TEXT} NOT NULL,
        chosen_at  DOUBLE PRECISION NOT NULL)""",),
    # the web page's wrong-credential throttle (records/throttle.py), shared by every server
    (f"""CREATE TABLE IF NOT EXISTS web_throttle (
        client  {_TEXT} PRIMARY KEY,
        count   DOUBLE PRECISION NOT NULL,
        last    DOUBLE PRECISION NOT NULL,
        free_at DOUBLE PRECISION NOT NULL)""",
     "CREATE INDEX IF NOT EXISTS web_throttle_by_last ON web_throttle (last)"),
    # prefixes keyed again, as SQLite's last step (run by db.Postgres with its placeholders)
    (rekey_prefixes,),
    # and again: khanda ta typed the old way is ৎ (text/identity.py)
    (rekey_prefixes,),
    # and again: dashes drawn as a hyphen, joiners that print nothing (text/identity.py)
    (rekey_prefixes,),
    # a move into this database that `gen state migrate` has begun and not finished (records/moved.py): while a
    # row is here no serial is issued from it (the copy, committed with its end, would have them already)
    (f"CREATE TABLE IF NOT EXISTS register_incoming (source {_TEXT} NOT NULL, since {_TEXT} NOT NULL)",),
]
PG_SCHEMA_VERSION = len(PG_MIGRATIONS)


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
            raise SchemaTooNew(path, version, SCHEMA_VERSION)
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


def database_error(e: BaseException) -> bool:
    """A database's own error (SQLite's, or psycopg's when a PostgreSQL state is in use)."""
    if isinstance(e, sqlite3.Error):
        return True
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(e, psycopg.Error)


def state_errors(cls):
    """Class decorator: every public method of a friendly object over the database turns a database error
    (locked past the busy timeout, disk full, I/O, PostgreSQL gone) into StateError naming its state (the
    object's `where`: its folder, or its database's URL)."""
    def guard(method):
        @functools.wraps(method)
        def guarded(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except Exception as e:
                if not database_error(e):
                    raise
                raise StateError(self.where, str(e).strip().splitlines()[0] if str(e).strip() else e) from None
        return guarded

    for name, value in list(vars(cls).items()):
        if callable(value) and not name.startswith("_"):
            setattr(cls, name, guard(value))
    return cls


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE takes the write lock up front, so read-then-write cannot interleave with another process.
    Whatever stops it (an error, or a Ctrl-C landing just after BEGIN or just before COMMIT) rolls it back: a
    transaction left open would hold the write lock, and this very process's next connection would wait for it."""
    try:
        db.execute("BEGIN IMMEDIATE")
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
