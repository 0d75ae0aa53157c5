"""The button on a built submission's page: next period's workbook, made from the workbook the office sent."""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import Response

from generator.service import intake
from generator.spec import kinds
from generator.periods import next_period
from generator.records import store
from generator.web.texts import content_disposition

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GONE = ("এই জমার মূল ওয়ার্কবুকটি সার্ভারে রাখা নেই (সরানো বা মুছে ফেলা হয়েছে, অথবা 'gen build' দিয়ে তৈরি, যা মূল ফাইলের কপি "
        "রাখে না)। নিজের কপি থেকে 'gen next' চালান, অথবা ফাইলটি আবার আপলোড করুন।",
        "The workbook of this submission is not kept on the server (it was moved or deleted, or built by 'gen build', "
        "which keeps no copy). Run 'gen next' on your own copy, or upload it again.")


def offered(record) -> bool:
    """A submission with a next period: built (or the same file as a built one), of a kind with periods."""
    kind = kinds.get(record.kind)
    return bool(record.memo) and record.status in ("built", "duplicate") and kind is not None and bool(kind.periods)


def source_of(record) -> Path | None:
    """The submitted workbook as archived when it was built, if it is still there."""
    path = Path(record.moved_to) if record.moved_to else None
    return path if path is not None and path.is_file() else None


def response(record) -> Response:
    """The next workbook as a download; an error page's HTTPException when there is none."""
    if not offered(record):
        raise HTTPException(404)
    source = source_of(record)
    if source is None:
        raise HTTPException(410, " / ".join(GONE))
    try:
        data, made = next_period.make(source)
    except next_period.Refused as e:
        first = e.findings[0]
        raise HTTPException(422, f"{first.bn} / {first.en}") from None
    name = intake.fit(store.safe_name(record.office or "", "office"), f" {made.file_name}")
    return Response(data, media_type=XLSX, headers={"content-disposition": content_disposition(name)})
