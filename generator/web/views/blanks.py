"""The blank workbooks of every kind, to download and fill."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse

from generator.spec import kinds
from generator.spec.paths import XLSX_DIR
from generator.web.desk import page
from generator.web.texts import content_disposition


async def blanks(request: Request):
    return page(request, "blanks.html")


async def blank(request: Request):
    kind = kinds.get(request.path_params["kind"])
    if kind is None:
        raise HTTPException(404)
    return FileResponse(XLSX_DIR / f"{kind.id}.xlsx", headers={"content-disposition": content_disposition(f"{kind.id}.xlsx")})
