"""What every view of the clerks' web page shares, kept on `app.state.desk`: where the records are, the
sign-in, the worker pool and the page templates; and the helpers every view uses to answer."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from generator.documents.settings import PdfSettings
from generator.records.held_register import HeldRegister
from generator.records.ledger import Ledger, Record
from generator.records.state import StateError
from generator.service.builds import BuildPool
from generator.service.queue import EVIDENCE, Queue
from generator.spec import kinds, memo
from generator.spec.paths import as_sent
from generator.text import bangla
from generator.text.values import format_number
from generator.web import credentials, downloads, evidence
from generator.web.building import Flights
from generator.web.credentials import Limiter, Verdict
from generator.web.sessions import Sessions
from generator.web.texts import MB, STATUS_BN, STATUS_EN, dhaka_time, for_web, period_bn, try_again

HERE = Path(__file__).parent
CSRF_COOKIE = "gen_csrf"


@dataclass
class Desk:
    out_root: Path
    state_dir: Path
    pool: BuildPool
    templates: Jinja2Templates
    token: str | None = None
    max_upload: int = 10 * MB
    max_evidence: int = evidence.DEFAULT_CAP
    pdf: PdfSettings | None = None
    sessions: Sessions | None = None
    limiter: Limiter = field(default_factory=Limiter)
    flights: Flights = field(default_factory=Flights)
    answer_within: float = 2.0  # seconds an upload waits for its build before answering with the building page
    owner: str | None = None  # this server's lease in the state database (records/owners.py)
    queued: bool = False  # a PostgreSQL state: uploads go through the job queue (`gen worker`), not this server's pool
    queue: Queue | None = None  # the queue, while the app runs
    register: HeldRegister = field(init=False)  # a state folder's register, held open while the app runs (opened
    # by the app at its start with a state folder; never opened, it is always intact)

    def __post_init__(self) -> None:
        self.register = HeldRegister(self.state_dir)

    @property
    def uploads(self) -> Path:
        """Where uploads are kept until built: the state folder's uploads/; with the queue, the output root's
        .uploads/ (the shared store, which every worker on every machine sees)."""
        return self.out_root / ".uploads" if self.queued else self.state_dir / "uploads"

    @property
    def evidence(self) -> Path:
        """Where uploads' evidence is kept until built, a folder per upload: the state folder's evidence/; with the
        queue, .uploads/.evidence/ beside the uploads, where every worker finds it."""
        return self.uploads / EVIDENCE if self.queued else self.state_dir / evidence.FOLDER

    def record(self, id: int):
        with Ledger(self.state_dir) as ledger:
            return ledger.get(id)

    def later_letter(self, record: Record) -> Record | None:
        """A letter of the same report (office, kind, year and period) under a later memo of the same sequence (a
        higher serial, as the folder's current view is decided): this one is then not the version to send. None if
        there is none."""
        if record.status != "built" or not (record.memo and record.office and record.kind and record.fiscal_year
                                            and record.period):
            return None  # an empty filter matches everything: without all four, no report to compare with
        same = {"office": record.office, "kind": record.kind, "fiscal_year": record.fiscal_year,
                "period": record.period, "status": "built"}
        with Ledger(self.state_dir) as ledger:
            built, _ = ledger.page(same, limit=500)  # newest first; an office sends a report a few times at most
        prefix = memo.prefix_of(record.memo)
        first: dict[str | None, Record] = {}  # each memo's first build (a memo given again later is no newer letter)
        for r in reversed(built):  # under this memo's prefix only: another section's letters are its own
            if r.memo and memo.prefix_of(r.memo) == prefix:
                first.setdefault(r.memo, r)
        mine = first.get(record.memo, record)
        # the newer letter is the one of the higher serial (as the folder's current view is decided: two versions
        # built at once may be noted in the ledger in the other order)
        newest = max(first.values(), key=lambda r: _serial(r.memo), default=mine)
        return newest if _serial(newest.memo) > _serial(mine.memo) else None

    def admit(self, request: Request) -> Verdict:
        """Whether the request may in (credentials.judge: every wrong credential counted, by any route)."""
        if not self.token:
            return credentials.OK
        assert self.sessions is not None  # made whenever there is a token
        return credentials.judge(request, self.limiter, self.token, self.sessions)


def templates(max_upload: int, max_evidence: int, evidence_on: bool) -> Jinja2Templates:
    found = Jinja2Templates(directory=str(HERE / "templates"))
    found.env.globals.update(status_bn=STATUS_BN, status_en=STATUS_EN, kinds=kinds.KINDS,
                             cap_mb=f"{max_upload / MB:g}", cap_mb_bn=bangla.to_bangla_digits(f"{max_upload / MB:g}"),
                             evidence_on=evidence_on, evidence_files=evidence.MAX_FILES,
                             evidence_mb=f"{max_evidence / MB:g}",
                             evidence_mb_bn=bangla.to_bangla_digits(f"{max_evidence / MB:g}"))
    found.env.filters["shown"] = as_sent  # the upload tag dropped
    found.env.filters["bn"] = lambda x: "—" if x is None else format_number(x)
    found.env.filters["dhaka_time"] = dhaka_time
    found.env.filters["period_bn"] = period_bn
    found.env.filters["size"] = downloads.size_text
    found.env.filters["for_web"] = for_web
    found.env.filters["kind_bn"] = lambda k: kinds.KINDS[k].plan if k in kinds.KINDS else (k or "")
    return found


def desk(request: Request) -> Desk:
    return request.app.state.desk


def page(request: Request, name: str, status: int = 200, **context) -> Response:
    """A page of the site: the template with the form token and whether a clerk is signed in."""
    shared = desk(request)
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    try:  # a sign-out button only for a clerk signed in
        signed_in = credentials.session_valid(request, shared.sessions)
    except StateError:  # the records database is out of reach: the page (an error page, then) is shown without it
        signed_in = False
    response = shared.templates.TemplateResponse(request, name, {"csrf": csrf, "signed_in": signed_in, **context},
                                                 status_code=status)
    if CSRF_COOKIE not in request.cookies:
        response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict")
    return response


async def check_csrf(request: Request, form) -> None:
    cookie, given = request.cookies.get(CSRF_COOKIE, ""), str(form.get("csrf", ""))
    origin = request.headers.get("origin")
    if origin and origin.split("://")[-1] != request.headers.get("host"):
        raise HTTPException(403, "অন্য সাইট থেকে অনুরোধ গ্রহণযোগ্য নয়। / Cross-site request refused.")
    if not cookie or not hmac.compare_digest(cookie.encode(), given.encode()):
        raise HTTPException(403, "ফর্মের মেয়াদ শেষ; পাতাটি আবার খুলুন। / The form expired; reload the page.")


def signed_in(view):
    """A view behind the sign-in: a page asked for without it goes to the sign-in page, and back after."""
    async def guarded(request: Request):
        verdict = desk(request).admit(request)
        if verdict.ok:
            return await view(request)
        by_cookie_only = "authorization" not in request.headers and "token" not in request.query_params
        if verdict.presented and not (request.method == "GET" and by_cookie_only):
            return refused(request, verdict)
        if request.method == "GET":  # a browser with no session, or one this server does not know (counted above)
            asked = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            response = RedirectResponse(f"/login?next={quote(asked, safe='')}", status_code=303)
            if verdict.presented:
                response.delete_cookie(credentials.SESSION_COOKIE)
            return response
        raise HTTPException(401, "প্রবেশাধিকার নেই। / Not signed in.")
    guarded.__name__ = guarded.__qualname__ = view.__name__
    return guarded


def refused(request: Request, verdict: Verdict, name: str = "error.html", **context) -> Response:
    """A wrong credential (401) or one not compared because the client must still wait (429): the page says
    when to try again, and so does Retry-After."""
    bn, en = try_again(verdict.seconds, verdict.compared)
    status = 401 if verdict.compared else 429
    response = page(request, name, status, bn=bn, en=en, error=(bn, en), **context)
    response.headers["retry-after"] = str(verdict.seconds)
    return response


def record_or_404(request: Request):
    try:
        id = int(request.path_params["id"])
    except ValueError:
        raise HTTPException(404) from None
    record = desk(request).record(id)
    if record is None:
        raise HTTPException(404, "এমন কোনো জমা নেই। / No such submission.")
    return record


def _serial(memo_text: str | None) -> int:
    serial = memo.serial_of(memo_text or "")
    return -1 if serial is None else serial
