"""Uploads being built: an upload is answered at once and built in the background, and the same content sent
again while it builds (a double or triple click) joins it instead of making another submission."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("gen.web")
FORGET_AFTER = 10 * 60  # a finished build is joined by the same content this long after


@dataclass
class Flight:
    tag: str
    name: str  # as the clerk gave it
    kept: Path | None = None  # the upload in the state folder until it is built (None until it is kept)
    started: float = field(default_factory=time.time)
    task: asyncio.Task | None = None
    id: int | None = None  # the ledger entry, once built
    error: BaseException | None = None
    finished: float | None = None
    evidence: bool = False  # sent with evidence: a duplicate's page says the evidence was not added

    @property
    def done(self) -> bool:
        return self.finished is not None


def content_key(data: bytes, evidence: list[tuple[str, int]]) -> str:
    """The same workbook with the same evidence (by name and size) is the same upload."""
    digest = hashlib.sha256(data)
    for name, size in evidence:
        digest.update(f"\0{name}\0{size}".encode())
    return digest.hexdigest()


@dataclass
class Flights:
    by_key: dict[str, Flight] = field(default_factory=dict)
    by_tag: dict[str, Flight] = field(default_factory=dict)

    def joined(self, key: str) -> Flight | None:
        self._forget()
        return self.by_key.get(key)

    def add(self, key: str, flight: Flight) -> None:
        self.by_key[key] = flight
        self.by_tag[flight.tag] = flight

    def drop(self, key: str) -> None:
        flight = self.by_key.pop(key, None)
        if flight is not None:
            self.by_tag.pop(flight.tag, None)

    def get(self, tag: str) -> Flight | None:
        return self.by_tag.get(tag)

    def _forget(self) -> None:
        now = time.time()
        for key, flight in list(self.by_key.items()):
            if flight.finished is not None and now - flight.finished > FORGET_AFTER:
                del self.by_key[key]
                self.by_tag.pop(flight.tag, None)


async def run(flight: Flight, work) -> None:
    """Run `work()` (in a thread) for the flight, noting its ledger id or its error."""
    from starlette.concurrency import run_in_threadpool

    try:
        flight.id = await run_in_threadpool(work)
    except Exception as e:  # kept for the clerk's page, which says what failed
        log.error("upload %s not built: %r", ascii(flight.name), e)
        flight.error = e
    finally:
        flight.finished = time.time()
