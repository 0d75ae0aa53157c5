"""A throwaway PostgreSQL for the tests (and benchmarks/register_speed.py): `initdb` and `pg_ctl` in a temporary
folder, on a free loopback port, run as the `postgres` user when we are root (PostgreSQL refuses to run as root);
a fresh database per test, copied from a template that already has the schema (CREATE DATABASE … TEMPLATE).

Without initdb the PostgreSQL tests skip; with GEN_REQUIRE_POSTGRES set (CI) they fail instead."""
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from tests.support.processes import free_port

TEMPLATE = "gen_template"


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def need_postgres() -> Path:
    """The binaries' folder; skip (fail on CI) when PostgreSQL is not installed."""
    found = binaries()
    if found is None:
        if os.environ.get("GEN_REQUIRE_POSTGRES"):
            pytest.fail("initdb not found and GEN_REQUIRE_POSTGRES is set (apt-get install postgresql)")
        pytest.skip("PostgreSQL (initdb) not installed")
    return found


class Cluster:
    """`with Cluster() as pg:` a running server; `pg.fresh()` the URL of a new database with the schema,
    `pg.fresh(empty=True)` of one without (for the migrations). `fsync` off unless asked: nothing here
    needs to survive a power cut, but the benchmark measures with it on."""

    def __init__(self, bin_dir: Path | None = None, *, fsync: bool = False):
        self.bin = bin_dir or need_postgres()
        self.fsync = fsync
        self.root = Path(tempfile.mkdtemp(prefix="gen-pg-"))
        self.data, self.port, self.user = self.root / "data", free_port(), "gen"
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str, timeout: float = 60) -> None:
        done = subprocess.run([*self._as, *args], capture_output=True, text=True, timeout=timeout)
        if done.returncode:
            raise RuntimeError(f"{' '.join(args)}: {done.stdout}{done.stderr}")

    def start(self) -> "Cluster":
        if self._as:
            shutil.chown(self.root, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", self.user, "--auth=trust", "--no-sync",
                  "--encoding=UTF8", "--locale=C")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200 "
                   f"-c fsync={'on' if self.fsync else 'off'} -c shared_buffers=32MB")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-o", options,
                  "-w", "-t", "60", "start")
        self.sql(f"CREATE DATABASE {TEMPLATE}")
        from generator.records import db, idle

        db.connect(self.url(TEMPLATE)).close()  # the schema, once: each test's database is a copy
        from generator.service import queue

        queue.ensure_schema(self.url(TEMPLATE))  # the job queue's tables too
        idle.forget(self.url(TEMPLATE))  # no connection left open to it: CREATE DATABASE … TEMPLATE needs none
        return self

    def url(self, name: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{name}"

    def sql(self, statement: str, params=(), *, database: str = "postgres") -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cur = conn.execute(statement, params or None)
            return cur.fetchall() if cur.description else []

    def fresh(self, *, empty: bool = False) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.sql(f"CREATE DATABASE {name} TEMPLATE {'template0' if empty else TEMPLATE}")
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def halt(self) -> None:
        """Stop the server for real (an outage), keeping its data: `resume()` starts it again."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200 "
                   f"-c fsync={'on' if self.fsync else 'off'} -c shared_buffers=32MB")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-o", options,
                  "-w", "-t", "60", "start")

    def __enter__(self) -> "Cluster":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *_) -> None:
        self.stop()
