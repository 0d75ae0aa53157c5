"""The error pages: what went wrong, in Bangla with English beneath, in the site's layout."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from generator.records.state import StateError
from generator.web.desk import page
from generator.web.texts import ERRORS

log = logging.getLogger("gen.web")


async def http_error(request: Request, exc: Exception):
    assert isinstance(exc, HTTPException)  # the handler of HTTPException only
    detail = exc.detail if isinstance(exc.detail, str) and " / " in exc.detail else \
        ERRORS.get(exc.status_code, ERRORS[404])
    bn, _, en = detail.partition(" / ")
    return page(request, "error.html", exc.status_code, bn=bn, en=en)


async def server_error(request: Request, exc: Exception):
    """A fault: said as what it is, the records folder when that is it, never with a claim nothing checked."""
    status = 503 if isinstance(exc, (StateError, OSError)) else 500
    log.error("%s %s failed: %r", request.method, request.url.path, exc)
    bn, _, en = ERRORS[status].partition(" / ")
    return page(request, "error.html", status, bn=bn, en=en)


def error_page(scope, status: int, bn: str, en: str) -> Response:
    """An error page for the middleware, which has no request of the app's own."""
    return page(Request(scope), "error.html", status, bn=bn, en=en)
