"""The clerks' web page: submissions and their status, findings and scores, downloads, upload.

Server-rendered (Starlette and Jinja2), plain HTML forms, no JavaScript. Bangla first, English beneath.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hmac
import re
import secrets
import threading
import uuid
import zipfile
from pathlib import Path
from urllib.parse import quote, urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from .. import bangla, kinds
from .. import intake, store
from ..ledger import FILTERS, PAGE_SIZE, Ledger
from ..paths import XLSX_DIR
from ..state import StateError
from ..values import format_number
from ..workers import Limits, Pool

HERE = Path(__file__).parent
MB = 1024 * 1024
CSRF_COOKIE, TOKEN_COOKIE = "gen_csrf", "gen_token"
STATUS_BN = {"built": "তৈরি", "rejected": "বাতিল", "duplicate": "পুনরাবৃত্তি", "processing": "চলছে", "done": "সম্পন্ন",
             "failed": "লেখা যায়নি", "interrupted": "থেমে গেছে"}


class TooLarge(Exception):
    pass


class UploadLimit:
    """ASGI middleware: refuse request bodies over the limit with 413, before they are stored."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length and length.isdigit() and int(length) > self.limit:
            return await _too_large(self.limit)(scope, receive, send)
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
            await _too_large(self.limit)(scope, receive, send)


def _too_large(limit: int) -> Response:
    return HTMLResponse(f"<p>ফাইলটি খুব বড়: সর্বোচ্চ {limit // MB} MB।</p><p>The file is too large: at most {limit // MB} MB.</p>",
                        status_code=413)


LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'; "
                                 b"base-uri 'none'; form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


