"""The store of documents behind one small interface, `Store`, so that the pipeline does not care where versions
live. Today one implementation, `Folder`: a POSIX folder (local, or an NFS/SMB share mounted on every server),
with the functions of store.py (versions staged then renamed, never overwritten; the current view's copies).

Every address a store is given or returns to the database is RELATIVE to its root: `report` is a report's place
('2023-24/<office>/cc-q1'), a version's path is `<report>/versions/<memo folder>` (versions.relative), so two
servers mounting the share at different paths agree, and `gen state migrate` can rewrite a root, not every row.

What an implementation must keep (and what an S3-compatible store would do for each):
- `write_version` makes a version's documents visible all at once or not at all, and never replaces a version
  already there: `commit` (the register's confirmation, which writes the `versions` row: the commit point) is
  called once everything is written but nothing is visible yet; if it raises, nothing becomes visible.
  S3: upload each object under a staging prefix, call `commit`, then copy to the final keys with
  `If-None-Match: *` (a conditional write: an existing key is never replaced) and delete the staging objects;
  a reader trusts a version only when its `.content` stamp is there (written last).
- `update_current` replaces the report's current copies only when this version's serial is higher than the one
  the current view names, under `lock` (a database lock shared by every server: view_lock). S3: the same, the
  current view being a small `CURRENT.txt` object written after the copies.
- A build killed between `commit` and the version becoming visible leaves the register saying issued (and a
  `versions` row) with no version in the store: the next build of the same content reuses the serial and
  writes the same version (tests/records/test_store.py). Staging leftovers are swept after an hour.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

from generator.records import db, memos, state, store, versions
from generator.records.owners import LEASE_S, Owners


class Store(Protocol):
    root: Path

    def version_path(self, report: str, memo: str) -> str:
        """Where the version of `memo` is, relative to the root (the `versions` row's path)."""
        ...

    def write_version(self, report: str, memo: str, content_hash: str, documents: dict[str, bytes], *,
                      ours: bool = False, commit: Callable[[], None] | None = None, register: str = "") -> list[Path]:
        """Write one version's documents all at once, or find the same content's there already (store.write_version);
        `memo` is claimed for `report` by `register` (its identity) first, so no other report prints it (memos.py)."""
        ...

    def update_current(self, report: str, *, prefix: str, serial: int, memo: str, source: str, paths: list[Path],
                       reused: bool = False) -> bool:
        """Make this version the current view if its serial is the highest (store.update_current)."""
        ...

    def printed_through(self, prefix: str, serial: int) -> int:
        """The last serial of the run from `serial` on whose memos are printed in the store (memos.printed_through)."""
        ...


class Folder:
    """The store on a POSIX folder: `root` is the output folder; the current view's lock is taken in the state's
    database when it is PostgreSQL (every server sees it), else with a file lock in the state folder, as before."""

    def __init__(self, root: Path, state_dir: Path, owner: str | None = None):
        self.root, self.state_dir, self.owner = Path(root), Path(state_dir), owner

    def version_path(self, report: str, memo: str) -> str:
        return f"{report}/{store.VERSIONS}/{store.version_name(memo)}"

    def write_version(self, report: str, memo: str, content_hash: str, documents: dict[str, bytes], *,
                      ours: bool = False, commit: Callable[[], None] | None = None, register: str = "") -> list[Path]:
        with memos.claimed(self.root, memo, report, register, self.owner or "", self._ran_out, self._holds,
                           issued=ours):
            return store.write_version(self.root / report, memo, content_hash, documents, ours=ours, commit=commit,
                                       owner=self.owner, gone=self._gone)

    def printed_through(self, prefix: str, serial: int) -> int:
        return memos.printed_through(self.root, prefix, serial)

    def sweep_beside(self, paths: list[str]) -> None:
        """Left-over staging beside these documents' versions, whose owner's lease ran out (store.sweep_beside)."""
        store.sweep_beside(paths, self._gone)

    def _ran_out(self, owner: str) -> bool:
        """Whether `owner` is one of this state's owners whose lease ran out (one this state does not know may be
        another state's, alive there: its memo claims are never taken over)."""
        with Owners(self.state_dir) as owners:
            return owners.ran_out(owner)

    def _holds(self, owner: str) -> bool:
        """Whether `owner`'s lease has a quarter of its length to run yet, by the database's clock (a live build
        renews it at every third): only then is a claim given back that its register may hand on once it ran out."""
        try:
            with Owners(self.state_dir) as owners:
                return owners.alive(owner, for_s=LEASE_S / 4)
        except state.StateError:
            return False  # not known: the claim stays (a gap, never a memo on two letters)

    def _gone(self, owner: str) -> bool:
        """Whether `owner` is one of this state's owners whose lease ran out (by the database's clock): its staging
        folders are left-overs. One this state does not know may be another state's, writing into the same output
        folder right now: its staging is left to the hour's sweep (store._sweep)."""
        if owner == self.owner:
            return False
        with Owners(self.state_dir) as owners:
            return owners.ran_out(owner)

    def update_current(self, report: str, *, prefix: str, serial: int, memo: str, source: str, paths: list[Path],
                       reused: bool = False) -> bool:
        return store.update_current(self.root / report, prefix=prefix, serial=serial, memo=memo, source=source,
                                    paths=paths, reused=reused, lock=view_lock(self.state_dir, report,
                                                                                self.root / report))


def unfinished(root: Path, rows: list[versions.Version]) -> list[versions.Version]:
    """The versions the register confirmed whose folder under `root` is not there (or has no `.content` stamp):
    builds stopped between their confirmation and the rename, whose content has not been built again since."""
    return [v for v in rows if not (Path(root) / v.path / store.CONTENT).is_file()]


def view_lock(state_dir: Path, report: str, folder: Path) -> AbstractContextManager[None]:
    """One process at a time, on any server, updates a report's current view: PostgreSQL's advisory lock on the
    report's relative path for a PostgreSQL state (held by a transaction: released if the process dies, and by
    idle_in_transaction_session_timeout if it freezes), the file lock in the state folder for SQLite."""
    url = state.database_url(state_dir)
    if url is None:
        return store.report_lock(Path(state_dir) / "locks", folder)
    return _database_lock(url, report)


@contextmanager
def _database_lock(url: str, report: str) -> Iterator[None]:
    database = db.connect(url)
    try:
        with database.transaction():
            database.lock(f"current view {report}")
            yield
    except Exception as e:
        if not state.database_error(e):
            raise
        raise state.StateError(database.where, (str(e).strip().splitlines() or [type(e).__name__])[0]) from None
    finally:
        database.close()
