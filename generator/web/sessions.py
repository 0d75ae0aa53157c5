"""Clerks' sign-in sessions: a cookie per sign-in, signed with a secret kept in the state folder, valid
for a working day, ended by signing out (across restarts). Wrong tokens are counted in credentials.py."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

SECRET_FILE = "web-secret"  # mode 0600 in the state folder: a restart keeps clerks signed in
REVOKED_FILE = "web-signed-out"  # sessions ended by signing out, until they would have expired anyway
MAX_AGE = 12 * 3600


def _secret(state_dir: Path) -> bytes:
    path = Path(state_dir) / SECRET_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        Path(state_dir).mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another server made it first
            return path.read_bytes()
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
        return path.read_bytes()


class Sessions:
    def __init__(self, state_dir: Path, token: str):
        self.state_dir, self.token = Path(state_dir), token
        self.key = hmac.new(_secret(state_dir), token.encode(), hashlib.sha256).digest()  # a new token ends all
        self.revoked: dict[str, float] = {}
        try:
            for line in (self.state_dir / REVOKED_FILE).read_text().split():
                nonce, _, until = line.partition(":")
                if until.replace(".", "", 1).isdigit() and float(until) > time.time():
                    self.revoked[nonce] = float(until)
        except OSError:
            pass

    def _sign(self, body: str) -> str:
        return hmac.new(self.key, body.encode(), hashlib.sha256).hexdigest()

    def new(self) -> str:
        body = f"{int(time.time())}.{secrets.token_urlsafe(16)}"
        return f"{body}.{self._sign(body)}"

    def signed(self, cookie: str) -> bool:
        """Signed by this server (with this token), whether or not it has expired or been ended."""
        issued, _, rest = cookie.partition(".")
        nonce, _, mac = rest.partition(".")
        if not (issued.isdigit() and nonce and mac):
            return False
        return hmac.compare_digest(mac.encode(), self._sign(f"{issued}.{nonce}").encode())

    def valid(self, cookie: str) -> bool:
        if not self.signed(cookie):
            return False
        issued, nonce = cookie.split(".")[:2]
        return time.time() - int(issued) < MAX_AGE and nonce not in self.revoked

    def end(self, cookie: str) -> None:
        """Sign out: this session is refused from now on, by this server and after a restart."""
        if not self.valid(cookie):
            return
        issued, nonce = cookie.split(".")[:2]
        until = int(issued) + MAX_AGE
        self.revoked = {n: u for n, u in self.revoked.items() if u > time.time()}
        self.revoked[nonce] = until
        try:
            with open(self.state_dir / REVOKED_FILE, "w") as f:
                f.write("".join(f"{n}:{u}\n" for n, u in self.revoked.items()))
        except OSError:
            pass  # still refused by this server until it restarts
