"""Running the page: the folders checked before the server starts (a clear refusal, never a traceback), and uvicorn
configured against slow and endless clients: request headers must arrive within a deadline, a request body must
keep coming at a minimum rate, a connection whose request was answered before its body was read (413, 401) is
closed instead of read on, and headers are capped in size.

The limits, in seconds and bytes, may be changed by environment variables (GEN_WEB_HEADER_TIMEOUT,
GEN_WEB_BODY_IDLE, GEN_WEB_BODY_RATE); docs/web.md gives the matching nginx settings."""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from generator.spec import settings
from generator.web.middleware import MAX_HEADER_BYTES

KEEP_ALIVE = 5  # seconds an idle connection is kept between requests
PROBE_BYTES = 64 * 1024  # written and removed in each folder at start: a full disk refuses it


@dataclass(frozen=True)
class Limits:
    header_timeout: float = 20.0  # from a request's first byte to the end of its headers
    body_idle: float = 30.0  # the longest pause while a body is sent; also the grace before the rate is checked
    body_rate: float = 4096.0  # bytes a second, on average, from the body's start

    @classmethod
    def from_environment(cls) -> Limits:
        """The limits, each from its environment variable when usable (spec/settings.py says when one is not)."""
        base = cls()
        return cls(settings.number("GEN_WEB_HEADER_TIMEOUT", base.header_timeout, LEAST_S),
                   settings.number("GEN_WEB_BODY_IDLE", base.body_idle, LEAST_S),
                   settings.number("GEN_WEB_BODY_RATE", base.body_rate, 1.0, ("বাইট/সেকেন্ড", "bytes/s")))


LEAST_S = 0.1  # seconds: the least deadline that lets a request through on a loopback connection


def unwritable(out_root: Path, state_dir: Path) -> tuple[str, str] | None:
    """What keeps the server from working, in Bangla and English, or None: each folder must take a new file."""
    for folder, bn, en in ((state_dir, "অবস্থা-ফোল্ডার (--state)", "state folder (--state)"),
                           (out_root, "আউটপুট ফোল্ডার (--out)", "output folder (--out)")):
        try:
            Path(folder).mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(dir=folder, prefix=".gen-serve-probe-")
            try:
                os.write(fd, b"\0" * PROBE_BYTES)
                os.fsync(fd)
            finally:
                os.close(fd)
                os.unlink(probe)
        except OSError as e:
            why = e.strerror or str(e)
            return (f"{bn} {folder} এ লেখা যাচ্ছে না ({why})। ফোল্ডারটি লেখার অনুমতি দিন, জায়গা খালি করুন বা অন্য "
                    "ফোল্ডার দিন; সার্ভার চালু হয়নি।",
                    f"The {en} {folder} cannot be written ({why}). Make it writable, free some space or give "
                    "another folder; the server was not started.")
    return None


class Guarded(H11Protocol):
    """uvicorn's h11 protocol with deadlines: uvicorn itself waits for ever on headers or a body that trickle in,
    and after answering a request early reads the rest of its body however long it is."""

    limits = Limits()

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._body_start = self._body_last = 0.0
        self._body_bytes = 0
        self._watch()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.SEND_BODY:
            self._body_bytes += len(data)
            self._body_last = time.monotonic()
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        if self.conn.their_state is h11.SEND_BODY and not self.transport.is_closing():
            self.transport.close()  # answered before the body was read: not read on
        super().on_response_complete()
        self._watch()

    def connection_lost(self, exc) -> None:
        self._cancel()
        super().connection_lost(exc)

    def _cancel(self, header: bool = True, body: bool = True) -> None:
        if header and self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        if body and self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _watch(self) -> None:
        state = self.conn.their_state
        if self.transport.is_closing():
            self._cancel()
        elif state is h11.IDLE and self.timeout_keep_alive_task is None:  # a request under way, or the first
            if self._header_timer is None:
                self._header_timer = self.loop.call_later(self.limits.header_timeout, self._too_slow)
        elif state is h11.SEND_BODY:
            self._cancel(body=False)
            if self._body_timer is None:
                self._body_start = self._body_last = time.monotonic()
                self._body_bytes = 0
                self._body_timer = self.loop.call_later(1.0, self._check_body)
        else:
            self._cancel()

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.write(b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            self.transport.close()

    def _check_body(self) -> None:
        self._body_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.SEND_BODY:
            return
        now = time.monotonic()
        elapsed = now - self._body_start
        if now - self._body_last > self.limits.body_idle or (
                elapsed > self.limits.body_idle and self._body_bytes < self.limits.body_rate * elapsed):
            self.transport.close()  # the view waiting for the body sees the client gone
            return
        self._body_timer = self.loop.call_later(1.0, self._check_body)


def run(app, *, host: str, port: int, proxy_headers: bool, proxies: tuple[str, ...] = ("127.0.0.1",),
        stop: threading.Event | None = None) -> None:
    """`proxy_headers`: believe X-Forwarded-Proto/-For from the addresses in `proxies` (nginx) and no others.
    `stop`: once set, the server stops as on SIGTERM (the requests in hand finished first)."""
    import uvicorn

    limits = Limits.from_environment()
    protocol = type("GuardedH11", (Guarded,), {"limits": limits})
    config = uvicorn.Config(app, host=host, port=port, http=protocol, log_level="info", server_header=False,
                            proxy_headers=proxy_headers, forwarded_allow_ips=",".join(proxies) if proxy_headers else None,
                            timeout_keep_alive=KEEP_ALIVE, h11_max_incomplete_event_size=MAX_HEADER_BYTES)
    server = uvicorn.Server(config)
    if stop is not None:
        def stopping() -> None:
            stop.wait()
            server.should_exit = True

        threading.Thread(target=stopping, name="stop-when", daemon=True).start()
    # uvicorn stops gracefully on SIGTERM, then raises the signal again under the handler it found: left at the
    # default, that killed the process before its caller's clean-up, so the server's lease was never ended and
    # a server started again straight away waited half a minute for it to run out. Ignored here, the signal
    # ends the run like Ctrl-C does, and the caller cleans up and exits 0, as `gen watch` does.
    main = threading.current_thread() is threading.main_thread()
    before = signal.signal(signal.SIGTERM, _already_stopped) if main else None
    try:
        server.run()
    finally:
        if main:
            signal.signal(signal.SIGTERM, before)


def _already_stopped(signum: int, frame: object) -> None:
    """SIGTERM raised again by uvicorn once it has stopped: nothing more to do."""
