"""A build's result, as the ledger records it: the ledger stores plain values and knows no Result."""

from __future__ import annotations

from generator.spec.codes import EVIDENCE, LOST
from generator.records.ledger import EVIDENCE_REFUSED, UNPROCESSABLE, Ledger
from generator.service.result import Result
from generator.spec.status import REJECTED


def note_of(result: Result) -> str | None:
    """What the ledger notes of a result, so that the same bytes are not held against a later try: a file the
    service could not process, or one refused for its evidence alone."""
    if any(i.code in LOST for i in result.issues):
        return UNPROCESSABLE
    if result.status == REJECTED and any(i.code.startswith(EVIDENCE) for i in result.issues):
        return EVIDENCE_REFUSED
    return None


def finish(ledger: Ledger, id: int, result: Result, *, moved_to: str | None = None, note: str | None = None,
           seconds: float | None = None) -> None:
    """Close a ledger entry with a build's result."""
    ledger.finish(id, result.status, memo=result.memo, kind=result.kind, office=result.office,
                  fiscal_year=result.fiscal_year, period=result.period, outputs=result.outputs, moved_to=moved_to,
                  note=note if note is not None else note_of(result), seconds=seconds, details=result.as_dict())
