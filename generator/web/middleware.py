"""ASGI middleware: answer only for the server's own host names, with the security headers on every response
(and `Cache-Control: no-store` on every one but the style sheet),
and refuse request bodies over the upload caps before they are stored."""

from __future__ import annotations

import ipaddress

from starlette.responses import HTMLResponse

from generator.web.texts import too_large

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; style-src 'self'; script-src 'self'; "
                                 b"object-src 'none'; frame-ancestors 'none'; "
                                 b"base-uri 'none'; form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]
NO_STORE = (b"cache-control", b"no-store")  # signed-in pages and downloads stay out of shared and browser caches
CACHED = ("/site.css", "/look-again.js")  # the responses the same for everyone
MULTIPART_ALLOWANCE = 64 * 1024  # the form's own bytes around the file: the cap is on the file


class TooLarge(Exception):
    pass


MAX_HEADER_BYTES = 16 * 1024  # request line and headers together (the server's parser holds no more while they come in)
UPLOADS_PER_CLIENT = 6  # request bodies one address may be sending at once: a triple click, or a few clerks behind
                        # one NAT address, fit; a client holding many slow bodies open does not
BUSY = ("এই কম্পিউটার থেকে এখনই আরও আপলোড চলছে; সেগুলো শেষ হলে আবার পাঠান।",
        "Other uploads from this computer are still being sent; send this one when they are done.")


class UploadLimit:
    """Refuse request bodies over the limit with 413, before they are stored, and more than UPLOADS_PER_CLIENT
    bodies from one address at a time with 429. The limit is the file cap plus the form's own bytes; the upload
    view checks the file itself. `page(scope, status, bn, en)` is the error page. (The server closes a connection
    answered before its body was read: server.py.)"""

    def __init__(self, app, limit: int, page, message: tuple[str, str] | None = None):
        self.app, self.limit, self.page = app, limit + MULTIPART_ALLOWANCE, page
        self.message = message or too_large(limit)
        self.sending: dict[str, int] = {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST":
            return await self.app(scope, receive, send)
        client = (scope.get("client") or ("",))[0]
        if self.sending.get(client, 0) >= UPLOADS_PER_CLIENT:
            return await self.page(scope, 429, *BUSY)(scope, receive, send)
        self.sending[client] = self.sending.get(client, 0) + 1
        try:
            await self._capped(scope, receive, send)
        finally:
            self.sending[client] -= 1
            if not self.sending[client]:
                del self.sending[client]

    async def _capped(self, scope, receive, send):
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length and length.isdigit() and int(length) > self.limit:
            return await self.page(scope, 413, *self.message)(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise TooLarge()
            return message

        try:
            await self.app(scope, counted, send)
        except TooLarge:
            await self.page(scope, 413, *self.message)(scope, receive, send)


def host_name(name: str) -> str:
    """A host as compared: lower case, no trailing dot, an IPv6 address in brackets, compressed."""
    name = name.strip().lower().rstrip(".")
    try:
        address = ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return name
    return f"[{address.compressed}]" if address.version == 6 else address.compressed


def _header_bytes(scope) -> int:
    """The request line and headers as sent, near enough (each header's name, value, ': ' and line end)."""
    line = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"") + len(scope.get("method", "")) + 12
    return line + sum(len(k) + len(v) + 4 for k, v in scope.get("headers") or [])


class HostCheck:
    """Answer only requests for the hosts the server was started for (a page on another site that points its
    own name at this address, DNS rebinding, gets 400), and add the security headers to every response."""

    def __init__(self, app, hosts: set[str]):
        self.app, self.hosts = app, {host_name(h) for h in hosts}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if _header_bytes(scope) > MAX_HEADER_BYTES:  # arrived whole, in one piece: the parser's own cap never saw it
            response = HTMLResponse(
                "<!doctype html><html lang='bn'><meta charset='utf-8'><title>431</title><p>অনুরোধের শিরোনাম (header) "
                "অনেক বড়। ব্রাউজারের কুকি মুছে আবার চেষ্টা করুন।</p><p lang='en'>The request's headers are too large. "
                "Clear the browser's cookies for this site and try again.</p>", status_code=431)
            return await response(scope, receive, self._secured(send, True))
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1").lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if host_name(name) not in self.hosts:
            response = HTMLResponse(
                "<!doctype html><html lang='bn'><meta charset='utf-8'><title>400</title><p>এই ঠিকানায় সাইটটি চলে না। সার্ভারের "
                "নিজের ঠিকানা দিয়ে খুলুন।</p><p lang='en'>This site is not served under that name. Open it by the server's own "
                "address.</p>", status_code=400)
            return await response(scope, receive, self._secured(send, True))
        await self.app(scope, receive, self._secured(send, scope.get("path") not in CACHED))

    @staticmethod
    def _secured(send, private: bool):
        async def secured(message):
            if message["type"] == "http.response.start":
                drop = {b"server", b"cache-control"} if private else {b"server"}
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in drop]
                message = {**message, "headers": headers + SECURITY_HEADERS + ([NO_STORE] if private else [])}
            await send(message)
        return secured


