"""The clerks' web page: submissions and their status, findings and scores, downloads, upload.

Server-rendered (Starlette and Jinja2), plain HTML forms, no JavaScript. Bangla first, English beneath.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import fcntl
import hmac
import ipaddress
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

from generator.text import bangla
from generator.service import intake
from generator.spec import kinds
from generator.records import store
from generator.records.ledger import FILTERS, PAGE_SIZE, Ledger
from generator.spec.paths import XLSX_DIR
from generator.records.state import StateError
from generator.text.values import format_number
from generator.documents.files import PdfSettings
from generator.service.workers import Limits, Pool
from generator.web import downloads, evidence, next_workbook, summary_page
from generator.web.sessions import MAX_AGE, Sessions, Throttle

HERE = Path(__file__).parent
log = logging.getLogger("gen.web")
MB = 1024 * 1024
CSRF_COOKIE, SESSION_COOKIE = "gen_csrf", "gen_session"
ERRORS = {
    400: "অনুরোধটি বোঝা যায়নি। / The request could not be understood.",
    403: "অনুমতি নেই। / Not allowed.",
    404: "পাওয়া যায়নি: ঠিকানাটি ভুল, বা এমন কোনো জমা নেই। / Not found: the address is wrong, or there is no such submission.",
    405: "এভাবে এই পাতা খোলা যায় না। / This page cannot be opened this way.",
    500: "সার্ভারে একটি ত্রুটি হয়েছে; জমা দেওয়া ফাইল হারায়নি। আবার চেষ্টা করুন, না হলে প্রশাসককে জানান। / "
         "Something went wrong on the server; no submitted file was lost. Try again, or tell the administrator.",
}
STATUS_BN = {"built": "তৈরি", "rejected": "বাতিল", "duplicate": "পুনরাবৃত্তি", "processing": "চলছে", "done": "সম্পন্ন",
             "failed": "লেখা যায়নি", "interrupted": "থেমে গেছে"}


class TooLarge(Exception):
    pass


DOUBLE_CLICK = dt.timedelta(minutes=2)  # the same bytes uploaded again this soon: the same submission
MULTIPART_ALLOWANCE = 64 * 1024  # the form's own bytes around the file: the cap is on the file


class UploadLimit:
    """ASGI middleware: refuse request bodies over the limit with 413, before they are stored. The limit
    is the file cap plus the form's own bytes; the upload handler checks the file itself."""

    def __init__(self, app, limit: int, page, message: tuple[str, str] | None = None):
        self.app, self.limit, self.page = app, limit + MULTIPART_ALLOWANCE, page
        self.message = message or too_large(limit)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
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


def too_large(cap: int) -> tuple[str, str]:
    mb = f"{cap / MB:g}"
    return (f"ফাইলটি খুব বড়: সর্বোচ্চ {bangla.to_bangla_digits(mb)} MB গ্রহণ করা হয়। ছবি বা অপ্রয়োজনীয় শিট মুছে আবার দিন।",
            f"The file is too large: at most {mb} MB is accepted. Delete pictures or sheets that are not needed "
            "and submit again.")


LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'none'; "
                                 b"object-src 'none'; frame-ancestors 'none'; "
                                 b"base-uri 'none'; form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


def _host_name(name: str) -> str:
    """A host as compared: lower case, no trailing dot, an IPv6 address in brackets, compressed."""
    name = name.strip().lower().rstrip(".")
    try:
        address = ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return name
    return f"[{address.compressed}]" if address.version == 6 else address.compressed


class HostCheck:
    """ASGI middleware: answer only requests for the hosts the server was started for (a page on
    another site that points its own name at this address, DNS rebinding, gets 400), and add the
    security headers to every response."""

    def __init__(self, app, hosts: set[str]):
        self.app, self.hosts = app, {_host_name(h) for h in hosts}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1").lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if _host_name(name) not in self.hosts:
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


