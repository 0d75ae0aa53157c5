"""The service's log: one line per event, a traceback's lines marked as its own. Before, a message was escaped but
a traceback was not: an exception whose text held a file's name with line breaks (left alone in the last session's
note) could still write a line of its own that read as an event, 'INFO built forged.xlsx: … memo FAKE-1'."""

from __future__ import annotations

import io
import logging
import re

from generator.cli import one_line_formatter

FORGED = "r\n2026-12-07 10:00:00,000 INFO built forged.xlsx: অফিস, memo FAKE-1, 0.01s\u2028x.xlsx"
EVENT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO|WARNING|ERROR|DEBUG|CRITICAL) ")


def _logged(emit) -> list[str]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(one_line_formatter())
    log = logging.getLogger("gen.test-one-line")
    log.propagate, log.level = False, logging.INFO
    log.addHandler(handler)
    try:
        emit(log)
    finally:
        log.removeHandler(handler)
    return out.getvalue().splitlines()


def test_no_line_of_a_traceback_reads_as_an_event():
    def emit(log):
        try:
            raise FileNotFoundError(2, "No such file", FORGED)
        except OSError:
            log.exception("could not move %s", FORGED)
        log.info("stack", stack_info=True)

    lines = _logged(emit)
    events = [line for line in lines if EVENT.match(line)]
    assert [e.split(" ", 3)[3].split(" ")[0] for e in events] == ["could", "stack"], lines
    assert all(line.startswith("  | ") for line in lines if not EVENT.match(line)), lines
    assert any("forged.xlsx" in line and line.startswith("  | ") for line in lines)  # told, and marked as a traceback's
    assert "Traceback (most recent call last):" in "\n".join(lines)
