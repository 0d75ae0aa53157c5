"""The receiving office's view of one period, from the ledger: each office's current submission with its
score and rank within its kind, who is late, who has not reported, and each indicator across offices.

`collect` gives the data; summary_docs.py writes it as a workbook and a Word document; `gen summary` and
the web page's /summary show it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from generator.spec import kinds
from generator.records import store
from generator.text.bangla import FiscalYear, Period, to_ascii_digits
from generator.text.clock import DHAKA
from generator.records.ledger import Ledger, Record
from generator.periods.roster import office_key


# APAMS deadlines: (years after the fiscal year's first July, month, day); a report received on the
# deadline's day (Dhaka time) is on time
DEADLINES = {"q1": (0, 10, 15), "q2": (1, 1, 15), "h1": (1, 1, 15), "q3": (1, 4, 15), "q4": (1, 7, 15),
             "annual": (1, 7, 15)}

SUBMITTED, LATE, MISSING = "submitted", "late", "missing"
STATUS_BN = {SUBMITTED: "জমা হয়েছে", LATE: "বিলম্বে", MISSING: "জমা হয়নি"}
STATUS_EN = {SUBMITTED: "submitted", LATE: "late", MISSING: "not submitted"}


def deadline(fy: FiscalYear, period: Period) -> dt.date:
    years, month, day = DEADLINES[period.id]
    return dt.date(fy.start + years, month, day)


@dataclass
class Row:
    """One office's line: its current submission, or none."""

    kind: str | None
    office: str
    status: str
    memo: str | None = None
    received: dt.datetime | None = None  # when the office delivered it (Dhaka time)
    total: float | None = None
    possible: float | None = None
    percent: float | None = None
    rank: int | None = None
    warnings: int = 0
    documents: str | None = None  # the version's folder
    ledger_id: int | None = None
    listed: bool | None = None  # on the roster (None: no roster given)
    scores: list[dict] = field(default_factory=list)  # the score card's rows

    @property
    def kind_bn(self) -> str:
        return kinds.KINDS[self.kind].plan if self.kind in kinds.KINDS else (self.kind or "")


@dataclass
class Indicator:
    """One indicator of a kind across the offices that reported it."""

    number: str
    weight: float | None
    scores: dict[str, float | None]  # office → score (None: not counted in that report)

    @property
    def counted(self) -> list[float]:
        return [s for s in self.scores.values() if s is not None]

    @property
    def full(self) -> int:
        return sum(1 for s in self.counted if self.weight is not None and s >= self.weight - 0.005)

    @property
    def missed(self) -> int:
        return len(self.counted) - self.full

    @property
    def zero(self) -> int:
        return sum(1 for s in self.counted if s == 0)

    @property
    def average_percent(self) -> float | None:
        if not self.counted or not self.weight:
            return None
        return round(100 * sum(self.counted) / (len(self.counted) * self.weight), 2)


@dataclass
class Summary:
    fiscal_year: FiscalYear
    period: Period
    kind: str | None
    deadline: dt.date
    rows: list[Row]
    roster: list[str] | None = None
    unlisted: list[str] = field(default_factory=list)  # offices that reported but are not on the roster

    @property
    def kinds(self) -> list[str]:
        return list(dict.fromkeys(r.kind for r in self.rows if r.kind))

    def indicators(self, kind: str) -> list[Indicator]:
        """Each indicator of `kind` across the offices' current submissions, the one most offices missed
        first (then in plan order)."""
        found: dict[str, Indicator] = {}
        for row in self.rows:
            if row.kind != kind or row.status == MISSING:
                continue
            for scored in row.scores:
                number = office_key(scored.get("indicator_no") or "")
                if not number:
                    continue
                ind = found.setdefault(number, Indicator(number, scored.get("weight"), {}))
                ind.scores[row.office] = scored.get("score")
        order = {n: i for i, n in enumerate(found)}
        return sorted(found.values(), key=lambda i: (-i.missed, order[i.number]))

    def offices(self, kind: str) -> list[str]:
        return [r.office for r in self.rows if r.kind == kind and r.status != MISSING]


def received_at(record: Record) -> dt.datetime:
    when = dt.datetime.fromisoformat(record.received_at)
    return (when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)).astimezone(DHAKA)


def _serial(memo: str) -> tuple[str, int]:
    """(prefix, serial) of a memo number: the serial is its last run of digits."""
    ascii_memo = to_ascii_digits(memo)
    found = re.search(r"([0-9]+)$", ascii_memo)
    return (memo[:found.start()], int(found.group(1))) if found else (memo, -1)


