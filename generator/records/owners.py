"""Who owns work in a state folder. Each service process (`gen build`, `gen watch`, `gen serve`) holds a
lease in the state database, renewed by a heartbeat while it runs; the ledger entries and memo reservations
it makes carry its owner id. Work is taken over only when its owner's lease has expired, by the clock of
the database, never because a pid is missing here: a build in another container or on another machine has
a pid this process cannot see. See docs/service.md, "Who owns a build"."""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.findings import GenError
from generator.records import db, state
from generator.spec import settings

log = logging.getLogger("gen.owners")

LEASE_S = settings.number("GEN_LEASE_SECONDS", 30.0, 1.0)  # how long a silent owner is still believed alive
# Leases are judged by the database's clock (db.Database.NOW) and db.Database.expired(column).


@dataclass(frozen=True)
class Owner:
    id: str
    role: str  # build, watch, serve
    scope: str  # what it serves: the inbox, the uploads folder, the output folder


class Busy(GenError):
    """Another live process holds this role on this state folder exclusively."""

    def __init__(self, role: str, scope: str, holder: str):
        super().__init__(
            "state-busy",
            f"এই অবস্থা-ফোল্ডারে আরেকটি 'gen {role}' চলছে ({holder}); একই ফোল্ডারে দুটি একসাথে চালালে একে অন্যের "
            "কাজ নষ্ট করতে পারে। সেটি বন্ধ করুন, অথবা এটিকে অন্য --state দিন।",
            f"Another 'gen {role}' is running on this state folder ({holder}); two at once could undo each "
            "other's work. Stop it, or give this one another --state.")
        self.holder = holder


class LeaseLost(state.StateError):
    """A service's lease ran out while it ran and another process took its role: it stops."""

    def __init__(self, state_dir: str | Path, role: str):
        super().__init__(state_dir, "its lease ran out")
        self.code = "lease-lost"
        self.bn = (f"এই 'gen {role}'-এর ইজারা (lease) {LEASE_S:g} সেকেন্ডের বেশি নবায়ন হয়নি (প্রক্রিয়াটি থামানো ছিল, অথবা "
                   "অবস্থা-ডেটাবেস পাওয়া যায়নি), আর এর মধ্যে আরেকটি প্রক্রিয়া এর কাজ নিয়েছে; তাই এটি থামছে। দুটি একসাথে "
                   "চালানোর দরকার না থাকলে এটিকে আর চালু করবেন না।")
        self.en = (f"This 'gen {role}' could not renew its lease for more than {LEASE_S:g} s (the process was "
                   "stopped, or the state database out of reach), and another process has taken its role meanwhile; "
                   "so it stops. Unless two are meant to run, do not start it again.")


def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            return f.read().strip()
    except OSError:
        return ""


