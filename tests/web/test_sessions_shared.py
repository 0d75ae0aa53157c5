"""Sessions work on every server sharing a state (a folder, or one PostgreSQL): the signing secret and the
sign-outs live in the state database, so a clerk signed in through one server is signed in on all, and
signed out on all."""

import hashlib
import hmac
import time

import pytest

from generator.records.state import resolve
from generator.web.sessions import REVOKED_FILE, SECRET_FILE, Sessions


@pytest.fixture
def shared(backend, tmp_path, monkeypatch):
    monkeypatch.setenv("GEN_STATE_DIR", str(tmp_path / "local"))  # where a URL's local folder goes
    return resolve(backend)


def test_a_session_made_on_one_server_is_valid_on_another_and_signing_out_holds_on_all(shared):
    one, two = Sessions(shared, "token"), Sessions(shared, "token")  # two servers, one state
    cookie = one.new()
    assert one.valid(cookie) and two.valid(cookie)
    two.end(cookie)
    assert not one.valid(cookie) and not two.valid(cookie)
    assert not Sessions(shared, "token").valid(cookie)  # a third, started after: still signed out
    assert not Sessions(shared, "another token").valid(one.new())  # a new token ends every session


def test_a_secret_and_sign_outs_kept_in_files_before_are_taken_over(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / SECRET_FILE).write_bytes(b"s" * 32)
    old = Sessions.__new__(Sessions)  # a cookie signed with the old file's secret, as an older server did
    old.key = hmac.new(b"s" * 32, b"token", hashlib.sha256).digest()
    kept, ended = old.new(), old.new()
    (state / REVOKED_FILE).write_text(f"{ended.split('.')[1]}:{time.time() + 3600}\n")
    now = Sessions(state, "token")
    assert now.valid(kept) and not now.valid(ended)
