"""`gen` run in this process through click's runner: the same command-line code, arguments, messages and exit
codes, without starting a new Python for each call (about a second of CPU each on this machine)."""

from __future__ import annotations

from dataclasses import dataclass

from click.testing import CliRunner


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


def gen_here(*args: object) -> Run:
    """`gen ARGS` in this process; an exception the command does not turn into a message fails the test."""
    from generator.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)
