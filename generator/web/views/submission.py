"""One submission: its findings, score table and files; a file to download; next period's workbook."""

from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse

from generator.records.ledger import MEMO_REUSED
from generator.service.result import only_lost
from generator.web import downloads, next_workbook
from generator.web.desk import desk, page, record_or_404
from generator.web.texts import content_disposition, download_name, earlier


async def submission(request: Request):
    record = record_or_404(request)
    files = [(i, Path(p).name) for i, p in enumerate(record.outputs)]
    details = record.details or {}
    issues = sorted(details.get("issues") or [], key=lambda i: i["severity"] != "error")  # errors first
    marked = next((i for i, name in files if name.endswith(".annotated.xlsx")), None)
    repeated = earlier(record)
    shared = desk(request)
    first = shared.record(repeated) if repeated else None
    return page(request, "detail.html", record=record, files=files, details=details, issues=issues,
                errors=sum(i["severity"] == "error" for i in issues), marked=marked,
                warnings=sum(i["severity"] != "error" for i in issues),
                earlier=repeated, earlier_record=first,
                next_offered=next_workbook.offered(record), next_source=next_workbook.source_of(record),
                downloads=downloads.listing(record.outputs), evidence_refused=downloads.evidence_refused(issues),
                later=shared.later_letter(first if first is not None and record.status == "duplicate" else record),
                reused=record.status == "built" and record.note == MEMO_REUSED,
                whole_file=not any(i.get("cell") for i in issues if i["severity"] == "error"),
                service_stopped=only_lost([i.get("code") for i in issues if i.get("severity") == "error"]),
                evidence_unused=request.query_params.get("evidence") == "unused")


async def download(request: Request):
    record = record_or_404(request)
    index = int(request.path_params["n"])
    if not 0 <= index < len(record.outputs):
        raise HTTPException(404)
    path = (desk(request).out_root / record.outputs[index]).resolve()  # relative to the store once moved (migrate)
    if not path.is_relative_to(desk(request).out_root) or not path.is_file():
        raise HTTPException(404)
    return FileResponse(path, headers={"content-disposition": content_disposition(download_name(record, path))})


async def next_period(request: Request):
    return await run_in_threadpool(next_workbook.response, record_or_404(request))
