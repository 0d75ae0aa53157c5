"""Clerks' sign-in sessions: a cookie per sign-in, signed with a secret kept in the state database, valid
for a working day, ended by signing out (across restarts, and on every server sharing the state). Wrong
tokens are counted in credentials.py."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from pathlib import Path

from generator.records.web_sessions import SessionStore

SECRET_FILE = "web-secret"  # where the secret was kept before it lived in the state database: taken over once
REVOKED_FILE = "web-signed-out"  # likewise, the sessions ended by signing out
MAX_AGE = 12 * 3600


def _secret(state_dir: Path) -> bytes:
    """The signing secret every server on this state shares (a restart keeps clerks signed in)."""
    try:
        kept = (Path(state_dir) / SECRET_FILE).read_bytes() or None
    except OSError:
        kept = None
    with SessionStore(state_dir) as store:
        secret = store.secret(first=kept)
        try:  # sign-outs kept in the old file, still in force
            for line in (Path(state_dir) / REVOKED_FILE).read_text().split():
                nonce, _, until = line.partition(":")
                if until.replace(".", "", 1).isdigit() and float(until) > time.time():
                    store.end(nonce, float(until))
        except OSError:
            pass
    return secret


class Sessions:
    def __init__(self, state_dir: Path, token: str):
        self.state_dir, self.token = Path(state_dir), token
        self.key = hmac.new(_secret(state_dir), token.encode(), hashlib.sha256).digest()  # a new token ends all

    def _sign(self, body: str) -> str:
        return hmac.new(self.key, body.encode(), hashlib.sha256).hexdigest()

    def new(self) -> str:
        body = f"{int(time.time())}.{secrets.token_urlsafe(16)}"
        return f"{body}.{self._sign(body)}"

    def signed(self, cookie: str) -> bool:
        """Signed by a server of this state (with this token), whether or not it has expired or been ended."""
        issued, _, rest = cookie.partition(".")
        nonce, _, mac = rest.partition(".")
        if not (issued.isdigit() and nonce and mac):
            return False
        return hmac.compare_digest(mac.encode(), self._sign(f"{issued}.{nonce}").encode())

    def valid(self, cookie: str) -> bool:
        if not self.signed(cookie):
            return False
        issued, nonce = cookie.split(".")[:2]
        if time.time() - int(issued) >= MAX_AGE:
            return False
        with SessionStore(self.state_dir) as store:
            return not store.ended(nonce)

    def end(self, cookie: str) -> None:
        """Sign out: this session is refused from now on, by every server on this state, after restarts too."""
        if not self.valid(cookie):
            return
        issued, nonce = cookie.split(".")[:2]
        with SessionStore(self.state_dir) as store:
            store.end(nonce, int(issued) + MAX_AGE)
