"""Many workbooks at once (`gen build`): each is noted in the ledger, built in an isolated worker
process, and its result recorded, so every build is on the record whatever its route."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from . import pipeline, workers
from .ledger import Ledger, file_hash
from .register import Register


def _unreadable(path: Path, why: str) -> pipeline.Result:
    return pipeline.failure(
        path, "could-not-read",
        f"{path} পড়া যাচ্ছে না ({why})। ফাইলটি আছে কি না, সাধারণ ফাইল কি না ও পড়ার অনুমতি দেখুন।",
        f"{path} cannot be read ({why}). Check that it exists, is a regular file and may be read.")


def _digest(path: Path) -> str | pipeline.Result:
    """The file's hash, or the result of a file that cannot be read (a FIFO is never opened: it would block)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return _unreadable(path, "not a regular file")
        return file_hash(path)
    except OSError as e:
        return _unreadable(path, e.strerror or str(e))


def build_all(paths: list[Path], *, out_root: Path, state_dir: Path, jobs: int | None = None,
              limits: workers.Limits | None = None, route: str = "build", **options) -> Iterator[pipeline.Result]:
    """Results in the order of `paths`. StateError (from the ledger) before anything is built when the
    state folder cannot be used."""
    jobs = min(jobs or workers.default_jobs(), len(paths)) or 1
    with Ledger(state_dir) as ledger:
        interrupted = ledger.dead_builds()
    if interrupted:
        with Register(state_dir) as register:
            for id in interrupted:
                register.release_submission(id)
    with Ledger(state_dir) as ledger, workers.Pool(jobs, limits) as pool:
        tasks, ids, started, early = [], [], {}, {}
        for i, path in enumerate(paths):
            digest = _digest(Path(path))
            if isinstance(digest, pipeline.Result):
                early[i] = digest
                continue
            ids.append(id := ledger.start(Path(path).name, digest, route=route))
            started[id] = time.monotonic()
            tasks.append((Path(path), dict(options, out_root=out_root, state_dir=state_dir, submission=id)))
        results = pool.map(tasks)
        try:
            for i in range(len(paths)):
                if i in early:
                    yield early[i]
                    continue
                result = next(results)
                id = ids.pop(0)
                ledger.finish_result(id, result, moved_to=None, seconds=time.monotonic() - started[id],
                                     note="memo reused: same content" if result.memo_reused else None)
                yield result
        finally:  # stopped early (Ctrl-C, a closed pipe): what was not built is not left "processing"
            for id in ids:
                ledger.finish(id, "interrupted", note="gen build stopped before this workbook was built")
