"""The job queue of a PostgreSQL state (docs/scale.md): every file to build (a workbook in a watched inbox, an
upload kept by a web server) is a procrastinate job in the same database as the register and the ledger, run by
`gen worker` (service/queue_worker.py). A job names the file, the folder it came into and where its documents
go; the worker builds it through intake, which moves it to archive/ or rejected/ beside the inbox as before.

Jobs of one file share procrastinate's `lock` (one at a time, in order) and `queueing_lock` (at most one
waiting): a file noticed twice is built once. Procrastinate's own schema is applied once, under the state's
migration lock (records/db.py MIGRATION_LOCK), by the first process that needs it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.records import db
from generator.records.state import BUSY_TIMEOUT_S, StateError, database_url, shown

TASK = "gen.build_file"  # the one task: build a file through intake
QUEUE = "builds"
BUNDLES = "bundles"  # the jobs with evidence: taken only by workers that make PDFs (`gen worker` without --no-pdf)
EVIDENCE = ".evidence"  # beside the kept uploads (OUT/.uploads/.evidence/<upload tag>/): every worker sees it


@dataclass(frozen=True)
class FileJob:
    """One file to build: where it is, the folder it came into (archive/ and rejected/ are beside it), where its
    documents go, and by which route it came (watch, web)."""

    path: str
    inbox: str
    out_root: str
    route: str
    evidence: tuple[str, ...] = ()  # its evidence files, relative to out_root: built into the e-Nothi bundle
    bundle: bool = False  # the e-Nothi bundle wanted (a web upload), made by a worker with PDFs

    @property
    def queue(self) -> str:
        return BUNDLES if self.evidence else QUEUE

    @property
    def key(self) -> str:
        """One file, one job at a time."""
        return f"file {Path(self.path).resolve()}"


def evidence_folder(uploads: Path, tag: str) -> Path:
    """The evidence of a queued upload tagged `tag` (its name in `uploads` starts '<tag>-')."""
    return uploads / EVIDENCE / tag


def url_of(state_dir: str | Path) -> str | None:
    """The PostgreSQL URL of a state (a URL, or the local folder of one), None for a SQLite state folder."""
    return database_url(state_dir)


def _psycopg():
    try:
        import procrastinate  # noqa: F401  (checked here: the message names the extra to install)
        import psycopg
    except ImportError:
        raise StateError("postgresql", "procrastinate or psycopg is not installed: pip install 'generator[postgres]'") \
            from None
    return psycopg


def ensure_schema(url: str) -> None:
    """Procrastinate's tables in the state database, created once (under the migration lock: several servers
    may start at the same moment). StateError when the database cannot be reached."""
    psycopg = _psycopg()
    from procrastinate.schema import SchemaManager

    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=db.CONNECT_TIMEOUT_S,
                             application_name="gen queue schema") as conn:
            if conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL").fetchone()[0]:
                return
            try:
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (db.MIGRATION_LOCK,))
                    if not conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL").fetchone()[0]:
                        conn.execute(SchemaManager.get_schema())  # type: ignore[arg-type]
            except (psycopg.errors.DuplicateObject, psycopg.errors.DuplicateTable):
                # made by a server starting at the same moment: let through the lock once that one committed, this
                # one's catalog lookup may not see the new tables yet. Made, whoever made it:
                if not conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL").fetchone()[0]:
                    raise
    except psycopg.Error as e:
        raise StateError(shown(url), str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__) from None


def app_for(url: str, *, worker: bool = False):
    """A procrastinate App on the state database: with the asynchronous connector for a worker, else the
    synchronous one (deferring from a thread of the watcher or the web server)."""
    _psycopg()
    import procrastinate

    options = {"application_name": "gen queue", "connect_timeout": db.CONNECT_TIMEOUT_S}
    if worker:
        return procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url, kwargs=options, min_size=1,
                                                                          max_size=4))
    # a clerk's upload waits for a lock held on the jobs table no longer than for the register's (a StateError)
    from psycopg.conninfo import conninfo_to_dict

    given = conninfo_to_dict(url).get("options") or ""  # the URL's own (a search_path) kept: a keyword wins over it
    options["options"] = f"{given} -c lock_timeout={int(BUSY_TIMEOUT_S * 1000)}".strip()
    connector = procrastinate.SyncPsycopgConnector(conninfo=url, kwargs=options, min_size=1, max_size=4)
    return procrastinate.App(connector=connector)


class Queue:
    """`with Queue(url) as queue: queue.defer(job)`: the side that enqueues (the watcher, the web server)."""

    def __init__(self, url: str):
        self.url = url
        ensure_schema(url)
        self.app = app_for(url)
        self._psycopg = _psycopg()

    def __enter__(self) -> Queue:
        try:
            self.app.open()
        except Exception as e:  # procrastinate's ConnectorException wraps psycopg's
            raise StateError(shown(self.url), str(e) or type(e).__name__) from None
        return self

    def __exit__(self, *_: object) -> None:
        self.app.close()

    def defer(self, job: FileJob) -> int | None:
        """Enqueue a build of this file; its job id, or None when a job for it is already waiting."""
        import procrastinate.exceptions

        try:
            return self.app.configure_task(TASK, queue=job.queue, lock=job.key, queueing_lock=job.key).defer(
                path=job.path, inbox=job.inbox, out_root=job.out_root, route=job.route,
                **({"evidence": list(job.evidence)} if job.evidence else {}),  # a job without: as before
                **({"bundle": True} if job.bundle or job.evidence else {}))
        except procrastinate.exceptions.AlreadyEnqueued:
            return None
        except procrastinate.exceptions.ProcrastinateException as e:
            raise StateError(shown(self.url), str(e) or type(e).__name__) from None

    def status(self, job_id: int) -> str | None:
        """todo (waiting), doing (being built), succeeded, failed, cancelled…; None if no such job."""
        try:
            with self._psycopg.connect(self.url, autocommit=True, connect_timeout=db.CONNECT_TIMEOUT_S) as conn:
                row = conn.execute("SELECT status::text FROM procrastinate_jobs WHERE id = %s", (job_id,)).fetchone()
        except self._psycopg.Error as e:
            raise StateError(shown(self.url), str(e).strip().splitlines()[0]) from None
        return row[0] if row else None
