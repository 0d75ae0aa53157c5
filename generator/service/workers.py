"""Worker processes with a memory and a time limit, so that no task can stop the service: a worker that
crashes, runs out of memory or time brings back a Loss for that one task (its caller says what that means),
and a fresh worker takes the next one. Workers live as long as the pool and take one task at a time; they
leave when the process that started them is gone.
"""

from __future__ import annotations

import importlib
import multiprocessing as mp
import math
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 1536  # address space of a worker (RLIMIT_AS); a normal build needs a few hundred MB
    seconds: float = 120.0  # wall time for one task

    def __post_init__(self) -> None:  # below these every workbook would be told too large or too long
        for name, value in (("memory_mb", self.memory_mb), ("seconds", self.seconds)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"Limits.{name} must be a number, not {type(value).__name__}")
        if not self.memory_mb >= 256 or not 1 <= self.seconds < math.inf:
            raise ValueError(f"Limits need memory_mb >= 256 and seconds >= 1 (as gen build's --max-memory and "
                             f"--timeout), not {self.memory_mb!r} and {self.seconds!r}")


@dataclass(frozen=True)
class Ready:
    """Among the tasks given to `Pool.map`: a result already known, passed through in its place."""

    value: Any


@dataclass(frozen=True)
class Loss:
    """Why a task brought no result back: its worker ran out of memory (`memory`) or time (`time`), died
    (`died`, with how), died before it was ready for any task (`start`, with how: not the task's fault, e.g. a
    calling script that builds at its top level, which a fork server's worker runs again), or raised something
    unexpected (`error`, with what)."""

    how: str  # "memory", "time", "died", "start", "error" or "stopped" (with the service, or the pool closed)
    detail: str = ""
    limits: Limits = Limits()


P = TypeVar("P", bound="Pool")
Target = Callable[[Any], Any]  # runs a task in a worker; a module-level function (workers may be forked from a server)
Lost = Callable[[Any, Loss], Any]  # in the parent: the result of a task that brought none back


def _limit_memory(mb: int) -> None:
    import resource

    limit = mb * 1024 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _die_with_parent() -> None:
    """The kernel kills this worker when the process that forked it dies (Linux's PR_SET_PDEATHSIG): a killed
    service leaves no worker finishing its build behind its back."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the parent check below still ends the worker after its build


def _let_the_forkserver_go() -> None:
    """A worker started by a forkserver holds the pipe end by which the forkserver learns that its client is gone
    (CPython hands it to every child, so that a child may start processes of its own; ours start none). Closed,
    the forkserver exits when the service dies, and the kernel then kills this worker (_die_with_parent): no
    orphan finishes a build under a lease that ran out."""
    try:
        from multiprocessing import forkserver

        server = forkserver._forkserver
        fd = getattr(server, "_forkserver_alive_fd", None)
        if fd is not None:
            server._forkserver_alive_fd = None  # type: ignore[attr-defined]
            os.close(fd)
    except (ImportError, AttributeError, OSError):
        pass  # another Python: the parent check in _serve still ends the worker after its build


@dataclass(frozen=True)
class _Started:
    """A worker's first message: it is ready for tasks. One that dies before saying so never began its task."""


def _serve(conn: Connection, limits: Limits, target: Target) -> None:
    _die_with_parent()
    _let_the_forkserver_go()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.environ["RUST_BACKTRACE"] = "0"  # a Rust reader that aborts says one line, not a page of frames
    _limit_memory(limits.memory_mb)
    parent = os.getppid()
    try:
        conn.send(_Started())
    except OSError:  # the parent stopped while this worker started: nothing to tell, nobody to tell it to
        return
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
        try:
            result = target(task)
        except MemoryError:
            result = Loss("memory", limits=limits)
        except BaseException as e:  # calamine's panics are BaseExceptions too
            if isinstance(e, (SystemExit, KeyboardInterrupt)):
                raise
            result = Loss("error", f"{type(e).__name__}: {e}", limits)
        try:
            conn.send(result)
        except OSError:  # the parent stopped meanwhile: the next one builds the file again
            return


FORK_SERVER_GONE = 255  # the exit code multiprocessing gives a worker whose fork server was killed (it cannot tell)


