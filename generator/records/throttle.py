"""The web page's throttle of wrong credentials, in the state database: every server on one state (a folder, or
one PostgreSQL) counts the same wrong tokens, so a guesser gains nothing by spreading guesses over servers.

The rule (also used in memory by web/credentials.Limiter when it has no state): each wrong credential from a
client doubles the client's wait (FIRST_DELAY, … up to MAX_DELAY), forgotten after FORGET_AFTER without one;
and all clients together draw on one bucket of OVERALL_BURST that refills at OVERALL_PER_MINUTE. Times are the
database's clock, so servers with different clocks judge alike."""

from __future__ import annotations

from pathlib import Path

from generator.records import db, state

FIRST_DELAY, MAX_DELAY = 0.25, 8.0  # a client's wait after each wrong credential doubles, up to MAX_DELAY
FORGET_AFTER = 15 * 60  # a client's wrong credentials are forgotten after this long without one
OVERALL_BURST, OVERALL_PER_MINUTE = 30, 30  # wrong credentials from all clients together
OVERALL = ""  # the row of the bucket shared by all clients


def delay(count: int) -> float:
    """The wait after the count-th wrong credential in a row: 0.25 s, 0.5 s, 1 s, … up to MAX_DELAY."""
    return MAX_DELAY if count > 8 else min(MAX_DELAY, FIRST_DELAY * 2 ** (count - 1))


def refilled(tokens: float, at: float, now: float) -> float:
    """The overall bucket's tokens at `now`, given `tokens` at `at`."""
    return min(OVERALL_BURST, tokens + max(0.0, now - at) * OVERALL_PER_MINUTE / 60)


def overall_wait(tokens: float) -> float:
    return 0.0 if tokens >= 1 else (1 - tokens) * 60 / OVERALL_PER_MINUTE


def counted(row: tuple[float, float, float] | None, now: float) -> tuple[int, float, float]:
    """A client's (count, last failure, free at) after one more wrong credential at `now`."""
    count, last = (int(row[0]), row[1]) if row else (0, now)
    count = 1 if now - last > FORGET_AFTER else count + 1
    return count, now, now + delay(count)


@state.state_errors
class Throttle:
    def __init__(self, state_dir: str | Path):
        self._db = db.connect(state.named(state_dir))
        self.where = self._db.where

    def _now(self) -> float:
        return float(self._db.execute(f"SELECT {self._db.NOW}").fetchone()[0])

    def _row(self, client: str, lock: bool = False) -> tuple[float, float, float] | None:
        return self._db.execute(f"SELECT count, last, free_at FROM web_throttle WHERE client = ?"
                                f"{self._db.for_update() if lock else ''}", (client,)).fetchone()

    def wait(self, client: str) -> float:
        """Seconds until a credential from `client` will be compared again (0: now)."""
        with self._db.snapshot():
            now = self._now()
            mine, overall = self._row(client), self._row(OVERALL)
        tokens = refilled(overall[0], overall[1], now) if overall else OVERALL_BURST
        return max(0.0, (mine[2] - now) if mine else 0.0, overall_wait(tokens))

    def failed(self, client: str) -> float:
        """Count a wrong credential; the seconds until the client may try again."""
        with self._db.transaction():
            self._db.lock("web_throttle")  # one failure at a time, on every server
            now = self._now()
            overall = self._row(OVERALL, lock=True)
            tokens = max(0.0, (refilled(overall[0], overall[1], now) if overall else OVERALL_BURST) - 1)
            self._put(OVERALL, (tokens, now, now))
            count, last, free_at = counted(self._row(client, lock=True), now)
            self._put(client, (count, last, free_at))
            self._db.execute("DELETE FROM web_throttle WHERE last < ? AND client != ?", (now - FORGET_AFTER, OVERALL))
        return max(0.0, free_at - now, overall_wait(tokens))

    def _put(self, client: str, row: tuple[float, float, float]) -> None:
        self._db.execute("INSERT INTO web_throttle (client, count, last, free_at) VALUES (?, ?, ?, ?) ON CONFLICT "
                         "(client) DO UPDATE SET count = excluded.count, last = excluded.last, "
                         "free_at = excluded.free_at", (client, *row))

    def succeeded(self, client: str) -> None:
        self._db.execute("DELETE FROM web_throttle WHERE client = ?", (client,))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Throttle:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
