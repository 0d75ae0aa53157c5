"""The web application: the shared desk, the routes to each view, the middleware and the start-up work."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from generator.documents.settings import PdfSettings
from generator.records.owners import Lease
from generator.records.state import StateError
from generator.service import queue
from generator.spec import settings
from generator.service.builds import BuildPool
from generator.service.workers import Limits
from generator.web import evidence, uploads
from generator.web.credentials import Limiter
from generator.web.desk import Desk, templates
from generator.web.middleware import LOCAL_HOSTS, HostCheck, UploadLimit
from generator.web.sessions import Sessions
from generator.web.texts import MB
from generator.web.views.blanks import blank, blanks
from generator.web.views.errors import error_page, http_error, server_error, state_error
from generator.web.views.sign_in import login, logout
from generator.web.views.submission import download, next_period, submission
from generator.web.views.submissions import submissions
from generator.web.views.summary import summary, summary_file
from generator.web.views.progress import progress
from generator.web.views.upload import upload
from generator.web.desk import signed_in
from generator.web.script import SCRIPT
from generator.web.style import CSS


STOP_WAIT_S = 30.0  # seconds a stopping server waits for the uploads it is building (deploy/: TimeoutStopSec=60);
# one still building then is cut short, kept, and built by the next start


async def site_css(request: Request) -> Response:
    return Response(CSS, media_type="text/css", headers={"cache-control": "public, max-age=3600"})


async def look_again_js(request: Request) -> Response:
    return Response(SCRIPT, media_type="text/javascript", headers={"cache-control": "public, max-age=3600"})


ROUTES = [
    Route("/site.css", site_css),
    Route("/look-again.js", look_again_js),
    Route("/", signed_in(submissions)),
    Route("/submissions/{id}", signed_in(submission)),
    Route("/submissions/{id}/files/{n:int}", signed_in(download)),
    Route("/submissions/{id}/next.xlsx", signed_in(next_period)),
    Route("/upload", signed_in(upload), methods=["GET", "POST"]),
    Route("/uploads/{tag}", signed_in(progress)),
    Route("/blank", signed_in(blanks)),
    Route("/blank/{kind}.xlsx", signed_in(blank)),
    Route("/summary", signed_in(summary)),
    Route("/summary.{what:str}", signed_in(summary_file)),
    Route("/login", login, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["POST"]),
]


def create_app(*, out_root: Path, state_dir: Path, token: str | None = None, max_upload: int = 10 * MB,
               limits: Limits | None = None, jobs: int = 2, hosts: tuple[str, ...] = (),
               pdf: PdfSettings | None = None, max_evidence: int = evidence.DEFAULT_CAP,
               answer_within: float | None = None, owner: str | None = None) -> Starlette:
    """`hosts`: the names and addresses the page may be asked for besides the local ones (`--host`,
    `--allowed-host`). `pdf`: PDFs beside the Word files, through the LibreOffice the caller keeps warm, and
    for each upload the e-Nothi bundle with the evidence files sent with it (at most `max_evidence` bytes).
    `answer_within`: seconds an upload waits for its build before the clerk is shown the page that says it is
    building (GEN_WEB_ANSWER_WITHIN, else 2). `owner`: the server's lease (`gen serve` holds one for the state
    folder alone); without it the app takes its own for as long as it runs."""
    url = queue.url_of(state_dir)
    desk = Desk(Path(out_root).resolve(), Path(state_dir).resolve(),
                BuildPool(jobs, limits, start_method="forkserver"),  # builds in workers (none started with the queue)
                templates(max_upload, max_evidence, pdf is not None or bool(url)), token, max_upload, max_evidence,
                None if url else pdf, owner=owner, queued=url is not None)
    desk.sessions = Sessions(desk.state_dir, token) if token else None
    desk.limiter = Limiter(desk.state_dir)  # wrong credentials counted in the state database: shared by all servers
    desk.answer_within = answer_within if answer_within is not None else settings.number("GEN_WEB_ANSWER_WITHIN", 2.0, 0.0)
    held: list = []

    @contextlib.asynccontextmanager
    async def lifespan(app):
        lease = None
        if desk.owner is None:
            lease = Lease(desk.state_dir, "serve", desk.uploads,  # its lease ran out: new uploads under a new one
                          on_new_owner=lambda fresh: setattr(desk, "owner", fresh.id))
            desk.owner = lease.__enter__().id
        stopping = threading.Event()
        if url:  # uploads are jobs of the queue: any kept but never queued (a server stopped) are queued again
            desk.queue = await run_in_threadpool(lambda: queue.Queue(url).__enter__())
            thread = threading.Thread(target=uploads.requeue, args=(desk, stopping), name="requeue-uploads",
                                      daemon=True)
            thread.start()
        else:  # built in the background: the pages answer meanwhile
            desk.register.open()  # there once the lease is taken
            thread = threading.Thread(target=uploads.recover, args=(desk, uploads.leftovers(desk, held), stopping),
                                      name="recover-uploads", daemon=True)
            thread.start()
        yield
        stopping.set()
        building = [f.task for f in desk.flights.by_tag.values() if f.task is not None and not f.task.done()]
        if building:  # the uploads in hand are finished while LibreOffice is still there (a restart cuts none)
            await asyncio.wait(building, timeout=STOP_WAIT_S)
        await run_in_threadpool(thread.join, 5)
        if desk.queue is not None:
            desk.queue.__exit__(None, None, None)
        await run_in_threadpool(desk.pool.close)
        building = [task for task in building if not task.done()]
        if building:  # cut short by the pool's closing (service-stopped): they end at once, their records written
            await asyncio.wait(building)
        await run_in_threadpool(thread.join)  # before the lease's and the register's files are closed
        for lock in held:
            lock.close()
        if lease is not None:
            lease.__exit__(None, None, None)
            desk.register.close()  # after the lease's connections: closing it drops the process's locks on the
            # file (`gen serve`'s own lease outlives the app: closed at its exit)

    app = Starlette(routes=ROUTES, exception_handlers={HTTPException: http_error, StateError: state_error,
                                                        Exception: server_error},
                    middleware=[Middleware(HostCheck, hosts={*LOCAL_HOSTS, *hosts}),
                                Middleware(UploadLimit, limit=max_upload + (max_evidence if pdf else 0), page=error_page,
                                           message=evidence.too_large(max_upload, max_evidence) if pdf else None)],
                    lifespan=lifespan)
    app.state.desk = desk
    return app