class HostCheck:
    """ASGI middleware: answer only requests for the hosts the server was started for (a page on
    another site that points its own name at this address, DNS rebinding, gets 400), and add the
    security headers to every response."""

    def __init__(self, app, hosts: set[str]):
        self.app, self.hosts = app, {h.lower() for h in hosts}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1").lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if name not in self.hosts:
            response = HTMLResponse(
                "<!doctype html><meta charset='utf-8'><title>400</title><p>এই ঠিকানায় সাইটটি চলে না। সার্ভারের "
                "নিজের ঠিকানা দিয়ে খুলুন।</p><p>This site is not served under that name. Open it by the server's own "
                "address.</p>", status_code=400)
            return await response(scope, receive, self._secured(send))
        await self.app(scope, receive, self._secured(send))

    @staticmethod
    def _secured(send):
        async def secured(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                message = {**message, "headers": headers + SECURITY_HEADERS}
            await send(message)
        return secured


def content_disposition(name: str) -> str:
    """An attachment header that is safe for any file name, Bangla included (RFC 6266 / RFC 5987)."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def is_workbook(data: bytes) -> bool:
    import io

    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "xl/workbook.xml" in z.namelist()
    except zipfile.BadZipFile:
        return False


DHAKA = dt.timezone(dt.timedelta(hours=6), "BST")  # Bangladesh keeps UTC+6 all year


def dhaka_time(stamp: str | None, seconds: bool = False) -> str:
    """A ledger time (UTC, ISO 8601) as a clerk in Bangladesh reads it: '২৩/১১/২০২৬ ১৩:৫৯'."""
    if not stamp:
        return ""
    when = dt.datetime.fromisoformat(stamp)
    when = (when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)).astimezone(DHAKA)
    return bangla.to_bangla_digits(when.strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M"))


def period_bn(value: str | None) -> str:
    """'q4' → '৪র্থ ত্রৈমাসিক'; a fiscal year or a meeting date in Bangla digits."""
    period = bangla.parse_period(value or "")
    return period.name if period else bangla.to_bangla_digits(value or "")


def create_app(*, out_root: Path, state_dir: Path, token: str | None = None, max_upload: int = 10 * MB,
               limits: Limits | None = None, jobs: int = 2, hosts: tuple[str, ...] = ()) -> Starlette:
    """`hosts`: the names and addresses the page may be asked for besides the local ones (`--host`,
    `--allowed-host`); "testserver" is the test client's."""
    out_root, state_dir = Path(out_root).resolve(), Path(state_dir).resolve()
    uploads = state_dir / "uploads"
    pool = Pool(jobs, limits, start_method="forkserver")  # builds run in workers, off the event loop
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(status_bn=STATUS_BN, kinds=kinds.KINDS)
    templates.env.filters["shown"] = lambda name: re.sub(r"^[0-9a-f]{8}-", "", name or "")  # drop the upload tag
    templates.env.filters["bn"] = lambda x: "—" if x is None else format_number(x)
    templates.env.filters["dhaka_time"] = dhaka_time
    templates.env.filters["period_bn"] = period_bn

    def page(request: Request, name: str, status: int = 200, **context) -> Response:
        csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        response = templates.TemplateResponse(request, name, {"csrf": csrf, **context}, status_code=status)
        if CSRF_COOKIE not in request.cookies:
            response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict")
        return response

    def authorised(request: Request) -> bool:
        if not token:
            return True
        given = request.cookies.get(TOKEN_COOKIE) or request.headers.get("authorization", "").removeprefix("Bearer ")
        return hmac.compare_digest(given.encode(), token.encode())

    async def check_csrf(request: Request, form) -> None:
        cookie, field = request.cookies.get(CSRF_COOKIE, ""), str(form.get("csrf", ""))
        origin = request.headers.get("origin")
        if origin and origin.split("://")[-1] != request.headers.get("host"):
            raise HTTPException(403, "অন্য সাইট থেকে অনুরোধ গ্রহণযোগ্য নয়। / Cross-site request refused.")
        if not cookie or not hmac.compare_digest(cookie.encode(), field.encode()):
            raise HTTPException(403, "ফর্মের মেয়াদ শেষ; পাতাটি আবার খুলুন। / The form expired; reload the page.")

    def guard(handler):
        async def wrapped(request: Request):
            if not authorised(request):
                if request.method == "GET":
                    return RedirectResponse("/login", status_code=303)
                raise HTTPException(401, "প্রবেশাধিকার নেই। / Not signed in.")
            return await handler(request)
        return wrapped

    async def submissions(request: Request):
        filters = {k: request.query_params.get(k, "") for k in FILTERS}
        try:
            asked = min(max(1, int(request.query_params.get("page", "1"))), 10 ** 12)
        except ValueError:
            asked = 1  # not a number: the first page

        def one_page():
            with Ledger(state_dir) as led:
                records, total = led.page(filters, limit=PAGE_SIZE, offset=(asked - 1) * PAGE_SIZE)
                pages = max(1, -(-total // PAGE_SIZE))
                number = min(asked, pages)
                if number != asked:  # past the end: the last page
                    records, total = led.page(filters, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
                    pages = max(1, -(-total // PAGE_SIZE))
                return records, total, number, pages, led.choices()

        records, total, number, pages, choices = await run_in_threadpool(one_page)
        kept = {k: v for k, v in filters.items() if v}

        def page_url(n: int) -> str:
            return "/?" + urlencode({**kept, "page": n})

        return page(request, "list.html", records=records, filters=filters, choices=choices, total=total,
                    number=number, pages=pages, page_url=page_url, first=(number - 1) * PAGE_SIZE + 1)

    def record_or_404(request: Request):
        try:
            id = int(request.path_params["id"])
        except ValueError:
            raise HTTPException(404) from None
        with Ledger(state_dir) as ledger:
            record = ledger.get(id)
        if record is None:
            raise HTTPException(404, "এমন কোনো জমা নেই। / No such submission.")
        return record

    async def submission(request: Request):
        record = record_or_404(request)
        files = [(i, Path(p).name) for i, p in enumerate(record.outputs)]
        return page(request, "detail.html", record=record, files=files, details=record.details or {})

    async def download(request: Request):
        record = record_or_404(request)
        index = int(request.path_params["n"])
        if not 0 <= index < len(record.outputs):
            raise HTTPException(404)
        path = Path(record.outputs[index]).resolve()
        if not path.is_relative_to(out_root) or not path.is_file():
            raise HTTPException(404)
        return FileResponse(path, headers={"content-disposition": content_disposition(path.name)})

    async def blank(request: Request):
        kind = kinds.get(request.path_params["kind"])
        if kind is None:
            raise HTTPException(404)
        return FileResponse(XLSX_DIR / f"{kind.id}.xlsx",
                            headers={"content-disposition": content_disposition(f"{kind.id}.xlsx")})

    async def blanks(request: Request):
        return page(request, "blanks.html")

    async def upload(request: Request):
        if request.method == "GET":
            return page(request, "upload.html")
        form = await request.form()
        await check_csrf(request, form)
        file = form.get("workbook")
        if not isinstance(file, UploadFile) or not file.filename:
            return page(request, "upload.html", 400, error=("কোনো ফাইল বাছাই করা হয়নি।", "No file chosen."))
        data = await file.read()
        name = Path(file.filename).name
        if Path(name).suffix.lower() not in (".xlsx", ".xlsm") or not is_workbook(data):
            return page(request, "upload.html", 415, error=(
                f"'{name}' একটি Excel ওয়ার্কবুক (.xlsx) নয়। 'ফাঁকা ছক' থেকে নেওয়া ছক পূরণ করে দিন।",
                f"'{name}' is not an Excel workbook (.xlsx). Fill a blank workbook from this site."))
        try:
            id = await run_in_threadpool(_receive, name, data)
        except StateError as e:  # the file is kept in the uploads folder and built when the server starts again
            return page(request, "upload.html", 503, error=(e.bn, e.en))
        if id is None:
            return page(request, "upload.html", 500, error=("ফাইলটি হারিয়ে গেছে; আবার জমা দিন।",
                                                            "The file went missing while it was handled; submit it again."))
        return RedirectResponse(f"/submissions/{id}", status_code=303)

    def _receive(name: str, data: bytes) -> int | None:
        uploads.mkdir(parents=True, exist_ok=True)
        safe = intake.fit(store.safe_name(Path(name).stem, "workbook"), Path(name).suffix.lower())
        target = uploads / intake.fit(f"{uuid.uuid4().hex[:8]}-{Path(safe).stem}", Path(safe).suffix)
        target.write_bytes(data)
        return intake.receive(target, inbox=uploads, out_root=out_root, state_dir=state_dir, pool=pool, route="web")

    async def login(request: Request):
        if request.method == "GET":
            return page(request, "login.html")
        form = await request.form()
        await check_csrf(request, form)
        given = str(form.get("token", ""))
        if not token or not hmac.compare_digest(given.encode(), token.encode()):
            return page(request, "login.html", 401, error=("টোকেন সঠিক নয়।", "Wrong token."))
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(TOKEN_COOKIE, given, httponly=True, samesite="strict")
        return response

    async def error(request: Request, exc: HTTPException):
        detail = exc.detail if isinstance(exc.detail, str) and "/" in exc.detail else \
            "পাওয়া যায়নি বা অনুমতি নেই। / Not found or not allowed."
        bn, _, en = detail.partition(" / ")
        return page(request, "error.html", exc.status_code, bn=bn, en=en)

    routes = [
        Route("/", guard(submissions)),
        Route("/submissions/{id}", guard(submission)),
        Route("/submissions/{id}/files/{n:int}", guard(download)),
        Route("/upload", guard(upload), methods=["GET", "POST"]),
        Route("/blank", guard(blanks)),
        Route("/blank/{kind}.xlsx", guard(blank)),
        Route("/login", login, methods=["GET", "POST"]),
    ]
    def leftovers() -> list[Path]:
        """Uploads in hand when a server stopped: built again by this one (intake sets aside one tried twice).
        Only one server recovers a state folder's uploads: the one holding its lock."""
        if not uploads.is_dir():
            return []
        lock = open(uploads / ".gen-serve.lock", "a")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            return []
        held.append(lock)  # kept open, so kept locked, while the server runs
        return [p for p in sorted(uploads.iterdir()) if p.is_file() and not p.name.startswith(".")]

    def recover(paths: list[Path]) -> None:
        for path in paths:
            intake.receive(path, inbox=uploads, out_root=out_root, state_dir=state_dir, pool=pool, route="web")

    held: list = []

    @contextlib.asynccontextmanager
    async def lifespan(app):
        # built in the background: the pages answer meanwhile
        thread = threading.Thread(target=recover, args=(leftovers(),), name="recover-uploads", daemon=True)
        thread.start()
        yield
        await run_in_threadpool(thread.join, 5)
        await run_in_threadpool(pool.close)
        for lock in held:
            lock.close()

    return Starlette(routes=routes, exception_handlers={HTTPException: error},
                     middleware=[Middleware(HostCheck, hosts={*LOCAL_HOSTS, "testserver", *hosts}),
                                 Middleware(UploadLimit, limit=max_upload)], lifespan=lifespan)
