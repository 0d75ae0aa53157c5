"""Checks in worker processes (`gen validate`): each workbook read once and checked in a worker with the
memory and time limits a build has, so that one hostile file is told alone and never stops the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from generator.service import pipeline
from generator.service.batch import load_or_result
from generator.service.builds import PRELOAD, lost_file, too_large, too_long, internal, not_started
from generator.service.result import Result
from generator.service.workers import Limits, Loss, Pool, Ready, default_jobs
from generator.xlsx.source import Source


@dataclass(frozen=True)
class Check:
    """A workbook read, to be checked as of `today` (None: the day it is checked)."""

    source: Source
    today: dt.date | None = None


def run(task: Check) -> Result:
    """In a worker: the check."""
    return pipeline.examine(task.source, today=task.today).result


def lost(task: Check, loss: Loss) -> Result:
    """In the parent: the result of a check that brought none back (nothing was reserved or written)."""
    path = task.source.path
    told = {"memory": too_large, "time": too_long, "error": internal, "start": not_started}.get(loss.how)
    return told(path, loss) if told else lost_file(path, loss.detail or "it was stopped")


def check_all(paths: list[Path], *, jobs: int | None = None, limits: Limits | None = None,
              today: dt.date | None = None) -> Iterator[Result]:
    """Results in the order of `paths`; a file that cannot be read is told without a worker."""
    jobs = min(jobs or default_jobs(), len(paths)) or 1
    with Pool(run, lost, jobs, limits, preload=PRELOAD) as pool:
        def tasks() -> Iterator[Check | Ready]:
            for path in paths:
                source = load_or_result(Path(path))
                yield Ready(source) if isinstance(source, Result) else Check(source, today)

        yield from pool.map(tasks())
