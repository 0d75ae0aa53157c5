"""Many workbooks at once: a process pool, each worker compiling the Word templates once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from . import pipeline


def build_all(paths: list[Path], *, jobs: int | None = None, **options) -> Iterator[pipeline.Result]:
    """Results in the order of `paths`; one process when there is one workbook or one job."""
    jobs = min(jobs or os.cpu_count() or 1, len(paths)) or 1
    if jobs == 1:
        for path in paths:
            yield pipeline.build(path, **options)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(partial(pipeline.build, **options), paths, chunksize=max(1, min(16, len(paths) // (jobs * 4))))
