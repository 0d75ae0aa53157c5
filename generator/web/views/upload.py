"""The upload form: a workbook (and, where the server makes PDFs, its evidence) through the same pipeline as
the watch folder, built in the background; the clerk is taken to the submission's page, or to the page that says
it is building (views/progress.py; building.py: the same content sent again joins it)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from generator.records.state import StateError
from generator.spec.status import FAILED
from generator.web import building, evidence, uploads
from generator.web.desk import check_csrf, desk, page
from generator.web.texts import earlier, is_workbook, too_large
from generator.xlsx.reading import OLE_SIGNATURE, OTHER_FORMATS, PASSWORD_PROTECTED

log = logging.getLogger("gen.web")
DOUBLE_CLICK = dt.timedelta(minutes=2)  # the same bytes uploaded again this soon: the same submission


async def upload(request: Request):
    if request.method == "GET":
        return page(request, "upload.html")
    shared = desk(request)
    try:
        form = await evidence.read_form(request, workbook_cap=shared.max_upload, evidence_cap=shared.max_evidence,
                                        evidence=shared.pdf is not None or shared.queued)
        await check_csrf(request, form)
        proof = evidence.chosen(form)
    except evidence.Refused as e:
        return page(request, "upload.html", e.status, error=(e.bn, e.en))
    if len([f for f in form.getlist("workbook") if isinstance(f, UploadFile) and f.filename]) > 1:  # not our form's
        return page(request, "upload.html", 400, error=(
            "একবারে একটি ওয়ার্কবুক পাঠান; প্রতিটি ওয়ার্কবুক আলাদা জমা।",
            "Send one workbook at a time: each workbook is a submission of its own."))
    file = form.get("workbook")
    if not isinstance(file, UploadFile) or not file.filename:
        return page(request, "upload.html", 400, error=("কোনো ফাইল বাছাই করা হয়নি।", "No file chosen."))
    data = await file.read()
    name = Path(file.filename).name
    suffix = Path(name).suffix.lower()
    if len(data) > shared.max_upload:
        return page(request, "upload.html", 413, error=too_large(shared.max_upload))
    if suffix in OTHER_FORMATS:
        return page(request, "upload.html", 415, error=(
            f"'{name}' ফাইলটি {suffix} ধরনের; Excel-এ খুলে .xlsx হিসেবে সংরক্ষণ করে আবার দিন।",
            f"'{name}' is a {suffix} file; open it in Excel, save it as .xlsx and upload that."))
    if suffix in (".xlsx", ".xlsm") and data.startswith(OLE_SIGNATURE):
        return page(request, "upload.html", 415, error=(f"'{name}': {PASSWORD_PROTECTED[0]}", f"'{name}': {PASSWORD_PROTECTED[1]}"))
    if suffix not in (".xlsx", ".xlsm") or not is_workbook(data):
        return page(request, "upload.html", 415, error=(
            f"'{name}' একটি Excel ওয়ার্কবুক (.xlsx) নয়। 'ফাঁকা ছক' থেকে নেওয়া ছক পূরণ করে দিন।",
            f"'{name}' is not an Excel workbook (.xlsx). Fill a blank workbook from this site."))
    key = building.content_key(data, [(f.filename or "", f.size or 0) for f in proof])
    joined = shared.flights.joined(key)
    if joined is not None and (not joined.done or _moments_ago(request, joined.id) or _waiting(joined)):
        return await _answer(request, joined, proof)  # a double click, or a file kept to be tried again: one submission
    flight = building.Flight(uploads.new_tag(shared), name, evidence=bool(proof))
    shared.flights.add(key, flight)  # before any await: the same content arriving meanwhile joins this one
    try:
        kept, folder = await run_in_threadpool(uploads.keep, shared, name, data, proof, flight.tag)
    except OSError as e:  # nothing was kept: say so, never that it is safe
        log.error("upload %s not kept: %s", ascii(name), e)
        shared.flights.drop(key)
        return page(request, "upload.html", 503, error=NOT_KEPT)
    flight.kept = kept
    if shared.queued:  # into the queue; its page says queued, then building, then sends the clerk to the result
        await run_in_threadpool(enqueue, shared, flight)
        return RedirectResponse(f"/uploads/{flight.tag}", status_code=303)
    flight.task = asyncio.create_task(building.run(flight, lambda: uploads.build(shared, kept, folder)))
    return await _answer(request, flight, proof)


def enqueue(shared, flight: building.Flight) -> None:
    """Queue a kept upload; a queue out of reach is noted on the flight (its page tries again)."""
    assert flight.kept is not None
    flight.error, flight.finished = None, None
    try:
        uploads.enqueue(shared, flight.kept)
    except StateError as e:
        log.error("upload %s not queued: %s", ascii(flight.name), e.en)
        flight.error, flight.finished = e, time.time()


NOT_KEPT = ("ফাইলটি রাখা যায়নি: সার্ভার তার নিজের ফোল্ডারে লিখতে পারছে না (ডিস্ক ভর্তি বা শুধু-পড়ার)। কিছুই জমা হয়নি; "
            "প্রশাসককে জানান, তারপর আবার পাঠান।",
            "The file could not be kept: the server cannot write to its own folder (the disk is full or read-only). "
            "Nothing was submitted; tell the administrator, then send it again.")


async def _answer(request: Request, flight: building.Flight, proof) -> Response:
    """The submission's page when the build is done within moments, else the page that says it is building."""
    if flight.task is not None and not flight.done:
        await asyncio.wait([flight.task], timeout=desk(request).answer_within)
    if flight.done and flight.id is not None:
        return RedirectResponse(submission_url(request, flight.id, bool(proof)), status_code=303)
    return RedirectResponse(f"/uploads/{flight.tag}", status_code=303)


def _waiting(flight: building.Flight) -> bool:
    """Kept, and not built only because the records could not be written: its page tries it again."""
    return flight.id is None and isinstance(flight.error, StateError) and flight.kept is not None and flight.kept.exists()


def _moments_ago(request: Request, id: int | None) -> bool:
    """Whether submission `id` came in moments ago (a double click joins it); never one that failed for the service's
    own reason (a full disk, the records out of reach): the same file sent again once that is put right is built."""
    record = desk(request).record(id) if id is not None else None
    if record is None or record.status == FAILED:
        return False
    received = dt.datetime.fromisoformat(record.received_at)
    received = received if received.tzinfo else received.replace(tzinfo=dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc) - received < DOUBLE_CLICK


def submission_url(request: Request, id: int, with_evidence: bool) -> str:
    shared = desk(request)
    record = shared.record(id)
    if with_evidence and record is not None and record.status == "duplicate":  # its own page, however soon after:
        return f"/submissions/{id}?evidence=unused"  # the first did not carry this evidence
    return f"/submissions/{_first_of_a_double_click(request, id)}"


def _first_of_a_double_click(request: Request, id: int) -> int:
    """The same file sent twice within moments (a double-click on the button) shows the first one's page,
    not a 'duplicate' of the clerk's own upload."""
    shared = desk(request)
    record = shared.record(id)
    earlier_id = earlier(record) if record else None
    first = shared.record(earlier_id) if earlier_id else None
    if first is None or first.route != "web":
        return id
    age = dt.datetime.fromisoformat(record.received_at) - dt.datetime.fromisoformat(first.received_at)
    return first.id if age < DOUBLE_CLICK else id
