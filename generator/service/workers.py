"""Workbooks are read, checked and rendered in worker processes with a memory and a time limit, so no
file can stop the service: a worker that crashes, runs out of memory or time makes that one workbook
rejected with a clear reason, and a fresh worker takes the next one.

Workers live as long as the pool (each compiles the Word templates once) and take one workbook at a time.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
import sqlite3
import threading
import time
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from generator.service import pipeline
from generator.text.bangla import to_bangla_digits
from generator.records.register import Register
from generator.records.state import StateError


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 1536  # address space of a worker (RLIMIT_AS); a normal build needs a few hundred MB
    seconds: float = 120.0  # wall time for one workbook


Task = tuple[Path, dict]


def _limit_memory(mb: int) -> None:
    import resource

    limit = mb * 1024 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _serve(conn: Connection, limits: Limits) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.environ["RUST_BACKTRACE"] = "0"  # a Rust reader that aborts says one line, not a page of frames
    _limit_memory(limits.memory_mb)
    parent = os.getppid()
    while True:
        try:
            while not conn.poll(1.0):
                if os.getppid() != parent:  # the parent was killed: a sibling's inherited copy of this pipe
                    return                  # would keep recv() waiting for ever
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        path, options = task
        try:
            result = pipeline.build(path, **options)
        except MemoryError:
            result = None
        except BaseException as e:  # calamine's panics are BaseExceptions too
            if isinstance(e, (SystemExit, KeyboardInterrupt)):
                raise
            result = _internal(path, e)
        if result is None:
            result = _too_large(path, limits)
        conn.send(result)


def _too_large(path: Path, limits: Limits) -> pipeline.Result:
    mb = limits.memory_mb
    return pipeline.failure(
        path, "too-large",
        f"{Path(path).name} পড়তে {to_bangla_digits(mb)} MB-এর বেশি মেমরি লাগছিল, তাই ফাইলটি বাদ দেওয়া হয়েছে। "
        "ফাইলে অপ্রয়োজনীয় শিট, ছবি বা দূরের ঘরে লেখা থাকলে মুছে, অথবা 'gen template' থেকে নেওয়া নতুন ছকে পূরণ করে পাঠান।",
        f"Reading {Path(path).name} needed more than {mb} MB of memory, so the file was set aside. Delete stray "
        "sheets, pictures or far-away cells, or fill a fresh workbook from 'gen template', and send it again.")


def _too_long(path: Path, limits: Limits) -> pipeline.Result:
    s = f"{limits.seconds:g}"
    return pipeline.failure(
        path, "took-too-long",
        f"{Path(path).name} প্রক্রিয়া করতে {to_bangla_digits(s)} সেকেন্ডের বেশি লেগেছে, তাই থামানো হয়েছে। ফাইলটি "
        "অস্বাভাবিক বড় বা জটিল; 'gen template' থেকে নেওয়া নতুন ছকে পূরণ করে পাঠান।",
        f"Processing {Path(path).name} took longer than {s} s, so it was stopped. The file is unusually large or "
        "complex; fill a fresh workbook from 'gen template' and send it again.")


def lost(path: Path, why: str) -> pipeline.Result:
    """A workbook whose worker died: it cannot be processed."""
    return pipeline.failure(
        path, "could-not-process",
        f"{Path(path).name} প্রক্রিয়া করা যায়নি: ফাইলটি পড়তে গিয়ে কর্মী-প্রক্রিয়া বন্ধ হয়ে গেছে ({why})। ফাইলটি নষ্ট "
        "বা অস্বাভাবিক; Excel-এ খুলে নতুন নামে .xlsx হিসেবে সংরক্ষণ করে, অথবা 'gen template' থেকে নেওয়া নতুন ছকে পূরণ করে পাঠান।",
        f"{Path(path).name} could not be processed: the worker reading it stopped ({why}). The file is damaged or "
        "unusual; open it in Excel and save it as a new .xlsx, or fill a fresh workbook from 'gen template'.")


def _internal(path: Path, error: BaseException) -> pipeline.Result:
    return pipeline.failure(
        path, "could-not-process",
        f"{Path(path).name} প্রক্রিয়া করতে গিয়ে একটি অপ্রত্যাশিত ত্রুটি হয়েছে ({type(error).__name__})। ফাইলটি "
        "সংরক্ষিত আছে; সিস্টেম প্রশাসককে জানান।",
        f"An unexpected error occurred while processing {Path(path).name} ({type(error).__name__}: {error}). The file "
        "is kept; tell the system administrator.")


def _why(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"


class _Worker:
    def __init__(self, ctx, limits: Limits):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, limits), daemon=True)
        self.proc.start()
        child.close()
        self.task: Task | None = None
        self.deadline = 0.0

    def give(self, task: Task, seconds: float) -> None:
        self.task, self.deadline = task, time.monotonic() + seconds
        self.conn.send(task)

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(2)
        self.kill()


class Pool:
    """`jobs` worker processes. `map` for a batch (results in input order), `run` for one file at a time
    from any number of threads (the watcher, the web server): a caller waits for a free slot, never for a
    particular worker, so a worker that dies or runs late never strands another caller."""

    def __init__(self, jobs: int = 1, limits: Limits | None = None, *, start_method: str | None = None):
        self.limits = limits or Limits()
        self.jobs = max(1, jobs)
        method = start_method or ("fork" if threading.active_count() == 1 else "forkserver")
        self._ctx = mp.get_context(method)
        if method == "forkserver":
            self._ctx.set_forkserver_preload(["generator.service.pipeline", "generator.documents.render"])
        self._slots = threading.BoundedSemaphore(self.jobs)
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()

    def _take(self) -> _Worker:
        """A slot, then an idle worker or a new one."""
        self._slots.acquire()
        try:
            while True:
                try:
                    worker = self._idle.get_nowait()
                except queue.Empty:
                    worker = _Worker(self._ctx, self.limits)
                    with self._lock:
                        self._all.add(worker)
                    return worker
                if worker.proc.is_alive():
                    return worker
                self._retire(worker)
        except BaseException:
            self._slots.release()
            raise

    def _give_back(self, worker: _Worker) -> None:
        if worker.task is None and worker.proc.is_alive():
            self._idle.put(worker)
        else:
            self._retire(worker)
        self._slots.release()

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def _outcome(self, worker: _Worker, timeout: float | None) -> pipeline.Result | None:
        """The result of the worker's task, or None if it is not ready within `timeout`; a dead or late
        worker is stopped and its workbook marked."""
        assert worker.task is not None  # asked only of a worker given a task
        path, options = worker.task
        ready = wait([worker.conn, worker.proc.sentinel], timeout)
        if worker.conn in ready:
            try:
                result = worker.conn.recv()
                worker.task = None
                return result
            except (EOFError, OSError):
                pass
        if ready:  # the worker died
            worker.proc.join(5)
            result = lost(path, _why(worker.proc.exitcode))
        elif time.monotonic() >= worker.deadline:
            result = _too_long(path, self.limits)
        else:
            return None
        worker.kill()
        _after_loss(path, options, result)
        return result

    def run(self, path: Path, **options) -> pipeline.Result:
        """Build one workbook in a worker; blocks the calling thread only."""
        worker = self._take()
        try:
            try:
                worker.give((Path(path), options), self.limits.seconds)
            except OSError:  # it died while idle
                self._retire(worker)
                worker = _Worker(self._ctx, self.limits)
                with self._lock:
                    self._all.add(worker)
                worker.give((Path(path), options), self.limits.seconds)
            while True:
                result = self._outcome(worker, max(0.0, worker.deadline - time.monotonic()) + 0.05)
                if result is not None:
                    return result
        finally:
            self._give_back(worker)

    def map(self, tasks: Iterable[Task], on_result=None) -> Generator[pipeline.Result, None, None]:
        """Results in the order of `tasks`, as soon as each and those before it are done; `on_result(index,
        result)` is called for each as soon as it arrives, in any order (so nothing done is lost if the
        caller stops early)."""
        pending = list(enumerate(tasks))[::-1]
        done: dict[int, pipeline.Result] = {}
        busy: dict[_Worker, int] = {}
        following = 0
        try:
            while pending or busy:
                while pending and len(busy) < self.jobs:
                    index, task = pending.pop()
                    worker = self._take()
                    busy[worker] = index
                    worker.give(task, self.limits.seconds)
                deadline = min(w.deadline for w in busy)
                wait([c for w in busy for c in (w.conn, w.proc.sentinel)], max(0.0, deadline - time.monotonic()) + 0.05)
                for worker in list(busy):
                    result = self._outcome(worker, 0)
                    if result is None:
                        continue
                    index = busy.pop(worker)
                    done[index] = result
                    self._give_back(worker)
                    if on_result is not None:
                        on_result(index, result)
                while following in done:
                    yield done.pop(following)
                    following += 1
        finally:
            for worker in busy:  # stopped early: those still building are stopped, their serials given back
                worker.kill()
                if worker.task is not None:
                    _release(worker.task[1])
                self._give_back(worker)

    def close(self) -> None:
        """Stop every worker; one still building is stopped and any serial it had reserved goes back."""
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            if worker.task is not None:
                worker.kill()
                _release(worker.task[1])
            else:
                worker.stop()

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *_) -> None:
        self.close()


def _after_loss(path: Path, options: dict, result: pipeline.Result) -> None:
    """A worker died or was stopped mid-build: give back any serial it had reserved, and file the
    rejection report where the workbook's own reports go."""
    _release(options)
    out_root = options.get("out_root")
    if out_root is not None:
        pipeline.report_rejection(result, Path(path), Path(out_root), options.get("submission"))


def _release(options: dict) -> None:
    submission, state_dir = options.get("submission"), options.get("state_dir")
    if submission is None or state_dir is None:
        return
    try:
        with Register(Path(state_dir)) as register:
            register.release_submission(submission)
    except (StateError, sqlite3.Error):
        pass  # the register cannot be reached: the serial stays reserved, and `gen register` says so


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