def _current_memo(folder: Path | None) -> str | None:
    """The memo of the report's current version, as its CURRENT.txt names it."""
    if folder is None:
        return None
    try:
        text = (folder / store.CURRENT).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = re.search(r"^memo: (.+)$", text, re.M)
    return found.group(1).strip() if found else None


def _report_folder(records: list[Record], out_root: Path | None) -> Path | None:
    """The report's folder in the store: under OUT when given, else the one its documents were written to
    (versions/<memo>/<file> → the report's folder)."""
    r = records[-1]
    if out_root is not None:
        return Path(out_root) / (r.fiscal_year or "") / store.office_folder(r.office or "") / f"{r.kind}-{r.period}"
    outputs = [Path(p) for rec in reversed(records) for p in rec.outputs]
    return outputs[0].parents[2] if outputs and len(outputs[0].parents) > 2 else None


def current(records: list[Record], out_root: Path | None = None) -> list[Record]:
    """Of one office's built entries of one kind and period, those of its current version: the memo the
    store's CURRENT.txt names, else (no store at hand) the highest serial under the newest entry's memo
    prefix, as the store itself decides. Several entries when the same content was delivered again."""
    memo = _current_memo(_report_folder(records, out_root))
    chosen = [r for r in records if r.memo == memo] if memo else []
    if not chosen:
        prefix = _serial(records[-1].memo or "")[0]
        same = [r for r in records if _serial(r.memo or "")[0] == prefix]
        best = max(_serial(r.memo or "")[1] for r in same)
        chosen = [r for r in same if _serial(r.memo or "")[1] == best]
    return chosen


def _row(records: list[Record], due: dt.date) -> Row:
    first, last = records[0], records[-1]  # the first delivery of this version counts for the deadline
    when = received_at(first)
    details = last.details or {}
    score = details.get("score") or {}
    possible = last.score_possible
    percent = score.get("percent")
    if percent is None and possible:
        percent = round(100 * (last.score_total or 0) / possible, 2)
    warnings = sum(1 for i in details.get("issues") or [] if i.get("severity") == "warning")
    return Row(kind=last.kind, office=office_key(last.office or ""), memo=last.memo, received=when,
               status=LATE if when.date() > due else SUBMITTED, total=last.score_total, possible=possible,
               percent=percent, warnings=warnings, ledger_id=last.id,
               documents=str(Path(last.outputs[0]).parent) if last.outputs else None,
               scores=list(score.get("rows") or []))


def _rank(rows: list[Row]) -> None:
    """Rank within the kind by the computed percentage (ties share a rank: 1, 1, 3); unscored rows get none."""
    by_kind: dict[str | None, list[Row]] = {}
    for row in rows:
        if row.percent is not None and row.status != MISSING:
            by_kind.setdefault(row.kind, []).append(row)
    for group in by_kind.values():
        group.sort(key=lambda r: -(r.percent or 0.0))
        for i, row in enumerate(group):
            row.rank = group[i - 1].rank if i and row.percent == group[i - 1].percent else i + 1


def collect(state_dir: Path, fy: FiscalYear, period: Period, *, kind: str | None = None,
            roster: list[str] | None = None, out_root: Path | None = None) -> Summary:
    with Ledger(state_dir) as ledger:
        records = [r for r in ledger.built(fy.slug, period.id, kind) if r.kind in kinds.KINDS and r.office]
    # the filter above makes every record's kind and office a str
    due = deadline(fy, period)
    groups: dict[tuple[str, str], list[Record]] = {}
    for r in records:
        groups.setdefault((str(r.kind), office_key(str(r.office))), []).append(r)
    rows = [_row(current(group, out_root), due) for group in groups.values()]
    summary = Summary(fy, period, kind, due, rows, roster)
    if roster is not None:
        listed = set(roster)
        for row in rows:
            row.listed = row.office in listed
        summary.unlisted = sorted({r.office for r in rows if not r.listed})
        wanted: list[str | None] = [kind] if kind else list(summary.kinds)
        for k in wanted or [None]:
            have = {r.office for r in rows if r.kind == k}
            rows += [Row(kind=k, office=name, status=MISSING, listed=True) for name in roster if name not in have]
    _rank(rows)
    order = {k: i for i, k in enumerate(kinds.KINDS)}
    rows.sort(key=lambda r: (order.get(r.kind or "", len(order)), r.status == MISSING, r.rank is None,
                             r.rank or 0, r.office))
    return summary
