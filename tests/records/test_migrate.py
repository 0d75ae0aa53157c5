"""`gen state migrate --from DIR --to postgresql://…`: a real SQLite register and ledger copied into a real
throwaway PostgreSQL, the folder marked so that it never issues another number, a move killed half-way (a real
process, SIGKILL in the middle of its transaction) and run again."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from generator.records import state
from generator.records.moved import MoveUnfinished, RegisterMoved
from generator.records.owners import Lease
from generator.records.register import Register
from generator.spec.memo import register_prefix
from tests.support.processes import free_port, service_env
from tests.support.workbooks import MYMENSINGH, ROWS, fill_cc
from tests.support.cli import gen_here

PREFIX = "৪৬.১১.১৬০০.০০১.১৮.০৪১.০৭"


def gen(*args, env=None, timeout=180, cwd=None):
    return subprocess.run([sys.executable, "-m", "generator.cli", *map(str, args)], capture_output=True, text=True,
                          env={**service_env(), **(env or {})}, timeout=timeout, cwd=cwd)


def rows(url, sql):
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def filled_register(folder: Path, out: Path, memos: int, files: int) -> None:
    """A SQLite state as years of use leave it: `memos` serials over three prefixes (some void, one reserved by a
    process long dead), `files` ledger entries with absolute paths into the store `out` (and one outside it)."""
    db = state.connect(folder)
    prefixes = [f"{PREFIX}{n}" for n in "০১২"]
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO memos (prefix, serial, content_hash, source, kind, office, fiscal_year, period, issued_at, "
        "explicit, state, submission, owner, prefix_key) VALUES (?, ?, ?, 's.xlsx', 'cc', 'অফিস', '2023-24', 'q1', "
        "'2024-01-01T00:00:00', 0, ?, ?, ?, ?)",
        [(prefixes[i % 3], i // 3 + 1, f"h{i}", "void" if i % 17 == 0 else "reserved" if i == memos - 1 else "issued",
          i + 1, "dead-owner" if i == memos - 1 else None, register_prefix(prefixes[i % 3])) for i in range(memos)])
    db.executemany(
        "INSERT INTO files (id, name, file_hash, status, memo, outputs, received_at, route, details) "
        "VALUES (?, ?, ?, 'built', ?, ?, '2024-01-01T00:00:00', 'watch', ?)",
        [(i * 2 + 5, f"w{i}.xlsx", f"f{i}", f"{PREFIX}০-{i + 1}",
          json.dumps([str(out / "2023-24" / "অফিস" / "cc-q1" / f"letter{i}.docx"),
                      "/elsewhere/annex.docx" if i == 0 else str(out / f"annex{i}.docx")], ensure_ascii=False),
          json.dumps({"issues": [], "score": {"total": i}})) for i in range(files)])
    db.execute("INSERT INTO web_secrets (name, value) VALUES ('web', ?)", ("ab" * 32,))
    db.execute("COMMIT")
    db.close()


def test_migrate_copies_with_ids_makes_paths_relative_and_the_folder_issues_no_more(postgres, tmp_path):
    folder, out = tmp_path / "state", tmp_path / "out"
    workbook = fill_cc(tmp_path, MYMENSINGH, ROWS)
    built = gen("build", workbook, "--out", out, "--state", folder, "--date", "2023-10-10", "--json")
    assert built.returncode == 0, built.stderr
    memo = json.loads(built.stdout)["memo"]
    filled_register(folder, out, memos=40, files=10)  # beside the real build's memo and file

    run = gen("state", "migrate", "--from", folder, "--to", postgres, "--store", out)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "✘" not in run.stdout and run.stdout.count("✔") == 6, run.stdout  # 3 + the real prefix, the files, done
    assert "এখন থেকে" in run.stdout and "From now on give --state" in run.stdout

    source = __import__("sqlite3").connect(folder / "register.sqlite3")
    for sql in ("SELECT prefix, serial, content_hash, state, owner, submission FROM memos ORDER BY prefix, serial",
                "SELECT id, name, file_hash, status, memo, details FROM files ORDER BY id",
                "SELECT name, value FROM web_secrets",
                "SELECT prefix, serial, memo, content_hash, path, created_at FROM versions ORDER BY prefix, serial",
                "SELECT prefix_key, separator, typed, source FROM memo_forms ORDER BY prefix_key"):
        assert rows(postgres, sql) == source.execute(sql).fetchall(), sql
    assert len(rows(postgres, "SELECT 1 FROM versions")) == 1  # the real build's version, with its memo's form
    assert len(rows(postgres, "SELECT 1 FROM memo_forms")) == 1
    outputs = {id: json.loads(o) for id, o in rows(postgres, "SELECT id, outputs FROM files")}
    assert outputs[5] == ["2023-24/অফিস/cc-q1/letter0.docx", "/elsewhere/annex.docx"]  # relative; outside kept
    real = [p for p in outputs.values() if any("versions" in q for q in p)][0]
    assert all(not os.path.isabs(p) and (out / p).is_file() for p in real)  # the real build's documents, found
    # a file recorded now on PostgreSQL gets the id after the last one copied
    assert rows(postgres, "SELECT nextval(pg_get_serial_sequence('files', 'id'))")[0][0] == \
        max(outputs) + 1

    refused = gen("build", workbook, "--out", out, "--state", folder)  # no split brain
    assert refused.returncode == 3 and "Traceback" not in refused.stderr
    assert state.shown(postgres) in refused.stderr and "সরানো হয়েছে" in refused.stderr and \
        "was moved to" in refused.stderr, refused.stderr
    with pytest.raises(RegisterMoved):
        Register(folder)
    for command in (("watch", "--inbox", tmp_path / "inbox"), ("serve", "--port", "1"), ("register",)):
        other = gen(*command, "--state", folder, *(("--out", out, "--no-pdf") if command[0] != "register" else ()))
        assert other.returncode == 3 and "Use --state" in other.stderr and "Traceback" not in other.stderr, command
    listed = gen("register", "--state", postgres, env={"GEN_STATE_DIR": str(tmp_path / "local")})
    assert memo.rsplit("-", 1)[0] in listed.stdout
    with Register(postgres) as register:  # the sequence continues on PostgreSQL
        entry, _ = register.allocate(f"{PREFIX}০", "new content", source="n.xlsx", kind="cc", office="অফিস",
                                     fiscal_year="2023-24", period="q1")
    assert entry.serial == 15  # 40 memos over three prefixes: 1..14 under the first
    again = gen("state", "migrate", "--from", folder, "--to", postgres)
    assert again.returncode == 2 and "nothing left to do" in again.stderr


def test_a_target_holding_records_is_refused_and_the_folder_stays_the_register(postgres, tmp_path):
    folder = tmp_path / "state"
    filled_register(folder, tmp_path / "out", memos=5, files=2)
    with Register(postgres) as register:
        register.allocate("other", "x", source="x.xlsx", kind="cc", office="o", fiscal_year="2023-24", period="q1")
    run = gen("state", "migrate", "--from", folder, "--to", postgres)
    assert run.returncode == 2 and "already holds memos or files" in run.stderr and "আগেই" in run.stderr
    assert rows(postgres, "SELECT count(*) FROM memos") == [(1,)]
    Register(folder).close()  # not marked: still the register


def test_a_folder_a_service_still_runs_on_is_refused(postgres, tmp_path):
    folder = tmp_path / "state"
    filled_register(folder, tmp_path / "out", memos=5, files=2)
    with Lease(folder, "watch", tmp_path / "inbox"):
        run = gen("state", "migrate", "--from", folder, "--to", postgres)
    assert run.returncode == 2 and "gen watch" in run.stderr and "stop them" in run.stderr
    assert rows(postgres, "SELECT count(*) FROM memos") == [(0,)]
    Register(folder).close()


def test_an_unreachable_target_changes_nothing(tmp_path):
    folder = tmp_path / "state"
    filled_register(folder, tmp_path / "out", memos=5, files=2)
    run = gen("state", "migrate", "--from", folder, "--to", f"postgresql://gen@127.0.0.1:{free_port()}/none",
              env={"GEN_STATE_CONNECT_TIMEOUT": "3"})
    assert run.returncode == 3 and "PostgreSQL" in run.stderr and "Traceback" not in run.stderr
    Register(folder).close()


def _writing(url: str) -> bool:
    """The migrate's copy into this database has begun (its transaction holds an id while it inserts memos). Not
    just any write: the target's `receiving` mark is written first, before the folder is marked `moving`, and a
    kill there leaves the folder still the register (as it should; this test once caught that moment)."""
    name = url.rsplit("/", 1)[1]
    return bool(rows(url.rsplit("/", 1)[0] + "/postgres",
                     f"SELECT 1 FROM pg_stat_activity WHERE datname = '{name}' AND backend_xid IS NOT NULL "
                     "AND query LIKE 'INSERT INTO memos %'"))


def test_a_move_killed_half_way_leaves_the_target_empty_and_runs_again(postgres, tmp_path):
    folder, out = tmp_path / "state", tmp_path / "out"
    filled_register(folder, out, memos=30000, files=20000)
    Register(postgres).close()  # a connection this process keeps idle, and takes again after the kill
    proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "state", "migrate", "--from", str(folder),
                             "--to", postgres, "--store", str(out)], env=service_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not _writing(postgres):
        assert proc.poll() is None and time.monotonic() < deadline, "the move ended before it could be killed"
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)  # in the middle of its copy
    proc.wait(timeout=10)
    time.sleep(0.5)  # PostgreSQL notices the connection gone and rolls its transaction back
    assert rows(postgres, "SELECT (SELECT count(*) FROM memos), (SELECT count(*) FROM files)") == [(0, 0)]
    with pytest.raises(RegisterMoved) as moving:  # meanwhile the folder issues nothing, and says why
        Register(folder)
    assert moving.value.state == "moving" and "gen state migrate" in moving.value.en
    # and the target issues nothing either (found by a hostile run: services pointed at it numbered from 1 again,
    # the serials the folder had issued, on letters in another output folder)
    with pytest.raises(MoveUnfinished) as unfinished:
        Register(postgres)
    assert str(folder) in unfinished.value.en and "gen state migrate" in unfinished.value.en
    workbook = fill_cc(tmp_path, MYMENSINGH, ROWS)  # nor writes anything there (a re-attack: a build's ledger row
    built = gen("build", workbook, "--out", tmp_path / "pg-out", "--state", postgres)  # stopped every later run)
    assert built.returncode == 3 and "did not finish" in built.stderr and "Traceback" not in built.stderr
    assert rows(postgres, "SELECT (SELECT count(*) FROM memos), (SELECT count(*) FROM files)") == [(0, 0)]

    run = gen("state", "migrate", "--from", folder, "--to", postgres, "--store", out)
    assert run.returncode == 0, run.stdout + run.stderr
    assert rows(postgres, "SELECT (SELECT count(*) FROM memos), (SELECT count(*) FROM files)") == [(30000, 20000)]
    with Register(postgres) as target:  # the move done: it issues, after the folder's serials
        entry, _ = target.allocate(PREFIX + "০", "after", source="a.xlsx", kind="cc", office="o",
                                   fiscal_year="2023-24", period="q1")
    assert entry.serial == 1 + max(s for (s,) in rows(postgres, f"SELECT serial FROM memos WHERE prefix = '{PREFIX}০' "
                                                                 "AND content_hash != 'after'"))
    assert not any(str(out) in o for (o,) in rows(postgres, "SELECT outputs FROM files"))


def _committed_not_marked(postgres: str, tmp_path: Path, memos: int) -> Path:
    """A folder moved into `postgres` by a run killed between its commit and its mark (the mark set back)."""
    folder = tmp_path / "state"
    filled_register(folder, tmp_path / "out", memos=memos, files=5)
    assert gen("state", "migrate", "--from", folder, "--to", postgres).returncode == 0
    db = state.connect(folder)
    db.execute("UPDATE register_moved SET state = 'moving'")  # as the kill left it
    db.close()
    return folder


def test_a_move_committed_but_not_marked_is_finished_by_running_it_again(postgres, tmp_path):
    """Killed between its commit and its mark: the folder still says `moving`, the target holds the copy. Run
    again, the copy is checked against the folder and the mark set; nothing is copied twice."""
    folder = _committed_not_marked(postgres, tmp_path, memos=50)
    run = gen("state", "migrate", "--from", folder, "--to", postgres)
    assert run.returncode == 0 and "earlier run" in run.stdout, run.stdout + run.stderr
    assert "built there since" not in run.stdout  # nothing was
    assert rows(postgres, "SELECT count(*) FROM memos") == [(50,)]
    with pytest.raises(RegisterMoved) as done:
        Register(folder)
    assert done.value.state == "moved"


def test_a_move_committed_but_not_marked_and_built_on_since_is_finished_by_running_it_again(postgres, tmp_path):
    """Found by a hostile run: killed between its commit and its mark, then a build on PostgreSQL (rightly: the
    copy was whole): every later run refused ('give an empty database') while the folder said to run it again."""
    folder = _committed_not_marked(postgres, tmp_path, memos=20)
    with Register(postgres) as target:
        target.allocate(PREFIX + "০", "built on postgresql", source="p.xlsx", kind="cc", office="o",
                        fiscal_year="2023-24", period="q1")
    run = gen("state", "migrate", "--from", folder, "--to", postgres)
    assert run.returncode == 0 and "earlier run" in run.stdout and "built there since" in run.stdout, \
        run.stdout + run.stderr
    assert rows(postgres, "SELECT count(*) FROM memos") == [(21,)]
    with pytest.raises(RegisterMoved) as done:
        Register(folder)
    assert done.value.state == "moved"


def test_postgresql_stopped_during_the_copy_leaves_the_folder_the_register(tmp_path):
    """The database goes away in the middle of the copy (`pg_ctl stop`, for real): exit 3 with the message, no
    traceback; nothing committed, so the folder is the register again; once it is back, the move runs."""
    from tests.support.postgres import Cluster

    folder = tmp_path / "state"
    filled_register(folder, tmp_path / "out", memos=30000, files=20000)
    with Cluster() as cluster:
        url = cluster.fresh()
        proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "state", "migrate", "--from", str(folder),
                                 "--to", url], env=service_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        deadline = time.monotonic() + 60
        while not _writing(url):
            assert proc.poll() is None and time.monotonic() < deadline, "the move ended before the database stopped"
            time.sleep(0.005)
        cluster.halt()
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 3 and "Traceback" not in err and "PostgreSQL" in err, err
        Register(folder).close()  # not marked: it is still the register
        cluster.resume()
        assert rows(url, "SELECT count(*) FROM memos") == [(0,)]
        run = gen("state", "migrate", "--from", folder, "--to", url)
        assert run.returncode == 0, run.stderr
        assert rows(url, "SELECT count(*) FROM memos") == [(30000,)]


def test_paths_stored_relative_to_where_gen_build_ran_are_made_relative_to_the_store(postgres, tmp_path):
    """`gen build --out output` (a relative root) stored `output/2022-23/…`; moved from the same folder with
    `--store output`, they become `2022-23/…`, which the web page finds under its own --out."""
    workbook = fill_cc(tmp_path, MYMENSINGH, ROWS)
    built = gen("build", workbook, "--out", "output", "--state", "state", "--date", "2023-10-10", "--json", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert all(p.startswith("output/") for p in json.loads(built.stdout)["outputs"])
    run = gen("state", "migrate", "--from", "state", "--to", postgres, "--store", "output", cwd=tmp_path)
    assert run.returncode == 0 and "made relative to the store: 2" in run.stdout, run.stdout + run.stderr
    (outputs,), = rows(postgres, "SELECT outputs FROM files")
    assert all(not p.startswith("output") and (tmp_path / "output" / p).is_file() for p in json.loads(outputs))


def test_work_a_crashed_watcher_left_is_taken_over_on_postgresql_after_the_move(postgres, tmp_path, monkeypatch):
    """A watcher on the folder was killed while it held a file (its entry `processing`, its lease over); after
    the move, a watcher on PostgreSQL knows the entry by the inbox its owner served, and builds the file on it."""
    from tests.support.processes import Watch
    from tests.support.queue import worker
    from tests.support.workbooks import make_workbooks
    from generator.xlsx.source import load

    monkeypatch.setenv("GEN_STATE_DIR", str(tmp_path / "local"))
    folder, inbox = tmp_path / "state", tmp_path / "inbox"
    inbox.mkdir()
    workbook, = make_workbooks(inbox, 1)
    db = state.connect(folder)
    db.execute("INSERT INTO owners (id, role, scope, host, boot_id, pid, started_at, lease_until) VALUES "
               "('killed', 'watch', ?, 'app1', 'boot', 4242, '2024-01-01T00:00:00', 0)", (str(inbox.resolve()),))
    db.execute("INSERT INTO files (id, name, file_hash, status, received_at, route, owner) "
               "VALUES (7, ?, ?, 'processing', '2024-01-01T00:00:00', 'watch', 'killed')",
               (workbook.name, load(workbook).digest))
    db.close()
    assert gen("state", "migrate", "--from", folder, "--to", postgres).returncode == 0
    assert rows(postgres, "SELECT id, scope FROM owners") == [("killed", str(inbox.resolve()))]
    watcher, builder = Watch(tmp_path, "--state", postgres), worker(tmp_path, postgres)
    try:
        watcher.wait(lambda: rows(postgres, "SELECT status FROM files WHERE id = 7") == [("built",)], what="built")
    finally:
        builder.stop()
        watcher.stop()
    assert rows(postgres, "SELECT count(*), max(attempts) FROM files") == [(1, 2)]  # on its entry, the crash counted
    assert watcher.archived() == [workbook.name]


def test_a_damaged_or_foreign_register_is_told_as_such_not_as_a_permission(tmp_path):
    """Found by a hostile run: `gen register` on a damaged file said 'Make it writable', which would not help."""
    state = tmp_path / "state"
    state.mkdir()
    (state / "register.sqlite3").write_bytes(b"\x07" * 4096)
    run = gen_here("register", "--state", str(state))
    assert run.returncode == 3 and "damaged or not this program's" in run.stderr and "নষ্ট" in run.stderr
    assert "Make it writable" not in run.stderr and "Traceback" not in run.stderr


def test_a_state_address_misspelt_or_a_pointer_naming_nothing_never_starts_a_register(tmp_path, monkeypatch):
    """Found by a re-attack: --state 'postgresql+psycopg://…' (or an empty `database` file in a state folder) was
    taken as a folder of its own: a new SQLite register, numbering from the first memo again."""
    from generator.records import state

    assert state.as_given(" POSTGRESQL://u@h/db") == "postgresql://u@h/db" and state.as_given("out/st") == "out/st"
    odd = "postgresql+psycopg://u@h/db"
    monkeypatch.chdir(tmp_path)  # taken as a folder, it would be made here
    run = gen_here("register", "--state", odd)
    assert run.returncode == 2 and "ঠিকানাটি এই প্রোগ্রাম চেনে না" in run.stderr and "looks like an address" in run.stderr
    assert not list(tmp_path.rglob("register.sqlite3"))
    pointer = tmp_path / "pg"
    pointer.mkdir()
    (pointer / "database").write_text("\n")
    run = gen_here("register", "--state", str(pointer))
    assert run.returncode == 3 and "names no PostgreSQL database" in run.stderr, run.stderr
    assert not (pointer / "register.sqlite3").exists()


@pytest.mark.parametrize("given", [
    "host=127.0.0.1 port=5432 user=gen password=KvSecret dbname=gen target_session_attrs=read-write",
    "service=gen",
    '"postgresql://gen:KvSecret@127.0.0.1/gen"',
    "'postgresql://gen:KvSecret@127.0.0.1/gen'",
])
def test_a_connection_string_or_a_quoted_address_is_refused_never_a_register_of_its_own(tmp_path, monkeypatch, given):
    """helper-44: a libpq keyword string (which docs/scale.md itself suggested) or an address with the quotes an env
    file kept was taken as a folder in the current directory: a second register, and a second letter with memo -১.
    Refused, by --state and by $GEN_STATE, with the password never shown."""
    monkeypatch.chdir(tmp_path)
    run = gen_here("register", "--state", given)
    assert run.returncode == 2 and "পড়ে না" in run.stderr and "KvSecret" not in run.stderr + run.stdout, run.stderr
    monkeypatch.setenv("GEN_STATE", given)
    monkeypatch.setenv("GEN_STATE_DIR", str(tmp_path / "local"))
    source = fill_cc(tmp_path, MYMENSINGH, ROWS)
    run = gen_here("build", source, "--out", tmp_path / "out")
    assert run.returncode == 3 and "পড়ে না" in run.stderr and "nothing was built" in run.stderr, run.stderr
    assert "KvSecret" not in run.stderr + run.stdout
    assert not list(tmp_path.rglob("register.sqlite3")) and not (tmp_path / "out").exists()


def test_a_password_is_never_shown_wherever_it_was_typed_in_the_address():
    """helper-44: '?password=…' in the query was shown on the clerks' web page; a password holding '/' or '@' too."""
    for url in ("postgresql://gen@127.0.0.1:55450/g22?password=WebSecret42",
                "postgresql://gen@h/db?sslmode=require&password=WebSecret42&application_name=x",
                "postgresql://gen:WebSecret42@h/db", "postgresql://gen:Web/Secret42@h/db",
                "postgresql://gen:Web@Secret42@h/db", "postgresql://gen:Web?Secret42@h/db",
                "postgresql://gen:Web#Secret42@h/db", "host=h password='Web Secret42' dbname=gen"):
        assert "Secret42" not in state.shown(url) and "***" in state.shown(url), url
        error = state.StateError(url, "too many clients already")
        assert "Secret42" not in error.bn + error.en, url
    assert state.shown("postgresql://gen@h/db?sslmode=require") == "postgresql://gen@h/db?sslmode=require"
    assert state.as_given("'s-Hertogenbosch/gen") == "'s-Hertogenbosch/gen"  # one quote is a name, not quotes