@state.state_errors
class Owners:
    def __init__(self, state_dir: str | Path):
        self.state_dir = state.named(state_dir)
        self._db = db.connect(self.state_dir)
        self.where = self._db.where

    def claim(self, role: str, scope: str, *, exclusive: bool = False) -> Owner:
        """A new owner with a fresh lease. Busy when `exclusive` and a live owner holds the same role and scope."""
        now = self._db.NOW
        with self._db.transaction():
            if exclusive:
                self._db.lock(f"owner {role} {scope}")  # two claiming at once: one after the other
                row = self._db.execute(
                    f"SELECT host, pid, started_at FROM owners WHERE role = ? AND scope = ? AND lease_until > {now}",
                    (role, scope)).fetchone()
                if row:
                    raise Busy(role, scope, f"pid {row[1]} on {row[0]}, since {row[2][:19]}")
            owner = Owner(secrets.token_hex(16), role, scope)  # uuid's import costs each start 3 ms
            self._db.execute(
                f"INSERT INTO owners (id, role, scope, host, boot_id, pid, started_at, lease_until) "
                f"VALUES (?, ?, ?, ?, ?, ?, ?, {now} + ?)",
                (owner.id, role, scope, socket.gethostname(), _boot_id(), os.getpid(),
                 dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), LEASE_S))
        return owner

    def renew(self, owner: Owner) -> bool:
        """The lease made to run LEASE_S from now, if it still runs. False when it has run out (or was ended): it
        stays out, for others may already have taken its work over (its serials, its claims, its staging)."""
        return self._db.execute(f"UPDATE owners SET lease_until = {self._db.NOW} + ? WHERE id = ? "
                                f"AND lease_until > {self._db.NOW}", (LEASE_S, owner.id)).rowcount > 0

    def end(self, owner: Owner) -> None:
        """The owner stopped cleanly: its lease is over at once (the row stays, for the operator)."""
        self._db.execute("UPDATE owners SET lease_until = 0 WHERE id = ?", (owner.id,))

    def alive(self, owner_id: str | None, *, for_s: float = 0.0) -> bool:
        """Whether `owner_id`'s lease runs for `for_s` seconds more at least."""
        return bool(owner_id) and self._db.execute(
            f"SELECT 1 FROM owners WHERE id = ? AND lease_until > {self._db.NOW} + ?",
            (owner_id, for_s)).fetchone() is not None

    def ran_out(self, owner_id: str | None) -> bool:
        """Whether `owner_id` is an owner of this state whose lease has run out (unknown here: False, it may be
        another state's, alive there)."""
        return bool(owner_id) and self._db.execute(
            f"SELECT 1 FROM owners WHERE id = ? AND lease_until <= {self._db.NOW}", (owner_id,)).fetchone() is not None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Owners:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class Lease:
    """`with Lease(state_dir, role, scope) as owner:` an owner kept alive by a heartbeat thread (every third
    of the lease) until the block ends, then ended. A heartbeat that cannot reach the database (locked,
    gone) is tried again at the next beat. A lease that ran out meanwhile (the process stopped, the database
    locked, for longer than a lease) is never renewed: others may have taken its work over, and the register's
    fencing refuses what it still confirms. The process goes on under a new owner (`owner` is then another,
    `on_new_owner` is told), unless another process now holds the role exclusively: then `lost` is set, for the
    service to stop."""

    def __init__(self, state_dir: str | Path, role: str, scope: str | Path, *, exclusive: bool = False,
                 wait: float = 0.0, on_new_owner: Callable[[Owner], None] | None = None):
        """`exclusive`: Busy if a live owner holds the same role and scope, after waiting up to `wait` seconds
        for its lease to run out (a predecessor killed a moment ago is not known to be dead before that)."""
        self.state_dir, self.role, self.scope, self.exclusive = state.named(state_dir), role, str(scope), exclusive
        self.wait, self.on_new_owner = wait, on_new_owner
        self._stop = threading.Event()
        self.lost = threading.Event()  # set when the role was taken by another while this one's lease had run out
        self._beat: threading.Thread | None = None
        self.owner: Owner | None = None

    def __enter__(self) -> Owner:
        deadline = time.monotonic() + self.wait
        with Owners(self.state_dir) as owners:
            while self.owner is None:
                try:
                    self.owner = owners.claim(self.role, self.scope, exclusive=self.exclusive)
                except Busy:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
        self._beat = threading.Thread(target=self._heartbeat, name=f"lease-{self.role}", daemon=True)
        self._beat.start()
        return self.owner

    def _heartbeat(self) -> None:
        while not self._stop.wait(LEASE_S / 3):
            assert self.owner is not None
            try:
                with Owners(self.state_dir) as owners:
                    if owners.renew(self.owner):
                        continue
                    fresh = owners.claim(self.role, self.scope, exclusive=self.exclusive)
                    if self._stop.is_set():  # the block ended meanwhile (its end may not have waited for this)
                        owners.end(fresh)
                        return
            except Busy as e:
                self.lost.set()
                log.error("the lease of this 'gen %s' ran out (the process was stopped, or could not reach the state "
                          "database, for longer than %g s), and another process holds its role now (%s): stopping",
                          self.role, LEASE_S, e.holder)
                return
            except state.StateError:
                continue
            log.warning("the lease of this 'gen %s' ran out (the process was stopped, or could not reach the state "
                        "database, for longer than %g s): the work it held may have been taken over; new work goes "
                        "on under a new lease (%s)", self.role, LEASE_S, fresh.id[:8])
            self.owner = fresh
            if self.on_new_owner is not None:
                self.on_new_owner(fresh)

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=5)
        if self.owner is not None:
            try:
                with Owners(self.state_dir) as owners:
                    owners.end(self.owner)
            except state.StateError:
                pass  # the lease simply runs out
