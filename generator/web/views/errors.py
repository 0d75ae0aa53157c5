"""The error pages: what went wrong, in Bangla with English beneath, in the site's layout."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from generator.records.state import SchemaTooNew, StateError, is_url
from generator.web.desk import page
from generator.web.texts import DATABASE_DOWN, DATABASE_DOWN_SENT, ERRORS, RETRY_S, SCHEMA_NEWER

log = logging.getLogger("gen.web")


async def http_error(request: Request, exc: Exception):
    assert isinstance(exc, HTTPException)  # the handler of HTTPException only
    detail = exc.detail if isinstance(exc.detail, str) and " / " in exc.detail else \
        ERRORS.get(exc.status_code, ERRORS[404])
    bn, _, en = detail.partition(" / ")
    return page(request, "error.html", exc.status_code, bn=bn, en=en)


async def state_error(request: Request, exc: Exception):
    """The records folder or database cannot be used: 503, handled as an answer (not as a fault of the program:
    no traceback in the log, the connection kept), for as long as it lasts."""
    return await server_error(request, exc)


async def server_error(request: Request, exc: Exception):
    """A fault: said as what it is, the records folder or database when that is it, never with a claim nothing
    checked. The records database out of reach (or updated by a newer release) is 503 with a page that tries
    again by itself: the server recovers when the database is back, without a restart."""
    status = 503 if isinstance(exc, (StateError, OSError)) else 500
    log.error("%s %s failed: %r", request.method, request.url.path, exc)
    text, retry = ERRORS[status], None
    if isinstance(exc, SchemaTooNew):
        text, retry = SCHEMA_NEWER, RETRY_S * 4
    elif isinstance(exc, StateError) and is_url(exc.path):  # a page asked for reloads itself; a form sent is not resent
        text, retry = (DATABASE_DOWN if request.method == "GET" else DATABASE_DOWN_SENT), RETRY_S
    bn, _, en = text.partition(" / ")
    response = page(request, "error.html", status, bn=bn, en=en,
                    refresh=retry if retry and request.method == "GET" else None)
    if retry:
        response.headers["retry-after"] = str(retry)
    return response


def error_page(scope, status: int, bn: str, en: str) -> Response:
    """An error page for the middleware, which has no request of the app's own."""
    return page(Request(scope), "error.html", status, bn=bn, en=en)
