"""The ledger: every file handled, by any route (`gen build`, the watch folder, the web page), with its
status, memo, findings and the paths of its own documents. It lives in the state database beside the
memo register."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from generator.records import db, state

_COLUMNS = ("id, name, file_hash, status, memo, kind, office, fiscal_year, period, outputs, moved_to, note, "
            "received_at, finished_at, seconds, details, route, attempts, score_total, score_possible")
# a list page needs neither the findings nor the documents: they stay unread
_LIST_COLUMNS = _COLUMNS.replace("outputs", "NULL").replace("details", "NULL")
FILTERS = ("office", "kind", "fiscal_year", "period", "status")  # the list's filters: columns, compared for equality
# the filters from the one that usually narrows most (dozens of offices) to the one that narrows least (most
# files are 'built'): with several, the first one's index is searched and the others are checked on its rows
# (without statistics SQLite would as soon search all 'built' files)
_SELECTIVE = ("office", "period", "fiscal_year", "kind", "status")
PAGE_SIZE = 50


UNPROCESSABLE = "could not be processed"  # the note of a file whose worker died or ran out of time
EVIDENCE_REFUSED = "evidence refused"  # rejected for its evidence only: the same workbook may come with other
MEMO_REUSED = "memo reused: same content"  # built again under the memo its content was first given


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
    route: str = "watch"
    attempts: int = 1
    score_total: float | None = None
    score_possible: float | None = None


def _record(r: tuple) -> Record:
    row = list(r)
    row[9], row[15] = json.loads(r[9] or "[]"), json.loads(r[15]) if r[15] else None
    return Record(*row)


@state.state_errors
class Ledger:
    def __init__(self, state_dir: str | Path):
        self.state_dir = state.named(state_dir)
        self.db = db.connect(self.state_dir)
        self.where = self.db.where
        if self.db.dialect == "sqlite":
            # the ledger is a log, not the register: after a power cut it may lose its last lines (a file is then
            # simply handled again), never its consistency (WAL)
            self.db.execute("PRAGMA synchronous = NORMAL")

    def _records(self, where: str, *args) -> list[Record]:
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM files WHERE {where} ORDER BY id", args).fetchall()
        return [_record(r) for r in rows]

    def start(self, name: str, file_hash: str, *, route: str = "watch", owner: str | None = None) -> int:
        """Note a file about to be processed by `owner` (records/owners.py). The watch folder and the web
        page resume their own files: an unfinished earlier attempt on the same file whose owner's lease has
        run out (a crash) is taken over and its attempts counted, and a file that could not be written is
        reused as it was. An entry a live process is working on is never taken: this one gets its own.
        `gen build` always starts a new entry."""
        with self.db.transaction():
            if route != "build":
                self.db.lock(f"ledger {route} {name} {file_hash}")  # two servers resuming one file: one after the other
                same = self._records("name = ? AND file_hash = ? AND route = ? AND (status = 'failed' OR "
                                     f"(status = 'processing' AND (owner {self.db.IS} ? OR {self.db.expired('owner')})))",
                                     name, file_hash, route, owner)
                if same:
                    # a predecessor's unfinished try counts (it may be the file that stopped it); this owner's own
                    # does not: its entry stayed open only because the database could not be written to close it
                    mine = owner is not None and self.owner_of(same[-1].id) == owner
                    bump = 1 if same[-1].status == "processing" and not mine else 0
                    self.db.execute("UPDATE files SET attempts = attempts + ?, status = 'processing', owner = ? "
                                    "WHERE id = ?", (bump, owner, same[-1].id))
                    return same[-1].id
            return self.db.insert(
                "INSERT INTO files (name, file_hash, status, received_at, route, owner) VALUES (?, ?, 'processing', ?, ?, ?)",
                (name, file_hash, now(), route, owner))

    def orphans(self, route: str, scope: str | None = None) -> list[Record]:
        """Unfinished entries of `route` whose owner's lease has run out (for `scope`: only those whose
        owner served that inbox or uploads folder). Never an entry a live process owns, wherever it runs."""
        where = f"status = 'processing' AND route = ? AND {self.db.expired('owner')}"
        if scope is None:
            return self._records(where, route)
        return self._records(f"{where} AND (owner IS NULL OR owner IN (SELECT id FROM owners WHERE scope = ?))",
                             route, scope)

    def in_other_hands(self, route: str, scope: str, me: str) -> list[Record]:
        """Unfinished entries of `route` for `scope` that another owner with a live lease holds."""
        return self._records(f"status = 'processing' AND route = ? AND owner {self.db.IS_NOT} ? "
                             f"AND NOT {self.db.expired('owner')} "
                             "AND owner IN (SELECT id FROM owners WHERE scope = ?)", route, me, scope)

    def left_open_by(self, route: str, owner: str) -> list[Record]:
        """Unfinished entries of `route` that `owner` itself holds: between two files, a watcher has none in hand,
        so these were left open when the database could not be written to close them (an outage)."""
        return self._records("status = 'processing' AND route = ? AND owner = ?", route, owner)

    def held_elsewhere(self, name: str, route: str, me: str) -> list[Record]:
        """Unfinished entries of this file name and route that another owner with a live lease holds (a queue
        worker waits for them: a job retried after its worker stopped is resumed only once that lease ran out)."""
        return self._records(f"status = 'processing' AND name = ? AND route = ? AND owner {self.db.IS_NOT} ? "
                             f"AND NOT {self.db.expired('owner')}", name, route, me)

    def latest(self, name: str, route: str) -> Record | None:
        """The newest entry of this file name by this route (an upload kept under a unique name, in the queue)."""
        found = self._records("id = (SELECT MAX(id) FROM files WHERE name = ? AND route = ?)", name, route)
        return found[0] if found else None

    def owner_of(self, id: int) -> str | None:
        row = self.db.execute("SELECT owner FROM files WHERE id = ?", (id,)).fetchone()
        return row[0] if row else None

    def finish(self, id: int, status: str, *, memo=None, kind=None, office=None, fiscal_year=None, period=None,
               outputs=(), moved_to=None, note=None, seconds=None, details=None, owner: str | None = None) -> None:
        """Close an entry, once, and (given the `owner` that handled it) only while that owner still holds it or
        nobody live does: a process stopped past its lease and resumed (SIGSTOP, a hung share) never writes its
        outcome over, or before, the one of the process that took its file over."""
        score = (details or {}).get("score") or {}
        fence = f" AND (owner = ? OR {self.db.expired('owner')})" if owner else ""
        self.db.execute(
            "UPDATE files SET status=?, memo=?, kind=?, office=?, fiscal_year=?, period=?, outputs=?, moved_to=?, "
            f"note=?, finished_at=?, seconds=?, details=?, score_total=?, score_possible=? "
            f"WHERE id=? AND status = 'processing'{fence}",
            (status, memo, kind, office, fiscal_year, period, json.dumps(list(outputs), ensure_ascii=False),
             moved_to, note, now(), seconds, json.dumps(details, ensure_ascii=False) if details else None,
             score.get("total"), score.get("possible"), id, *([owner] if owner else [])))

    def moved(self, id: int, moved_to: str) -> None:
        """The file of a finished entry was moved at last (it could not be, when the entry was finished)."""
        self.db.execute("UPDATE files SET moved_to = ?, note = CASE WHEN note LIKE 'the file could not be moved%' "
                        "THEN NULL ELSE note END WHERE id = ? AND moved_to IS NULL", (moved_to, id))

    def get(self, id: int) -> Record | None:
        if not -(2 ** 63) <= id < 2 ** 63:
            return None
        found = self._records("id = ?", id)
        return found[0] if found else None

    def done_with(self, file_hash: str) -> Record | None:
        """The earlier finished record of the same bytes, if any (a file that could not be processed, for a
        crash or a time limit, or rejected only for its evidence, is not held against the same bytes sent again)."""
        found = self._records("file_hash = ? AND (status = 'built' OR (status = 'rejected' AND "
                              "(note IS NULL OR note NOT IN (?, ?))))", file_hash, UNPROCESSABLE, EVIDENCE_REFUSED)
        return found[-1] if found else None

    def built(self, fiscal_year: str, period: str, kind: str | None = None) -> list[Record]:
        """Every built entry of one fiscal year and period (of one kind), with its findings and documents,
        oldest first: the receiving office's summary (summary.py) picks each office's current one."""
        if kind:
            return self._records("status = 'built' AND fiscal_year = ? AND period = ? AND kind = ?",
                                 fiscal_year, period, kind)
        return self._records("status = 'built' AND fiscal_year = ? AND period = ?", fiscal_year, period)

    def unfinished(self, route: str | None = None) -> list[Record]:
        if route is None:
            return self._records("status = 'processing'")
        return self._records("status = 'processing' AND route = ?", route)

    def page(self, filters: dict[str, str] | None = None, *, limit: int = PAGE_SIZE,
             offset: int = 0) -> tuple[list[Record], int]:
        """One page of the files matching `filters` (column → value, each compared for equality; an empty
        value is no filter), newest first, without their findings and documents (`details` and `outputs`
        are left empty: `get` has them); and how many match in all."""
        where, args = _where(filters, self.db)
        with self.db.snapshot():  # the count and the page from one snapshot
            total = self.db.execute(f"SELECT COUNT(*) FROM files WHERE {where}", args).fetchone()[0]
            rows = self.db.execute(f"SELECT {_LIST_COLUMNS} FROM files WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?",
                                   (*args, max(0, limit), max(0, offset))).fetchall()
        return [_record(r) for r in rows], total

    def choices(self) -> dict[str, list[str]]:
        """The values each filter can take (its distinct non-empty values, sorted), for the list's drop-downs.
        Each is read by skipping through the filter's index: one lookup per value, not per file (on PostgreSQL
        all of them in one statement: one round trip, not one per value)."""
        if self.db.dialect == "postgresql":
            return self._choices_in_one()
        found = {}
        for column in FILTERS:
            values, value = [], ""
            while (value := self.db.execute(f"SELECT MIN({column}) FROM files WHERE {column} > ?",
                                            (value,)).fetchone()[0]) is not None:
                values.append(value)
            found[column] = values
        return found

    def _choices_in_one(self) -> dict[str, list[str]]:
        # a loose index scan per filter (a recursive CTE: the next value above the last one found, by the index)
        steps = ", ".join(
            f"c_{c}(v) AS ((SELECT {c} FROM files WHERE {c} > '' ORDER BY {c} LIMIT 1) UNION ALL "
            f"SELECT (SELECT {c} FROM files WHERE {c} > c_{c}.v ORDER BY {c} LIMIT 1) FROM c_{c} WHERE c_{c}.v IS NOT NULL)"
            for c in FILTERS)
        union = " UNION ALL ".join(f"SELECT '{c}', v FROM c_{c} WHERE v IS NOT NULL" for c in FILTERS)
        found: dict[str, list[str]] = {c: [] for c in FILTERS}
        for column, value in self.db.execute(f"WITH RECURSIVE {steps} {union}").fetchall():
            found[column].append(value)
        return {c: sorted(values) for c, values in found.items()}  # code point order: COLLATE "C", as SQLite

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_) -> None:
        self.close()


def _where(filters: dict[str, str] | None, database: db.Database | None = None) -> tuple[str, tuple]:
    terms = [(column, value) for column, value in (filters or {}).items() if value]
    unknown = {column for column, _ in terms} - set(FILTERS)
    if unknown:
        raise ValueError(f"not a filter: {', '.join(sorted(unknown))}")
    terms.sort(key=lambda term: _SELECTIVE.index(term[0]))
    unindexed = database.unindexed if database else (lambda column: f"+{column}")  # SQLite's '+': not by its index
    where = [f"{unindexed(column) if n else column} = ?" for n, (column, _) in enumerate(terms)]
    return " AND ".join(where or [database.TRUE if database else "1"]), tuple(value for _, value in terms)