def test_a_local_state_folder_in_kept_quotes_is_refused(tmp_path, monkeypatch):
    """$GEN_STATE_DIR (set by the service units) with the quotes an env file kept was a folder of that name in the
    current directory: a second register, as $GEN_STATE's was."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GEN_STATE_DIR", '"/var/lib/gen"')
    monkeypatch.delenv("GEN_STATE", raising=False)
    with pytest.raises(state.StateAddressError, match="in quotes"):
        state.default_state_dir()
    assert not list(tmp_path.iterdir())


def test_a_register_held_open_across_the_move_issues_nothing_more(postgres, tmp_path):
    """Found by a hostile run: a `gen build` stopped (Ctrl-Z) while its lease ran out, `gen state migrate`, then
    the build resumed: its connection, opened before the move, still issued a serial from the folder, and
    PostgreSQL issued the same serial to another letter. Each write is now checked against the mark under the
    write lock: the connection opened before the move neither takes nor confirms a serial after it."""
    folder = tmp_path / "state"
    filled_register(folder, tmp_path / "out", memos=3, files=1)
    meta = dict(source="a.xlsx", kind="cc", office="অফিস", fiscal_year="2023-24", period="q1")
    stopped = Register(folder)  # as the stopped build holds it
    reserved, _ = stopped.allocate(PREFIX, "reserved before the move", **meta)
    run = gen("state", "migrate", "--from", folder, "--to", postgres)
    assert run.returncode == 0, run.stdout + run.stderr
    try:
        with pytest.raises(RegisterMoved):
            stopped.allocate(PREFIX, "after the move", **meta)
        with pytest.raises(RegisterMoved):
            stopped.record(PREFIX, 99, "typed after the move", **meta)
        with pytest.raises(RegisterMoved):
            stopped.confirm(reserved)
    finally:
        stopped.close()
    assert [r for r in rows(postgres, "SELECT serial, state FROM memos WHERE content_hash LIKE '%move%'")] == \
        [(reserved.serial, "reserved")]
    held = __import__("sqlite3").connect(folder / "register.sqlite3")
    assert held.execute("SELECT count(*) FROM memos WHERE content_hash LIKE '%after the move%'").fetchone() == (0,)
    assert held.execute("SELECT state FROM memos WHERE serial = ? AND content_hash = ?",
                        (reserved.serial, reserved.content_hash)).fetchone() == ("reserved",)


def test_a_state_database_held_by_another_program_says_so_not_make_it_writable(tmp_path, monkeypatch):
    """helper-46: a register held by an sqlite3 shell past the busy timeout was told 'Make it writable or give
    another with --state', which would not help (and another state would start a second register)."""
    import sqlite3

    folder = tmp_path / "state"
    Register(folder).close()
    monkeypatch.setattr(state, "BUSY_TIMEOUT_S", 0.5)
    holder = sqlite3.connect(folder / "register.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        run = gen_here("build", fill_cc(tmp_path, MYMENSINGH, ROWS), "--out", tmp_path / "out", "--state", folder)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert run.returncode == 3 and "held by another program" in run.stderr and "আটকে রেখেছে" in run.stderr, run.stderr
    assert "Make it writable" not in run.stderr
