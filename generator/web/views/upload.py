"""The upload form: a workbook (and, where the server makes PDFs, its evidence) through the same pipeline as
the watch folder; the clerk is taken to the submission's page."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse

from generator.records.state import StateError
from generator.web import evidence, uploads
from generator.web.desk import check_csrf, desk, page
from generator.web.texts import earlier, is_workbook, too_large
from generator.xlsx.reading import OTHER_FORMATS

log = logging.getLogger("gen.web")
DOUBLE_CLICK = dt.timedelta(minutes=2)  # the same bytes uploaded again this soon: the same submission


async def upload(request: Request):
    if request.method == "GET":
        return page(request, "upload.html")
    shared = desk(request)
    try:
        form = await evidence.read_form(request, workbook_cap=shared.max_upload, evidence_cap=shared.max_evidence,
                                        evidence=shared.pdf is not None)
        await check_csrf(request, form)
        proof = evidence.chosen(form)
    except evidence.Refused as e:
        return page(request, "upload.html", e.status, error=(e.bn, e.en))
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
    if suffix not in (".xlsx", ".xlsm") or not is_workbook(data):
        return page(request, "upload.html", 415, error=(
            f"'{name}' একটি Excel ওয়ার্কবুক (.xlsx) নয়। 'ফাঁকা ছক' থেকে নেওয়া ছক পূরণ করে দিন।",
            f"'{name}' is not an Excel workbook (.xlsx). Fill a blank workbook from this site."))
    try:
        id = await run_in_threadpool(uploads.receive, shared, name, data, proof)
    except StateError as e:  # the file is kept in the uploads folder and built when the server starts again
        log.error("upload %s not built: %s", ascii(name), e)
        return page(request, "upload.html", 503, error=(
            "সার্ভার এখন ব্যস্ত; আপনার ফাইলটি রাখা আছে এবং পরে তৈরি হবে। কিছুক্ষণ পরে জমার তালিকা দেখুন।",
            "The server is busy; your file is kept and will be built. Look at the submissions again shortly."))
    if id is None:
        return page(request, "upload.html", 500, error=("ফাইলটি হারিয়ে গেছে; আবার জমা দিন।",
                                                        "The file went missing while it was handled; submit it again."))
    shown = _first_of_a_double_click(request, id)
    record = shared.record(id)
    unused = "?evidence=unused" if proof and shown == id and record and record.status == "duplicate" else ""
    return RedirectResponse(f"/submissions/{shown}{unused}", status_code=303)


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
