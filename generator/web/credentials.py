"""Every way a credential reaches the page, judged in one place: the sign-in form, the session cookie, the
`Authorization` header and a `token` in the address. Wrong credentials, wherever they were sent, are counted by
one limiter, per client address and overall; a client that has just failed is refused, without its credential
even being compared, until the time it is told (the page says when to try again)."""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from dataclasses import dataclass, field

from starlette.requests import Request

from generator.web.sessions import Sessions

SESSION_COOKIE = "gen_session"
FIRST_DELAY, MAX_DELAY = 0.25, 8.0  # a client's wait after each wrong credential doubles, up to MAX_DELAY
FORGET_AFTER = 15 * 60  # a client's wrong credentials are forgotten after this long without one
MAX_CLIENTS = 10_000
OVERALL_BURST, OVERALL_PER_MINUTE = 30, 30  # wrong credentials from all clients together


def same(given: str, expected: str) -> bool:
    """Constant-time comparison, also of the length: both sides are hashed first."""
    return hmac.compare_digest(hashlib.sha256(given.encode()).digest(), hashlib.sha256(expected.encode()).digest())


def delay(count: int) -> float:
    """The wait after the count-th wrong credential in a row: 0.25 s, 0.5 s, 1 s, … up to MAX_DELAY."""
    return MAX_DELAY if count > 8 else min(MAX_DELAY, FIRST_DELAY * 2 ** (count - 1))


@dataclass
class Limiter:
    """Wrong credentials per client (each one doubles the client's wait) and overall (a bucket of
    OVERALL_BURST that refills at OVERALL_PER_MINUTE): both must allow a credential before it is compared."""

    clients: dict[str, tuple[int, float, float]] = field(default_factory=dict)  # count, last failure, free at
    overall: float = OVERALL_BURST
    overall_at: float = field(default_factory=time.monotonic)

    def _refill(self, now: float) -> None:
        self.overall = min(OVERALL_BURST, self.overall + max(0.0, now - self.overall_at) * OVERALL_PER_MINUTE / 60)
        self.overall_at = now

    def wait(self, client: str, now: float | None = None) -> float:
        """Seconds until a credential from `client` will be compared again (0: now)."""
        now = time.monotonic() if now is None else now
        self._refill(now)
        _, _, free_at = self.clients.get(client, (0, 0.0, 0.0))
        overall = 0.0 if self.overall >= 1 else (1 - self.overall) * 60 / OVERALL_PER_MINUTE
        return max(0.0, free_at - now, overall)

    def failed(self, client: str, now: float | None = None) -> float:
        """Count a wrong credential; the seconds until the client may try again."""
        now = time.monotonic() if now is None else now
        self._refill(now)
        self.overall = max(0.0, self.overall - 1)
        count, last, _ = self.clients.get(client, (0, now, 0.0))
        count = 1 if now - last > FORGET_AFTER else count + 1
        if len(self.clients) > MAX_CLIENTS:
            self.clients = {c: v for c, v in self.clients.items() if now - v[1] <= FORGET_AFTER}
        self.clients[client] = (count, now, now + delay(count))
        return self.wait(client, now)

    def succeeded(self, client: str) -> None:
        self.clients.pop(client, None)


@dataclass(frozen=True)
class Verdict:
    """`ok`: let in. Otherwise `presented`: a credential was sent (and was wrong, or not compared), and
    `retry_after`: seconds until the client may try again (0 when it was compared and found wrong and may
    retry at once, which never happens after a wrong one)."""

    ok: bool
    presented: bool = False
    retry_after: float = 0.0
    compared: bool = False

    @property
    def seconds(self) -> int:
        return max(1, math.ceil(self.retry_after))


OK = Verdict(True)
ABSENT = Verdict(False)


def client_of(request: Request) -> str:
    return request.client.host if request.client else ""


def session_valid(request: Request, sessions: Sessions | None) -> bool:
    """A session cookie this server signed and has not ended (never counted: it cannot be guessed)."""
    return sessions is not None and sessions.valid(request.cookies.get(SESSION_COOKIE, ""))


def _sent(request: Request, sessions: Sessions) -> list[str | None]:
    """The tokens a request carries besides a valid session: each a string to compare, or None for one that is
    wrong whatever it says (a forged cookie, an `Authorization` header that is not `Bearer …`, a token in the
    address, which is never accepted: addresses end up in logs and browser histories)."""
    found: list[str | None] = []
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and not sessions.signed(cookie):  # a cookie of ours that expired or was ended is not a guess
        found.append(None)
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, value = header.strip().partition(" ")
        found.append(value.strip() if scheme.lower() == "bearer" and value.strip() else None)
    if "token" in request.query_params:
        found.append(None)
    return found


def judge(request: Request, limiter: Limiter, token: str, sessions: Sessions, form_token: str | None = None) -> Verdict:
    """Whether the request may in: a valid session cookie, or a right token in the form or the header. Every
    wrong credential, by any route, counts against the client; a client that must still wait is refused before
    anything is compared."""
    if form_token is None and session_valid(request, sessions):
        return OK
    sent = _sent(request, sessions) if form_token is None else [form_token]
    if not sent:
        return ABSENT
    client = client_of(request)
    waiting = limiter.wait(client)
    if waiting > 0:
        return Verdict(False, presented=True, retry_after=waiting)
    if all(given is not None and same(given, token) for given in sent):
        limiter.succeeded(client)
        return OK
    return Verdict(False, presented=True, retry_after=limiter.failed(client), compared=True)