def _local(target: str) -> str:
    """A page of this site to go back to after signing in: a path, never another site."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"


def _earlier(record) -> int | None:
    """The submission a duplicate repeats."""
    found = re.search(r"same content as ledger entry (\d+)", record.note or "") if record.status == "duplicate" else None
    return int(found.group(1)) if found else None


def download_name(record, path: Path) -> str:
    """A download's name: the office and the memo before the file's own name, so that several offices'
    letters do not all arrive as 'cc-2023-24-q1-letter.docx'; the upload tag never shows."""
    own = re.sub(r"^[0-9a-f]{8}-", "", path.name)
    if not (record.office and record.memo and path.suffix == ".docx"):
        return own
    rest = f" {store.safe_name(record.memo, 'memo')} {own}"  # never cut: the office name gives way
    return intake.fit(store.safe_name(record.office), rest)


def for_web(text: str) -> str:
    """A message written for the command line, as a clerk on the web page reads it."""
    return (text.replace("'gen template' দিয়ে পাওয়া ছক", "এই সাইটের 'ফাঁকা ছক' পাতার ছক")
                .replace("'gen template' থেকে নেওয়া", "এই সাইটের 'ফাঁকা ছক' পাতা থেকে নেওয়া")
                .replace("the workbook from 'gen template'", "a workbook from this site's Blank workbooks page")
                .replace("from 'gen template'", "from this site's Blank workbooks page")
                .replace("'gen template'", "the Blank workbooks page"))


def content_disposition(name: str) -> str:
    """An attachment header that is safe for any file name, Bangla included (RFC 6266 / RFC 5987); the
    plain-ASCII name for old clients keeps the ASCII words only."""
    ascii_name = re.sub(r"_*[^A-Za-z0-9._-]+_*", "_", name).strip("_.-") or "download"
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
               limits: Limits | None = None, jobs: int = 2, hosts: tuple[str, ...] = (),
               pdf: PdfSettings | None = None, max_evidence: int = evidence.DEFAULT_CAP) -> Starlette:
    """`hosts`: the names and addresses the page may be asked for besides the local ones (`--host`,
    `--allowed-host`). `pdf`: PDFs beside the Word files, through the LibreOffice the caller keeps warm, and
    for each upload the e-Nothi bundle with the evidence files sent with it (at most `max_evidence` bytes)."""
    out_root, state_dir = Path(out_root).resolve(), Path(state_dir).resolve()
    uploads = state_dir / "uploads"
    pool = Pool(jobs, limits, start_method="forkserver")  # builds run in workers, off the event loop
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(status_bn=STATUS_BN, kinds=kinds.KINDS,
                                 cap_mb=f"{max_upload / MB:g}", cap_mb_bn=bangla.to_bangla_digits(f"{max_upload / MB:g}"),
                                 evidence_on=pdf is not None, evidence_files=evidence.MAX_FILES,
                                 evidence_mb=f"{max_evidence / MB:g}",
                                 evidence_mb_bn=bangla.to_bangla_digits(f"{max_evidence / MB:g}"))
    templates.env.filters["shown"] = lambda name: re.sub(r"^[0-9a-f]{8}-", "", name or "")  # drop the upload tag
    templates.env.filters["bn"] = lambda x: "—" if x is None else format_number(x)
    templates.env.filters["dhaka_time"] = dhaka_time
    templates.env.filters["period_bn"] = period_bn
    templates.env.filters["size"] = downloads.size_text
    templates.env.filters["for_web"] = for_web
    templates.env.filters["kind_bn"] = lambda k: kinds.KINDS[k].plan if k in kinds.KINDS else (k or "")

    def page(request: Request, name: str, status: int = 200, **context) -> Response:
        csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        signed_in = bool(token) and authorised(request)  # a sign-out button only for a clerk signed in
        response = templates.TemplateResponse(request, name, {"csrf": csrf, "signed_in": signed_in, **context},
                                              status_code=status)
        if CSRF_COOKIE not in request.cookies:
            response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict")
        return response

    sessions = Sessions(state_dir, token) if token else None
    throttle = Throttle()

    def authorised(request: Request) -> bool:
        if not token:
            return True
        assert sessions is not None  # made whenever there is a token
        if sessions.valid(request.cookies.get(SESSION_COOKIE, "")):
            return True
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        return bool(bearer) and hmac.compare_digest(bearer.encode(), token.encode())

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
                    asked = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                    return RedirectResponse(f"/login?next={quote(asked, safe='')}", status_code=303)
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
        details = record.details or {}
        issues = sorted(details.get("issues") or [], key=lambda i: i["severity"] != "error")  # errors first
        marked = next((i for i, name in files if name.endswith(".annotated.xlsx")), None)
        earlier = _earlier(record)
        return page(request, "detail.html", record=record, files=files, details=details, issues=issues,
                    errors=sum(i["severity"] == "error" for i in issues), marked=marked,
                    warnings=sum(i["severity"] != "error" for i in issues),
                    earlier=earlier, earlier_record=_get(earlier) if earlier else None,
                    next_offered=next_workbook.offered(record), next_source=next_workbook.source_of(record),
                    downloads=downloads.listing(record.outputs), evidence_refused=downloads.evidence_refused(issues),
                    evidence_unused=request.query_params.get("evidence") == "unused")

    async def next_period(request: Request):
        return await run_in_threadpool(next_workbook.response, record_or_404(request))

    def _get(id: int):
        with Ledger(state_dir) as ledger:
            return ledger.get(id)

    async def download(request: Request):
        record = record_or_404(request)
        index = int(request.path_params["n"])
        if not 0 <= index < len(record.outputs):
            raise HTTPException(404)
        path = Path(record.outputs[index]).resolve()
        if not path.is_relative_to(out_root) or not path.is_file():
            raise HTTPException(404)
        return FileResponse(path, headers={"content-disposition": content_disposition(download_name(record, path))})

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
        try:
            form = await evidence.read_form(request, workbook_cap=max_upload, evidence_cap=max_evidence,
                                            evidence=pdf is not None)
            await check_csrf(request, form)
            proof = evidence.chosen(form)
        except evidence.Refused as e:
            return page(request, "upload.html", e.status, error=(e.bn, e.en))
        file = form.get("workbook")
        if not isinstance(file, UploadFile) or not file.filename:
            return page(request, "upload.html", 400, error=("কোনো ফাইল বাছাই করা হয়নি।", "No file chosen."))
        data = await file.read()
        name = Path(file.filename).name
        if len(data) > max_upload:
            return page(request, "upload.html", 413, error=too_large(max_upload))
        if Path(name).suffix.lower() in (".xls", ".ods", ".csv", ".numbers"):
            return page(request, "upload.html", 415, error=(
                f"'{name}' ফাইলটি {Path(name).suffix.lower()} ধরনের; Excel-এ খুলে .xlsx হিসেবে সংরক্ষণ করে আবার দিন।",
                f"'{name}' is a {Path(name).suffix.lower()} file; open it in Excel, save it as .xlsx and upload that."))
        if Path(name).suffix.lower() not in (".xlsx", ".xlsm") or not is_workbook(data):
            return page(request, "upload.html", 415, error=(
                f"'{name}' একটি Excel ওয়ার্কবুক (.xlsx) নয়। 'ফাঁকা ছক' থেকে নেওয়া ছক পূরণ করে দিন।",
                f"'{name}' is not an Excel workbook (.xlsx). Fill a blank workbook from this site."))
        try:
            id = await run_in_threadpool(_receive, name, data, proof)
        except StateError as e:  # the file is kept in the uploads folder and built when the server starts again
            log.error("upload %s not built: %s", ascii(name), e)
            return page(request, "upload.html", 503, error=(
                "সার্ভার এখন ব্যস্ত; আপনার ফাইলটি রাখা আছে এবং পরে তৈরি হবে। কিছুক্ষণ পরে জমার তালিকা দেখুন।",
                "The server is busy; your file is kept and will be built. Look at the submissions again shortly."))
        if id is None:
            return page(request, "upload.html", 500, error=("ফাইলটি হারিয়ে গেছে; আবার জমা দিন।",
                                                            "The file went missing while it was handled; submit it again."))
        shown = _first_of_a_double_click(id)
        record = _get(id)
        unused = "?evidence=unused" if proof and shown == id and record and record.status == "duplicate" else ""
        return RedirectResponse(f"/submissions/{shown}{unused}", status_code=303)

    def _first_of_a_double_click(id: int) -> int:
        """The same file sent twice within moments (a double-click on the button) shows the first one's page,
        not a 'duplicate' of the clerk's own upload."""
        record = _get(id)
        earlier_id = _earlier(record) if record else None
        earlier = _get(earlier_id) if earlier_id else None
        if earlier is None or earlier.route != "web":
            return id
        age = dt.datetime.fromisoformat(record.received_at) - dt.datetime.fromisoformat(earlier.received_at)
        return earlier.id if age < DOUBLE_CLICK else id

    def _receive(name: str, data: bytes, proof: list[UploadFile]) -> int | None:
        uploads.mkdir(parents=True, exist_ok=True)
        safe = intake.fit(store.safe_name(Path(name).stem, "workbook"), Path(name).suffix.lower())
        tag = uuid.uuid4().hex[:8]
        while evidence.folder_of(state_dir, tag).exists():
            tag = uuid.uuid4().hex[:8]
        folder = evidence.folder_of(state_dir, tag)
        saved = evidence.save(proof, folder) if proof else []  # kept until built: a server stopped meanwhile builds it
        target = uploads / intake.fit(f"{tag}-{Path(safe).stem}", Path(safe).suffix)
        target.write_bytes(data)
        id = intake.receive(target, inbox=uploads, out_root=out_root, state_dir=state_dir, pool=pool, route="web",
                            pdf=evidence.settings(pdf, saved))
        if not target.exists():  # archived or rejected: the bundle holds the evidence now, or it was refused
            evidence.remove(folder)
        return id

    async def login(request: Request):
        if not token:  # nothing to sign in to
            return RedirectResponse("/", status_code=303)
        assert sessions is not None  # made whenever there is a token
        if request.method == "GET":
            return page(request, "login.html", next=_local(request.query_params.get("next", "/")))
        form = await request.form()
        await check_csrf(request, form)
        given, back = str(form.get("token", "")), _local(str(form.get("next", "/")))
        client = request.client.host if request.client else ""
        async with throttle.lock(client):  # one guess at a time per client
            if not hmac.compare_digest(given.encode(), token.encode()):
                await throttle.failed(client)
                return page(request, "login.html", 401, next=back, error=("টোকেন সঠিক নয়।", "Wrong token."))
        throttle.succeeded(client)
        response = RedirectResponse(back, status_code=303)
        # Lax, so a link from e-mail or e-Nothi to a submission finds the clerk signed in; forms stay
        # protected by their CSRF token
        response.set_cookie(SESSION_COOKIE, sessions.new(), max_age=MAX_AGE, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")
        return response

    async def logout(request: Request):
        form = await request.form()
        await check_csrf(request, form)
        if sessions is not None:
            sessions.end(request.cookies.get(SESSION_COOKIE, ""))
        response = RedirectResponse("/login" if token else "/", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    async def error(request: Request, exc: Exception):
        assert isinstance(exc, HTTPException)  # the handler of HTTPException only
        detail = exc.detail if isinstance(exc.detail, str) and " / " in exc.detail else \
            ERRORS.get(exc.status_code, ERRORS[404])
        bn, _, en = detail.partition(" / ")
        return page(request, "error.html", exc.status_code, bn=bn, en=en)

    async def failure(request: Request, exc: Exception):
        bn, _, en = ERRORS[500].partition(" / ")
        return page(request, "error.html", 500, bn=bn, en=en)

    def error_page(scope, status: int, bn: str, en: str) -> Response:
        """An error page for the middleware, which has no request of the app's own."""
        return page(Request(scope), "error.html", status, bn=bn, en=en)

    routes = [
        Route("/", guard(submissions)),
        Route("/submissions/{id}", guard(submission)),
        Route("/submissions/{id}/files/{n:int}", guard(download)),
        Route("/submissions/{id}/next.xlsx", guard(next_period)),
        Route("/upload", guard(upload), methods=["GET", "POST"]),
        Route("/blank", guard(blanks)),
        Route("/blank/{kind}.xlsx", guard(blank)),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        *summary_page.routes(page=page, guard=guard, state_dir=state_dir, out_root=out_root,
                             content_disposition=content_disposition),
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
        evidence.sweep(state_dir, uploads)  # before any request: the evidence of uploads no longer waiting
        return [p for p in sorted(uploads.iterdir()) if p.is_file() and not p.name.startswith(".")]

    def recover(paths: list[Path]) -> None:
        for path in paths:
            kept = evidence.kept_for(state_dir, path)
            if kept and pdf is None:
                log.warning("%s: built without its %d evidence files: this server makes no PDFs", path.name, len(kept))
            intake.receive(path, inbox=uploads, out_root=out_root, state_dir=state_dir, pool=pool, route="web",
                           pdf=evidence.settings(pdf, kept))
            if not path.exists():
                evidence.remove(evidence.folder_of(state_dir, path.name.split("-", 1)[0]))

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

    return Starlette(routes=routes, exception_handlers={HTTPException: error, Exception: failure},
                     middleware=[Middleware(HostCheck, hosts={*LOCAL_HOSTS, *hosts}),
                                 Middleware(UploadLimit, limit=max_upload + (max_evidence if pdf else 0), page=error_page,
                                            message=evidence.too_large(max_upload, max_evidence) if pdf else None)],
                     lifespan=lifespan)
