"""A worker that dies before it is ready for any task is told apart from one that dies on its task: the
first is not the workbook's fault (a calling script that builds at its top level, run again by a fork
server's worker), the second may be."""

import os

from generator.service import builds, workers
from generator.service.workers import Loss, Pool


def _dies(task):
    os._exit(3)


def _echo(task):
    return task


def _never_starts(mb):
    os._exit(1)


def test_a_worker_dying_on_its_task_is_died_and_before_any_task_is_start(monkeypatch):
    with Pool(_dies, lambda task, loss: loss, start_method="fork") as pool:
        loss = pool.run("task")
    assert isinstance(loss, Loss) and loss.how == "died" and loss.detail == "exit code 3"
    with Pool(_echo, lambda task, loss: loss, start_method="fork") as pool:
        assert pool.run("task") == "task" and list(pool.map(["a", "b"])) == ["a", "b"]
    monkeypatch.setattr(workers, "_limit_memory", _never_starts)  # the fork's worker dies while it sets up
    with Pool(_echo, lambda task, loss: loss, start_method="fork") as pool:
        loss = pool.run("task")
        assert isinstance(loss, Loss) and loss.how == "start" and loss.detail == "exit code 1"
        assert [x.how for x in pool.map(["a", "b"])] == ["start", "start"]


def test_a_worker_that_never_started_does_not_blame_the_workbook(tmp_path):
    task = builds.Task(tmp_path / "cc.xlsx", tmp_path / "out", tmp_path / "state")
    result = builds.lost(task, Loss("start", "exit code 1"))
    assert result.issues[0].code == "could-not-process" and "no fault of the file" in result.issues[0].en
    assert result.status == "failed"  # not 'rejected' (a hostile caller: gen build said exit 1, fix the file)
    assert "damaged" not in result.issues[0].en and "দোষ নেই" in result.issues[0].bn
    assert not (tmp_path / "out").exists()  # nothing filed for the workbook
    damaged = builds.lost(task, Loss("died", "signal SIGSEGV"))
    assert "damaged" in damaged.issues[0].en


def test_a_task_handed_to_a_worker_already_dead_is_told_not_a_broken_pipe(monkeypatch):
    """Found on CI under load: a worker that died as it started, before its task was sent, made the send raise
    BrokenPipeError out of map (a traceback, the batch stopped). The task's loss is told instead: 'start'."""
    monkeypatch.setattr(workers, "_limit_memory", _never_starts)
    with Pool(_echo, lambda task, loss: loss, start_method="fork") as pool:
        worker = pool._take()
        worker.proc.join(30)  # dead before anything is sent to it
        assert worker.proc.exitcode == 1
        handed = pool._hand(worker, "task")
        loss = pool._outcome(handed, 30)
        pool._give_back(handed)
        assert isinstance(loss, Loss) and loss.how == "start", loss
