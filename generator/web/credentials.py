"""Every way a credential reaches the page, judged in one place: the sign-in form, the session cookie, the
`Authorization` header and a `token` in the address. Wrong credentials, wherever they were sent, are counted by
one limiter, per client address and overall, in the state database (so every server on a state shares it); a
client that has just failed is refused, without its credential even being compared, until the time it is told
(the page says when to try again)."""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request

from generator.records.throttle import FORGET_AFTER, OVERALL_BURST, Throttle, counted, overall_wait, refilled
from generator.records.throttle import MAX_DELAY as MAX_DELAY, delay as delay  # the rule, named here too
from generator.web.sessions import Sessions

SESSION_COOKIE = "gen_session"
MAX_CLIENTS = 10_000  # clients remembered by a limiter in memory


def same(given: str, expected: str) -> bool:
    """Constant-time comparison, also of the length: both sides are hashed first."""
    return hmac.compare_digest(hashlib.sha256(given.encode()).digest(), hashlib.sha256(expected.encode()).digest())


@dataclass
class Limiter:
    """Wrong credentials per client (each one doubles the client's wait) and overall (a bucket of
    OVERALL_BURST that refills at OVERALL_PER_MINUTE): both must allow a credential before it is compared
    (the rule: records/throttle.py). Given a state, counted in its database, so every server on that state
    shares one count (by the database's clock); without one, in this process's memory."""

    state: Path | str | None = None
    clients: dict[str, tuple[int, float, float]] = field(default_factory=dict)  # count, last failure, free at
    overall: float = OVERALL_BURST
    overall_at: float = field(default_factory=time.monotonic)

    def _refill(self, now: float) -> None:
        self.overall, self.overall_at = refilled(self.overall, self.overall_at, now), now

    def wait(self, client: str, now: float | None = None) -> float:
        """Seconds until a credential from `client` will be compared again (0: now)."""
        if self.state is not None:
            with Throttle(self.state) as throttle:
                return throttle.wait(client)
        now = time.monotonic() if now is None else now
        self._refill(now)
        _, _, free_at = self.clients.get(client, (0, 0.0, 0.0))
        return max(0.0, free_at - now, overall_wait(self.overall))

    def failed(self, client: str, now: float | None = None) -> float:
        """Count a wrong credential; the seconds until the client may try again."""
        if self.state is not None:
            with Throttle(self.state) as throttle:
                return throttle.failed(client)
        now = time.monotonic() if now is None else now
        self._refill(now)
        self.overall = max(0.0, self.overall - 1)
        if len(self.clients) > MAX_CLIENTS:
            self.clients = {c: v for c, v in self.clients.items() if now - v[1] <= FORGET_AFTER}
        self.clients[client] = counted(self.clients.get(client), now)
        return self.wait(client, now)

    def succeeded(self, client: str) -> None:
        if self.state is not None:
            with Throttle(self.state) as throttle:
                throttle.succeeded(client)
            return
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
