"""/uploads/<tag>: an upload being built. The page says so and looks again by itself (web/script.py)
until it sends the clerk to the submission; or it says what failed, and only what was checked."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse

from generator.records.held_register import RegisterReplaced
from generator.records.state import StateError
from generator.web import building, evidence, uploads
from generator.web.desk import desk, page
from generator.web.views.upload import NOT_KEPT, enqueue, submission_url


async def progress(request: Request):
    """/uploads/<tag>: building (the page looks again by itself), or off to the submission, or what failed."""
    shared = desk(request)
    tag = request.path_params["tag"]
    flight = shared.flights.get(tag)
    if flight is None:
        flight = await run_in_threadpool(_left_over, shared, tag)
        if flight is None:
            raise HTTPException(404, "এমন কোনো আপলোড এখন তৈরি হচ্ছে না; জমার তালিকা দেখুন। / "
                                     "No such upload is being built; look at the submissions list.")
        if not shared.queued:  # one a restarted server took up (uploads.recover): where the ledger has it
            return await _taken_up(request, shared, flight)
    if shared.queued:
        return await _queued(request, shared, flight)
    if not flight.done:
        return page(request, "building.html", flight=flight, refresh=REFRESH)
    if flight.id is not None:
        return RedirectResponse(submission_url(request, flight.id, flight.evidence), status_code=303)
    kept = flight.kept is not None and flight.kept.exists()
    waits = isinstance(flight.error, StateError) and not isinstance(flight.error, RegisterReplaced)  # mended by time
    if kept and waits and time.time() - (flight.finished or 0) > RETRY_AFTER:
        retry(shared, flight)  # the records may be writable again: this page looks again by itself
        return page(request, "building.html", flight=flight, refresh=REFRESH)
    if not kept:
        error = NOT_KEPT
    elif isinstance(flight.error, RegisterReplaced):  # not to be waited out: the administrator must restore it
        error = (flight.error.bn, flight.error.en)
    elif isinstance(flight.error, StateError):
        error = ("সার্ভার এখন ব্যস্ত বা তার রেকর্ড লিখতে পারছে না, তাই এখনো তৈরি হয়নি। ফাইলটি রাখা আছে; এই পাতা নিজে থেকে "
                 "আবার চেষ্টা করবে। অনেকক্ষণ এমন থাকলে প্রশাসককে জানান।",
                 "The server is busy or cannot write its records, so it is not built yet. Your file is kept; this "
                 "page tries again by itself. If it stays like this, tell the administrator.")
    else:
        error = ("সার্ভারের ত্রুটিতে ফাইলটি তৈরি করা যায়নি; ত্রুটি আপনার ফাইলের নয়। ফাইলটি রাখা আছে এবং সার্ভার আবার চালু হলে "
                 "তৈরি হবে। প্রশাসককে জানান।",
                 "The file could not be built because of a fault in the server, not in your file. It is kept and "
                 "will be built when the server starts again. Tell the administrator.")
    return page(request, "building.html", 503, flight=flight, error=error,
                refresh=RETRY_AFTER + 1 if waits and kept else None)


async def _queued(request: Request, shared, flight: building.Flight):
    """An upload in the job queue (a PostgreSQL state), whichever server took it: queued, then building, then
    off to its submission; a queue out of reach is tried again from here."""
    if isinstance(flight.error, StateError) and time.time() - (flight.finished or 0) > RETRY_AFTER:
        await run_in_threadpool(enqueue, shared, flight)
    if isinstance(flight.error, StateError):
        return page(request, "building.html", 503, flight=flight, error=BUSY, refresh=RETRY_AFTER + 1)
    assert flight.kept is not None  # a queued flight is always kept first
    try:
        where, id = await run_in_threadpool(uploads.status, shared, flight.kept)
    except StateError:
        return page(request, "building.html", 503, flight=flight, error=BUSY, refresh=RETRY_AFTER + 1)
    if where == "done" and id is not None:
        flight.id, flight.finished = id, time.time()
        return RedirectResponse(submission_url(request, id, flight.evidence), status_code=303)
    if where == "lost":
        return page(request, "building.html", 503, flight=flight, error=NOT_KEPT)
    return page(request, "building.html", flight=flight, refresh=REFRESH, queued=where == "queued")


async def _taken_up(request: Request, shared, flight: building.Flight):
    """An upload this server found waiting when it started (it was restarted while the upload was built): off
    to its submission once built or rejected; building meanwhile; waiting, and saying why, when it carries
    evidence and this server makes no PDFs (uploads.recover leaves it for one that does)."""
    assert flight.kept is not None  # a left-over flight is always a kept file
    waiting = flight.kept.parent == shared.uploads  # not yet moved to archive/ or rejected/
    if waiting and shared.pdf is None and evidence.kept_for(shared.evidence, flight.kept):
        # whatever the ledger says (a killed server's entry stays 'processing'): this server will not build it
        return page(request, "building.html", 503, flight=flight, error=NEEDS_PDFS, refresh=RETRY_AFTER + 1)
    try:
        where, id = await run_in_threadpool(uploads.status, shared, flight.kept)
    except StateError:
        return page(request, "building.html", 503, flight=flight, error=BUSY, refresh=RETRY_AFTER + 1)
    if where == "done" and id is not None:
        return RedirectResponse(submission_url(request, id, False), status_code=303)
    return page(request, "building.html", flight=flight, refresh=REFRESH)


NEEDS_PDFS = ("এই আপলোডের সঙ্গে প্রমাণক ফাইল আছে, যা কেবল PDF তৈরি করে এমন সার্ভার বান্ডেলে যোগ করতে পারে; এই সার্ভার এখন "
              "PDF তৈরি করে না। ফাইলগুলো রাখা আছে এবং সার্ভার PDF-সহ চালু হলে তৈরি হবে। প্রশাসককে জানান।",
              "This upload has evidence files, which only a server that makes PDFs can put in the bundle; this server "
              "makes none now. The files are kept and are built when the server runs with PDFs again. Tell the "
              "administrator.")
BUSY = ("সার্ভার এখন ব্যস্ত বা তার রেকর্ড লিখতে পারছে না, তাই এখনো তৈরি হয়নি। ফাইলটি রাখা আছে; এই পাতা নিজে থেকে "
        "আবার চেষ্টা করবে। অনেকক্ষণ এমন থাকলে প্রশাসককে জানান।",
        "The server is busy or cannot write its records, so it is not built yet. Your file is kept; this "
        "page tries again by itself. If it stays like this, tell the administrator.")


def _left_over(shared, tag: str) -> building.Flight | None:
    """An upload this server did not receive itself (it was restarted meanwhile, or, with the queue, another
    server took it) but is building, or will build, from the uploads folder, or one already built or rejected
    and moved beside it (its archive/ or rejected/)."""
    if not (len(tag) == 8 and all(c in "0123456789abcdef" for c in tag)) or not shared.uploads.is_dir():
        return None
    for _ in range(2):  # once more: moved on (into an archive/<day>/ made meanwhile) between two of the looks
        for folder in _places(shared.uploads):
            found = [p for p in folder.iterdir() if p.name.startswith(f"{tag}-") and p.suffix.lower() in
                     (".xlsx", ".xlsm")] if folder.is_dir() else []
            if found:  # the upload itself, not the NAME.annotated.xlsx beside it in rejected/
                waiting = min(found, key=lambda p: len(p.name))
                return building.Flight(tag, waiting.name.split("-", 1)[1], waiting)
    return None


def _places(uploads: Path):
    """Where a kept upload may be, in the order it moves through them: kept, then set aside or archived (the
    archive's day folders listed only when looked in, so that one made as the upload moved there is seen)."""
    yield uploads
    yield uploads / "rejected"
    yield from sorted((uploads / "archive").glob("*"), reverse=True)


def retry(shared, flight: building.Flight) -> None:
    flight.error, flight.finished = None, None
    folder = evidence.folder_of(shared.evidence, flight.tag)
    kept = flight.kept
    assert kept is not None  # retried only when kept
    flight.task = asyncio.create_task(building.run(flight, lambda: uploads.build(shared, kept, folder)))


RETRY_AFTER = 5  # seconds before a build the records refused is tried again, when its page is looked at
REFRESH = 2  # seconds between looks at a build, by the browser itself


