"""The button on a built submission's page: next period's workbook, made from the workbook the office sent."""

from __future__ import annotations

import threading
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import Response

from generator.service import intake
from generator.spec import kinds
from generator.records import store
from generator.web.texts import content_disposition

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GONE = ("এই জমার মূল ওয়ার্কবুকটি সার্ভারে আর রাখা নেই, তাই এখান থেকে পরের সময়ের ছক বানানো যাচ্ছে না। আপনার কাছে থাকা "
        "ওয়ার্কবুকটি আবার আপলোড করুন: একই ফাইল হলে নতুন স্মারক লাগবে না, আর তার পাতায় বোতামটি আসবে।",
        "The workbook of this submission is no longer kept on the server, so the next period's workbook cannot be "
        "made from here. Upload your own copy of the workbook again: the same file needs no new memo, and the button "
        "appears on its page.")


BUSY = ("সার্ভার এখন অন্য একটি পরের সময়ের ছক বানাচ্ছে; একটু পরে আবার চেষ্টা করুন।",
        "The server is making another next period's workbook; try again in a moment.")
# made in the server's own process (reading a workbook and writing one: some 100 MB and a second each), so one at a
# time: forty at once held 1.2 GB and kept every page waiting (a hostile review)
_MAKING = threading.BoundedSemaphore(1)
WAIT_SECONDS = 30


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
    from generator.periods import next_period  # with openpyxl: imported when asked, not at every start

    if not _MAKING.acquire(timeout=WAIT_SECONDS):
        raise HTTPException(503, " / ".join(BUSY))
    try:
        data, made = next_period.make(source)
    except next_period.Refused as e:
        first = e.findings[0]
        raise HTTPException(422, f"{first.bn} / {first.en}") from None
    finally:
        _MAKING.release()
    name = intake.fit(store.safe_name(record.office or "", "office"), f" {made.file_name}")
    return Response(data, media_type=XLSX, headers={"content-disposition": content_disposition(name)})
