"""What the web page's sign-in needs to share between servers, in the state database: the secret that signs
session cookies, and the sessions ended by signing out (until they would have expired anyway). Every server on
the same state (a folder, or one PostgreSQL) signs alike and refuses alike."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from generator.records import db, state


@state.state_errors
class SessionStore:
    def __init__(self, state_dir: str | Path):
        self.state_dir = state.named(state_dir)
        self._db = db.connect(self.state_dir)
        self.where = self._db.where

    def secret(self, name: str = "web", *, first: bytes | None = None) -> bytes:
        """The named secret, made once (from `first` when given: a secret kept before it lived here)."""
        made = (first or secrets.token_bytes(32)).hex()
        with self._db.transaction():
            self._db.execute("INSERT INTO web_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                             (name, made))
            value = self._db.execute("SELECT value FROM web_secrets WHERE name = ?", (name,)).fetchone()[0]
        return bytes.fromhex(value)

    def end(self, nonce: str, until: float) -> None:
        """A session signed out: refused by every server until `until` (then it would have expired)."""
        with self._db.transaction():
            self._db.execute("DELETE FROM signed_out WHERE until < ?", (time.time(),))
            self._db.execute("INSERT INTO signed_out (nonce, until) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING",
                             (nonce, until))

    def ended(self, nonce: str) -> bool:
        return self._db.execute("SELECT 1 FROM signed_out WHERE nonce = ?", (nonce,)).fetchone() is not None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
