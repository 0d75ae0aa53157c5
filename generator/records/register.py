"""The memo register: hands out memo serials, never the same one twice, and takes back one whose letter
could not be written (the register stays gap-free, like a paper register; the one exception is a run of serials
another register already printed into the same output folder, skipped as one void entry: skip_through)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass, replace
from pathlib import Path

from generator.findings import GenError
from generator.records import db, memo_forms, state, versions
from generator.records.state import StateError
from generator.records.versions import Version
from generator.spec.memo import chosen_separator, number as memo_number, number_as_stored, register_prefix
from generator.spec.memo import separator as form_separator
from generator.text import identity
from generator.spec.codes import MEMO_SERIAL_TAKEN

_COLUMNS = ("prefix, serial, content_hash, source, kind, office, fiscal_year, period, issued_at, explicit, state, "
            "submission, owner")


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
    state: str = "issued"  # 'reserved' until its documents exist, then 'issued'; 'void' if taken back late
    submission: int | None = None  # the ledger entry it was reserved for
    owner: str | None = None  # the process (owners.py) that reserved it: only it gives the serial back


class SerialTaken(GenError):
    """The serial the office typed was issued to other content."""

    def __init__(self, entry: Entry):
        super().__init__(MEMO_SERIAL_TAKEN, f"{entry.prefix}-{entry.serial} আগেই অন্য পত্রে ব্যবহৃত",
                         f"{entry.prefix}-{entry.serial} already issued to {entry.source} at {entry.issued_at}")
        self.entry = entry


class MemoConflict(GenError):
    """A serial about to be confirmed for this content belongs to other content: the letter is not made
    visible, and the build stops loudly (one memo number, one letter)."""

    def __init__(self, entry: Entry, other: Entry, memo: str | None = None):
        memo = memo or number_as_stored(entry.prefix, entry.serial)  # as the letter prints it, else its form's
        super().__init__(
            "memo-conflict",
            f"স্মারক {memo} এই পত্রের জন্য সংরক্ষিত ছিল, কিন্তু রেজিস্টারে এখন তা অন্য পত্রের ({other.source}); তাই এই পত্র "
            "প্রকাশ করা হয়নি, কোনো নম্বর দুটি পত্রে যায়নি। আবার জমা দিন; বারবার হলে সিস্টেম প্রশাসককে জানান।",
            f"Memo {memo} was reserved for this letter but the register now has it for another ({other.source}); "
            "this letter was not made visible and no number went to two letters. Send it again; if it recurs, tell "
            "the system administrator.")
        self.entry, self.other = entry, other


@dataclass
class Held:
    """A serial in hand while its letter is written: `entry` as the register has it, whether it was this
    content's already (`reused`), whether the letter was found written elsewhere (`void`), and whether it
    has been confirmed (`confirm()`, called at the moment the letter becomes visible). `separator` is the one
    the register keeps for the prefix (memo_forms); `memo` and `version` (the version's path relative to the
    store's root), when the holder sets them, are written as its `versions` row by the confirmation."""

    entry: Entry
    reused: bool
    void: bool = False
    confirmed: bool = False
    register: Register | None = None
    separator: str = "-"
    memo: str | None = None
    version: str | None = None
    typed: bool = False  # the separator was the workbook's own choice, not the form's default
    source: str = ""

    def number(self) -> str:
        """The memo this letter prints: the text an issued serial was issued with (Register.issued_memo), else
        the register's number for its serial (spec/memo.number)."""
        if self.reused and self.entry.state == "issued":
            assert self.register is not None
            return self.register.issued_memo(self.entry)
        return memo_number(self.entry.prefix, self.entry.serial)

    def confirm(self) -> None:
        if not self.confirmed:
            assert self.register is not None
            self.register.confirm(self.entry, memo=self.memo, version=self.version, separator=self.separator,
                                  typed=self.typed, source=self.source)
            self.confirmed = True


def _entry(row: tuple) -> Entry:
    values = list(row)
    values[9] = bool(values[9])
    return Entry(*values)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


@state.state_errors
class Register:
    """Over SQLite, every change runs under SQLite's one write lock (BEGIN IMMEDIATE); over PostgreSQL, under
    the row lock of its prefix's counter row (db.lock_prefix), with the rows it changes read FOR UPDATE. Either
    way a prefix's serials are chosen one change at a time, and UNIQUE(prefix, serial) is the last guard."""

    def __init__(self, state_dir: str | Path):
        self.state_dir = state.named(state_dir)
        self._db = db.connect(self.state_dir)
        self.where = self._db.where

    def _one(self, where: str, *args: object, lock: bool = False) -> Entry | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM memos WHERE {where}{self._db.for_update() if lock else ''}",
                               args).fetchone()
        return _entry(row) if row else None

    def _insert(self, entry: Entry) -> Entry:
        values = astuple(entry)
        values = values[:9] + (int(entry.explicit),) + values[10:] + (entry.prefix,)
        self._db.execute(f"INSERT INTO memos ({_COLUMNS}, prefix_key) VALUES ({', '.join('?' * len(values))})", values)
        return entry

    def allocate(self, prefix: str, content_hash: str, *, source: str, kind: str, office: str,
                 fiscal_year: str, period: str, submission: int | None = None,
                 owner: str | None = None, also: str | None = None) -> tuple[Entry, bool]:
        """(entry, reused): the serial this content already has under prefix (by its hash, or by `also`, the
        hash it was kept by before), else the next one, reserved."""
        with self._db.transaction():
            self._db.lock_prefix(register_prefix(prefix))
            found = self._one("prefix_key = ? AND content_hash IN (?, ?) AND state != 'void' "  # its own first:
                              "ORDER BY content_hash = ? DESC, serial DESC LIMIT 1",   # a twin typed plainly since
                              prefix, content_hash, also or content_hash, also or content_hash)  # has another
            if found:
                return found, True
            last = self.last_serial(prefix)
            entry = Entry(prefix, (last or 0) + 1, content_hash, source, kind, office, fiscal_year, period,
                          _now(), False, "reserved", submission, owner)
            return self._insert(entry), False

    @contextmanager
    def reserved(self, prefix: str, serial: int | None, content_hash: str, *, separator: str | None = None,
                 also: str | None = None, **meta) -> Iterator[Held]:
        """A serial for this content (`take`), held while its letter is written: confirmed by `held.confirm()`
        at the moment the letter becomes visible (else when the block ends), given back by its owner when the
        block raises before that (voided instead when the block marked it so; a serial this content already
        had, or one confirmed, is never given back). SerialTaken when the office typed a serial issued to
        other content; MemoConflict when the serial turns out to be other content's at confirmation.
        `separator`: the one the workbook typed (blank: the form's default); `held.separator` is the register's."""
        entry, reused = self.take(prefix, serial, content_hash, also=also, **meta)
        held = Held(entry, reused, register=self, source=str(meta.get("source", "")))
        try:
            held.separator, held.typed = self.keep_separator(prefix, separator, source=held.source)
            yield held
        except BaseException as e:
            if not (held.confirmed or reused or isinstance(e, MemoConflict)):
                try:
                    other = self.void(entry) if held.void else None
                    if not held.void:
                        self.release(entry)
                except StateError:
                    pass  # the database is out of reach: the serial stays reserved by its owner, for `gen register`
                else:
                    if other is not None:  # a stale build: its serial went to another letter while it was stopped
                        raise MemoConflict(entry, other, held.memo) from e
            raise
        held.confirm()

    def take(self, prefix: str, serial: int | None, content_hash: str, *, also: str | None = None,
             **meta) -> tuple[Entry, bool]:
        """The serial the office typed (`record`), or the next one when it left it blank (`allocate`); `also`: the
        hash the same content was kept by before."""
        if serial is not None:
            return self.record(prefix, serial, content_hash, also=also, **meta)
        return self.allocate(prefix, content_hash, also=also, **meta)

    def record(self, prefix: str, serial: int, content_hash: str, *, source: str, kind: str, office: str,
               fiscal_year: str, period: str, submission: int | None = None,
               owner: str | None = None, also: str | None = None) -> tuple[Entry, bool]:
        """(entry, reused) for a serial the office typed; SerialTaken if other content already has it."""
        with self._db.transaction():
            self._db.lock_prefix(register_prefix(prefix))
            found = self._one("prefix_key = ? AND serial = ?", prefix, serial)
            if found and found.content_hash in (content_hash, also) and found.state != "void":
                return found, True
            if found:
                raise SerialTaken(found)
            entry = Entry(prefix, serial, content_hash, source, kind, office, fiscal_year, period,
                          _now(), True, "reserved", submission, owner)
            return self._insert(entry), False

    def issued_memo(self, entry: Entry) -> str:
        """The memo text an issued entry's letter printed: as its version was recorded, else as its prefix was
        stored (spec/memo.number_as_stored); never keyed again, so a letter built once keeps its number's text."""
        version = versions.of(self._db, entry.prefix, entry.serial)
        return version.memo if version is not None and version.memo else number_as_stored(entry.prefix, entry.serial)

    def last_serial(self, prefix: str) -> int | None:
        """The highest serial issued under prefix, or None when there is none; reads only."""
        return self._db.execute("SELECT MAX(serial) FROM memos WHERE prefix_key = ?", (prefix,)).fetchone()[0]

    def confirm(self, entry: Entry, *, memo: str | None = None, version: str | None = None,
                separator: str | None = None, typed: bool = False, source: str = "") -> None:
        """The letter of this serial is about to be visible: it is issued for good (again, if it had been taken
        back meanwhile and is still free), and its version's row (`version`: its path relative to the store's
        root) written in the same transaction: the commit point, where the prefix's `separator` is kept too when
        it is the first letter under it (a build that never issues keeps none). MemoConflict, changing nothing,
        when other content holds it."""
        with self._db.transaction():
            self._db.lock_prefix(register_prefix(entry.prefix))
            found = self._one("prefix = ? AND serial = ?", entry.prefix, entry.serial, lock=True)
            if found is None:
                self._insert(replace(entry, state="issued"))
            elif found.content_hash != entry.content_hash:
                raise MemoConflict(entry, found, memo)
            else:
                self._db.execute("UPDATE memos SET state = 'issued' WHERE prefix = ? AND serial = ?",
                                 (entry.prefix, entry.serial))
            if version is not None:
                versions.record(self._db, entry.prefix, entry.serial, memo or "", entry.content_hash, version)
            if separator is not None:
                memo_forms.keep(self._db, register_prefix(entry.prefix), separator, typed=typed, source=source)

    def keep_separator(self, prefix: str, typed: str | None, *, source: str = "") -> tuple[str, bool]:
        """(the separator a letter under this prefix prints, whether it is the workbook's choice): the one the
        register keeps, else the one typed (or the form's default when blank), kept now, so that two first
        letters at once agree. A serial given back when it was the prefix's only one takes the choice back
        with it (`release`): a letter never issued decides nothing."""
        key = register_prefix(prefix)
        found = memo_forms.kept(self._db, key)  # once chosen, a read: no write, no fsync
        if found is not None:
            return found, False
        chosen = chosen_separator(typed)
        with self._db.transaction():
            kept = memo_forms.keep(self._db, key, chosen or form_separator(prefix), typed=chosen is not None,
                                   source=source)
        return kept, chosen is not None and kept == chosen

    def separators(self) -> dict[str, str]:
        """prefix key → the separator kept for it (`gen register`)."""
        return memo_forms.every(self._db)

    def versions(self) -> list[Version]:
        """Every version written to the store, as the register confirmed it."""
        return versions.every(self._db)

    def release(self, entry: Entry) -> str | None:
        """Take back a reserved serial whose letter could not be written: 'released' when it was the last one
        (the next letter gets it), 'void' when a later serial was taken meanwhile (issued, or reserved by a build
        beside it; it stays in the register, marked void, so the register still has no gap; a serial the office
        typed is never deleted once later serials exist). None if it was not reserved, or not reserved by this entry's
        owner (only the owner gives a serial back: fencing)."""
        with self._db.transaction():
            self._db.lock_prefix(register_prefix(entry.prefix))
            found = self._one("prefix = ? AND serial = ?", entry.prefix, entry.serial, lock=True)
            if found is None or found.state != "reserved" or found.owner != entry.owner:
                return None
            if found.serial == self.last_serial(register_prefix(entry.prefix)):
                self._db.execute("DELETE FROM memos WHERE prefix = ? AND serial = ?", (entry.prefix, entry.serial))
                memo_forms.forget_if_unused(self._db, register_prefix(entry.prefix))
                return "released"
            self._void(entry)
            return "void"

    def identity(self) -> str:
        """This register's own name, made once and kept in the state (it moves with `gen state migrate`): the
        output folder's memo claims say which register made them (records/memos.py)."""
        found = self._db.execute("SELECT value FROM web_secrets WHERE name = 'register'").fetchone()
        if found:
            return found[0]
        with self._db.transaction():
            self._db.execute("INSERT INTO web_secrets (name, value) VALUES ('register', ?) ON CONFLICT (name) DO NOTHING",
                             (secrets.token_hex(16),))
            return self._db.execute("SELECT value FROM web_secrets WHERE name = 'register'").fetchone()[0]

    def skip_through(self, prefix: str, serial: int, *, source: str) -> None:
        """Serials up to `serial` are printed on letters this register did not issue (another register's, found
        in the same output folder): a void entry at `serial`, so the next one this register gives is above it."""
        with self._db.transaction():
            self._db.lock_prefix(register_prefix(prefix))
            if (self.last_serial(prefix) or 0) < serial:
                self._insert(Entry(prefix, serial, "", source, "", "", "", "", _now(), False, "void"))

    def void(self, entry: Entry) -> Entry | None:
        """A serial this entry still holds that must not be issued again (a document with this memo already
        exists). Fenced as `release` is: a serial its owner no longer holds (its lease ran out and the serial
        went to another letter) is left as it is, and the entry now holding it is returned."""
        with self._db.transaction():
            self._db.lock_prefix(register_prefix(entry.prefix))
            found = self._one("prefix = ? AND serial = ?", entry.prefix, entry.serial, lock=True)
            if found is None or found.state == "void":
                return None
            if found.state != "reserved" or found.owner != entry.owner or found.content_hash != entry.content_hash:
                return found
            self._void(entry)
            return None

    def _void(self, entry: Entry) -> None:
        self._db.execute("UPDATE memos SET state = 'void' WHERE prefix = ? AND serial = ?", (entry.prefix, entry.serial))

    def release_submission(self, *submissions: int, owner: str | None = None,
                           keep: tuple[str | None, ...] = ()) -> list[tuple[Entry, str]]:
        """Take back every serial still reserved for these ledger entries by `owner` (its workers died before
        writing), the highest first, so that as many as can be are given back rather than voided; but those reserved
        for the content hashes in `keep` (the content about to be built, which reuses its own)."""
        marks = ", ".join("?" * len(submissions))
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM memos WHERE submission IN ({marks}) AND state = 'reserved' "
                                f"AND owner {self._db.IS} ? ORDER BY serial DESC", (*submissions, owner)).fetchall()
        return self._release_each(e for e in map(_entry, rows) if e.content_hash not in keep)

    def _release_each(self, entries: Iterable[Entry]) -> list[tuple[Entry, str]]:
        """Each entry given back (or voided), in the order given; those released, with what became of them."""
        out = []
        for entry in entries:
            outcome = self.release(entry)
            if outcome:
                out.append((entry, outcome))
        return out

    def adopt(self, submissions: list[int], owner: str) -> None:
        """The serials still reserved for these ledger entries by owners whose lease has run out become
        `owner`'s (the same content built again reuses them). A live owner's reservations are never touched."""
        if submissions:
            marks = ", ".join("?" * len(submissions))
            with self._db.transaction():
                self._db.execute(f"UPDATE memos SET owner = ? WHERE submission IN ({marks}) AND state = 'reserved' "
                                 f"AND {self._db.expired('owner')}", (owner, *submissions))

    def take_over(self, submissions: list[int], owner: str) -> list[tuple[Entry, str]]:
        """`adopt`, then give them back: the work they were reserved for will not be finished."""
        self.adopt(submissions, owner)
        return self.release_submission(*submissions, owner=owner) if submissions else []

    def give_back_abandoned(self, owner: str, grace: float) -> list[tuple[Entry, str]]:
        """Serials still reserved by processes whose lease ran out more than `grace` seconds ago, for ledger entries
        that were closed all the same (a build whose own giving back failed on a locked database, its entry closed
        as failed): taken over by `owner` and given back, the highest first. Never a live owner's, nor one late to
        renew its lease, nor one reserved with no owner, nor one whose entry is still open (that file is resumed
        by its own route, which reuses the serial)."""
        with self._db.transaction():
            self._db.execute(
                "UPDATE memos SET owner = ? WHERE state = 'reserved' AND owner IS NOT NULL AND owner NOT IN "
                f"(SELECT id FROM owners WHERE lease_until > {self._db.NOW} - ?) AND (submission IS NULL OR "
                "submission NOT IN (SELECT id FROM files WHERE status = 'processing'))", (owner, grace))
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM memos WHERE state = 'reserved' AND owner = ? "
                                "ORDER BY serial DESC", (owner,)).fetchall()
        return self._release_each(map(_entry, rows))

    def coinciding(self) -> dict[str, list[str]]:
        """Prefixes stored apart (before identities were normalised) that are one prefix now: key → spellings.
        They continue one sequence; `gen register` reports them so the office can check its letters."""
        rows = self._db.execute("SELECT prefix_key, prefix FROM memos WHERE prefix_key IS NOT NULL "
                                "GROUP BY prefix_key, prefix ORDER BY prefix_key, prefix").fetchall()
        found: dict[str, list[str]] = {}
        for key, prefix in rows:
            found.setdefault(key, []).append(prefix)
        return {key: spellings for key, spellings in found.items() if len(spellings) > 1}

    def coinciding_offices(self) -> dict[str, list[str]]:
        """Office names stored apart (before identities were normalised: a zero-width character, another
        Unicode form, other digits) that are one office now: key → spellings, for `gen register` to report.
        Their earlier letters stay in the folders they were built in."""
        found: dict[str, set[str]] = {}
        for (office,) in self._db.execute("SELECT DISTINCT office FROM memos").fetchall():
            found.setdefault(identity.name(office), set()).add(office)
        return {key: sorted(spellings) for key, spellings in sorted(found.items()) if len(spellings) > 1}

    def issued_to_report(self, prefix: str, *, kind: str, office: str, fiscal_year: str,
                         period: str) -> list[Entry]:
        """The serials issued under `prefix` to letters of one report (its office, kind, year and period)."""
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM memos WHERE prefix_key = ? AND kind = ? AND office = ? "
                                "AND fiscal_year = ? AND period = ? AND state = 'issued' ORDER BY serial",
                                (prefix, kind, office, fiscal_year, period))
        return [_entry(row) for row in rows]

    def issued_for(self, submission: int) -> Entry | None:
        """The serial issued for a ledger entry, if its letter was written."""
        return self._one("submission = ? AND state = 'issued' ORDER BY serial DESC LIMIT 1", submission)

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
