"""An upload the browser stops sending midway is a 400 the server answers calmly, not a fault: before, starlette's
ClientDisconnect reached the 500 handler and uvicorn logged a traceback for each cut-off upload."""

import asyncio

import pytest
from starlette.requests import Request

from generator.web import evidence


def test_a_form_cut_off_midway_is_refused_not_a_fault():
    body = (b'--BB\r\nContent-Disposition: form-data; name="workbook"; filename="x.xlsx"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n" + b"PK\x03\x04" + b"x" * 5000)
    messages = [{"type": "http.request", "body": body, "more_body": True}, {"type": "http.disconnect"}]

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    scope = {"type": "http", "method": "POST", "path": "/upload", "query_string": b"",
             "headers": [(b"content-type", b"multipart/form-data; boundary=BB")]}
    with pytest.raises(evidence.Refused) as refused:
        asyncio.run(evidence.read_form(Request(scope, receive), workbook_cap=10 << 20, evidence_cap=25 << 20,
                                       evidence=False))
    assert refused.value.status == 400 and "again" in refused.value.en and "আবার" in refused.value.bn
