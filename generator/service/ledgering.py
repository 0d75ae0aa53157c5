"""A build's result, as the ledger records it: the ledger stores plain values and knows no Result."""

from __future__ import annotations

import glob
from pathlib import Path

from generator.spec.codes import EVIDENCE, LOST
from generator.records.ledger import EVIDENCE_REFUSED, MEMO_REUSED, UNPROCESSABLE, Ledger, Record
from generator.records.register import Register
from generator.service.result import Result
from generator.spec.memo import number as memo_text
from generator.spec.status import BUILT, DONE, DUPLICATE, REJECTED

ARCHIVE_DIR, REJECTED_DIR = "archive", "rejected"  # beside the inbox: built files, refused files


def note_of(result: Result) -> str | None:
    """What the ledger notes of a result, so that the same bytes are not held against a later try: a file the
    service could not process, or one refused for its evidence alone; and a letter given again under its memo."""
    if result.memo_reused:
        return MEMO_REUSED
    if any(i.code in LOST for i in result.issues):
        return UNPROCESSABLE
    if result.status == REJECTED and any(i.code.startswith(EVIDENCE) for i in result.issues):
        return EVIDENCE_REFUSED
    return None


def finish(ledger: Ledger, id: int, result: Result, *, moved_to: str | None = None, note: str | None = None,
           seconds: float | None = None, owner: str | None = None) -> None:
    """Close a ledger entry with a build's result (fenced by `owner`: Ledger.finish)."""
    ledger.finish(id, result.status, memo=result.memo, kind=result.kind, office=result.office,
                  fiscal_year=result.fiscal_year, period=result.period, outputs=result.outputs, moved_to=moved_to,
                  note=note if note is not None else note_of(result), seconds=seconds, details=result.as_dict(),
                  owner=owner)


def moved(inbox: Path, name: str) -> tuple[str, str] | None:
    """(ARCHIVE_DIR or REJECTED_DIR, the path) where a file of this name went from the inbox, the newest; None
    when it is in neither."""
    for where in (ARCHIVE_DIR, REJECTED_DIR):
        top = inbox / where
        found = sorted([*top.glob(glob.escape(name)), *top.glob(f"*/{glob.escape(name)}")],
                       key=lambda p: p.stat().st_mtime) if top.is_dir() else []
        if found:
            return where, str(found[-1])
    return None


def finish_duplicate(ledger: Ledger, id: int, earlier: Record, moved_to: str | None, why: str = "", **more) -> None:
    """Entry `id` closed as a duplicate of `earlier` (the same bytes, handled before): its memo, report and outputs."""
    ledger.finish(id, DUPLICATE, memo=earlier.memo, kind=earlier.kind, office=earlier.office,
                  fiscal_year=earlier.fiscal_year, period=earlier.period, outputs=earlier.outputs, moved_to=moved_to,
                  note=f"same content as ledger entry {earlier.id}{why}", details=earlier.details, **more)


def close_moved(ledger: Ledger, register: Register, record: Record, inbox: Path, owner: str, *, why: str) -> None:
    """An entry whose file was moved on before the entry was closed (its service stopped, or the database could
    not be written, between the two): built with its memo when the register issued one for it, rejected when
    the file was set aside, else done, with any serial it still held taken back."""
    went = moved(inbox, record.name)
    if (entry := register.issued_for(record.id)) is not None:
        ledger.finish(record.id, BUILT, memo=memo_text(entry.prefix, entry.serial), kind=entry.kind,
                      office=entry.office, fiscal_year=entry.fiscal_year, period=entry.period,
                      moved_to=went[1] if went and went[0] == ARCHIVE_DIR else None, note=f"built; {why}")
        return
    earlier = ledger.done_with(record.file_hash)
    if earlier is not None and earlier.id != record.id and went is not None and went[0] == (
            ARCHIVE_DIR if earlier.status == BUILT else REJECTED_DIR):  # the same bytes again, moved as intake does
        finish_duplicate(ledger, record.id, earlier, went[1], f"; {why}")
    elif went is not None and went[0] == REJECTED_DIR:
        ledger.finish(record.id, REJECTED, moved_to=went[1], note=f"rejected; {why}")
    else:
        ledger.finish(record.id, DONE, note="interrupted after the file was moved")
    register.take_over([record.id], owner)