def _why(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"


class _Worker:
    def __init__(self, ctx, limits: Limits, target: Target):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, limits, target), daemon=True)
        self.proc.start()
        child.close()
        self.task: Any = None
        self.deadline = 0.0
        self.started = False  # it said _Started: from then on a death is its task's

    def give(self, task: Any, seconds: float) -> None:
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
    """`jobs` worker processes running `target(task)`. `map` for a batch (results in input order), `run` for
    one task at a time from any number of threads (the watcher, the web server): a caller waits for a free
    slot, never for a particular worker, so a worker that dies or runs late never strands another caller.
    `lost(task, loss)`, in the parent, makes the result of a task whose worker died or ran out of time; it is
    also called for a task still running when the pool is stopped (its result is then dropped)."""

    def __init__(self, target: Target, lost: Lost, jobs: int = 1, limits: Limits | None = None, *,
                 start_method: str | None = None, preload: tuple[str, ...] = ()):
        self.target, self.lost = target, lost
        self.limits = limits or Limits()
        self.jobs = max(1, jobs)
        method = start_method or ("fork" if threading.active_count() == 1 else "forkserver")
        self._ctx = mp.get_context(method)
        if method == "forkserver" and preload:
            self._ctx.set_forkserver_preload(list(preload))
        elif method == "fork":
            for module in preload:  # once here, inherited by every forked worker
                importlib.import_module(module)
        self._slots = threading.BoundedSemaphore(self.jobs)
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closing = False  # close() has begun: a worker that dies now was stopped with the service

    def _take(self) -> _Worker:
        """A slot, then an idle worker or a new one."""
        self._slots.acquire()
        try:
            while True:
                try:
                    worker = self._idle.get_nowait()
                except queue.Empty:
                    worker = _Worker(self._ctx, self.limits, self.target)
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

    def _hand(self, worker: _Worker, task: Any) -> _Worker:
        """The worker `task` is given to: `worker`, or, when it died while idle between tasks (not this task's
        fault), a fresh one. A worker that died before it could take the task (as it started) keeps it: _outcome
        reads its death from its sentinel and tells it ('start'), never a traceback from the pipe."""
        try:
            worker.give(task, self.limits.seconds)
            return worker
        except OSError:
            if not worker.started:
                return worker
        self._retire(worker)
        worker = _Worker(self._ctx, self.limits, self.target)
        with self._lock:
            self._all.add(worker)
        try:
            worker.give(task, self.limits.seconds)
        except OSError:
            pass
        return worker

    def _outcome(self, worker: _Worker, timeout: float | None) -> Any:
        """The result of the worker's task, or None if it is not ready within `timeout`; a dead or late
        worker is stopped and its task's loss told."""
        assert worker.task is not None  # asked only of a worker given a task
        task = worker.task
        end = None if timeout is None else time.monotonic() + timeout
        while True:
            ready = wait([worker.conn, worker.proc.sentinel], None if end is None else max(0.0, end - time.monotonic()))
            if worker.conn in ready:
                try:
                    result = worker.conn.recv()
                except (EOFError, OSError):
                    break
                if isinstance(result, _Started):
                    worker.started = True
                    continue
                worker.task = None
                return self.lost(task, result) if isinstance(result, Loss) else result
            break
        if ready:  # the worker died
            worker.proc.join(5)
            # the pool closing killed it, or a SIGTERM: the service's stop (systemd signals the whole service, its
            # LibreOffice too: a retry would fail on that and reject a good file). Not the task's doing either way:
            # its file waits for the next start (a watcher's next rescan). One SIGTERMed by hand is taken so too.
            stopped = self._closing or worker.proc.exitcode == -signal.SIGTERM or (
                worker.proc.exitcode == FORK_SERVER_GONE and self._ctx.get_start_method() == "forkserver")
            loss = Loss("stopped" if stopped and worker.started else "died" if worker.started else "start",
                        _why(worker.proc.exitcode), self.limits)
        elif time.monotonic() >= worker.deadline:
            loss = Loss("time", limits=self.limits)
        else:
            return None
        worker.kill()
        return self.lost(task, loss)

    def run(self, task: Any) -> Any:
        """Run one task in a worker; blocks the calling thread only."""
        try:
            worker = self._take()
        except (OSError, EOFError) as e:
            return self.lost(task, self._unstarted(e))
        try:
            try:
                worker = self._hand(worker, task)
            except (OSError, EOFError) as e:
                return self.lost(task, self._unstarted(e))
            while True:
                result = self._outcome(worker, max(0.0, worker.deadline - time.monotonic()) + 0.05)
                if result is not None:
                    return result
        finally:
            self._give_back(worker)

    def _unstarted(self, e: BaseException) -> Loss:
        """No worker could be started for a task: its fork server gone with a stopping service (systemd signals the
        whole group), or the machine out of processes. Not the task's fault either way."""
        detail = f"no worker could be started: {type(e).__name__}: {e}"
        return Loss("stopped" if self._closing or isinstance(e, EOFError) else "start", detail, self.limits)

    def map(self, tasks: Iterable[Any], on_result=None) -> Generator[Any, None, None]:
        """Results in the order of `tasks`, as soon as each and those before it are done; `on_result(index,
        result)` is called for each worker's result as soon as it arrives, in any order (so nothing done is lost
        if the caller stops early). `tasks` is read one task ahead of the free workers (a task may hold a
        whole file: at most jobs + 1 are in memory at once); a `Ready(value)` among them is a result
        known without a worker."""
        upcoming = enumerate(tasks)
        done: dict[int, Any] = {}
        busy: dict[_Worker, int] = {}
        following, more = 0, True

        def pull() -> tuple[int, Any] | None:  # the next task for a worker (a Ready goes straight to done)
            nonlocal more
            while more:
                try:
                    index, task = next(upcoming)
                except StopIteration:
                    more = False
                    break
                if not isinstance(task, Ready):
                    return index, task
                done[index] = task.value
            return None

        try:
            ahead = pull()  # one task read ahead of the workers, ready when one is free
            while ahead is not None or busy or following in done:
                while ahead is not None and len(busy) < self.jobs:
                    index, task = ahead
                    worker = self._hand(self._take(), task)
                    busy[worker] = index
                    ahead = pull()
                if busy:
                    deadline = min(w.deadline for w in busy)
                    wait([c for w in busy for c in (w.conn, w.proc.sentinel)],
                         max(0.0, deadline - time.monotonic()) + 0.05)
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
            for worker in busy:  # stopped early: those still running are stopped, and their loss told
                worker.kill()
                if worker.task is not None:
                    self.lost(worker.task, Loss("stopped", limits=self.limits))
                self._give_back(worker)

    def close(self) -> None:
        """Stop every worker; the loss of a task still running is told."""
        with self._lock:
            self._closing = True
            workers, self._all = list(self._all), set()
        for worker in workers:
            if worker.task is not None:
                worker.kill()
                self.lost(worker.task, Loss("stopped", limits=self.limits))
            else:
                worker.stop()

    def __enter__(self: P) -> P:
        return self

    def __exit__(self, *_) -> None:
        self.close()


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
