"""Builds in worker processes: a task is one workbook and where its documents and records go; a build that
brings no result back (its worker died, ran out of memory or time, or was stopped) is told as the service
saw it, its reserved serial goes back and its rejection report is filed where the workbook's would be."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

from generator.documents.settings import PdfSettings
from generator.records.register import Register
from generator.records.state import StateError
from generator.service.result import Result, failure, issued_not_placed
from generator.spec.status import FAILED
from generator.service.workers import Limits, Loss, Pool
from generator.spec.memo import number as memo_text
from generator.text.bangla import to_bangla_digits
from generator.xlsx.source import Source
from generator.spec.codes import COULD_NOT_PROCESS, SERVICE_STOPPED, TOOK_TOO_LONG, TOO_LARGE

# the build's stack, imported by the workers (once, before they fork: workers.Pool), not by a service's own process
PRELOAD = ("generator.service.pipeline", "generator.documents.compiled")


@dataclass(frozen=True)
class Task:
    """One workbook to build (its path, or its bytes read once by the caller) and where its results go."""

    source: Path | Source
    out_root: Path
    state_dir: Path
    submission: int | None = None  # the ledger entry it is built for
    owner: str | None = None  # the lease (records/owners.py) its serial is reserved under
    pdf: PdfSettings | None = None
    default_date: dt.date | None = None

    @property
    def path(self) -> Path:
        return self.source.path if isinstance(self.source, Source) else Path(self.source)


def run(task: Task) -> Result:
    """In a worker: the build."""
    from generator.service import pipeline

    return pipeline.build(task.source, out_root=task.out_root, state_dir=task.state_dir, submission=task.submission,
                          pdf=task.pdf, default_date=task.default_date, owner=task.owner)


def lost(task: Task, loss: Loss) -> Result:
    """In the parent: the result of a build that brought none back. A worker that died, ran late or was
    stopped gives back any serial it had reserved, and the rejection report is filed (for one that ran out of
    memory or raised, too: the clerk finds why beside the file)."""
    result = {"memory": too_large, "time": too_long, "error": internal,
              "start": not_started, "stopped": stopped}.get(loss.how, _lost)(task.path, loss)
    if loss.how == "start":  # the worker never took the task: no serial, and no fault of the workbook to file
        return result
    if loss.how not in ("memory", "error"):  # one that lived to tell gave its serial back as its build unwound
        release(task.state_dir, task.submission, task.owner)
    if loss.how == "stopped":  # built by the next start, whatever it had reached: nothing for anyone to send again
        return result
    result = _unfinished(task, result)
    from generator.service import pipeline

    return pipeline.report_rejection(result, task.source, Path(task.out_root), task.submission)


def release(state_dir: Path, submission: int | None, owner: str | None) -> None:
    """Give back any serial `owner` still holds for a ledger entry whose build will not finish."""
    if submission is None:
        return
    try:
        with Register(Path(state_dir)) as register:
            register.release_submission(submission, owner=owner)
    except (StateError, sqlite3.Error):
        pass  # the register cannot be reached: the serial stays reserved, and `gen register` says so


def _unfinished(task: Task, result: Result) -> Result:
    """A build that stopped after its serial was confirmed (the commit point) and before its letter became
    visible: the register has issued the memo, no letter exists yet. Told so (the same code: the intake tries
    once more), with what finishes it: the same file again gets the same memo and writes the letter."""
    entry = None
    if task.submission is not None:
        try:
            with Register(Path(task.state_dir)) as register:
                entry = register.issued_for(task.submission)
        except (StateError, sqlite3.Error):
            pass
    if entry is None or not result.issues:
        return result
    bn, en = issued_not_placed(task.path.name, memo_text(entry.prefix, entry.serial))
    told = replace(result.issues[0], bn=bn, en=en)
    return replace(result, issues=(told, *result.issues[1:]))


class BuildPool(Pool):
    """Worker processes that build workbooks, each with the memory and time limits."""

    def __init__(self, jobs: int = 1, limits: Limits | None = None, *, start_method: str | None = None):
        super().__init__(run, lost, jobs, limits, start_method=start_method, preload=PRELOAD)

    def build(self, source: Path | Source, **options) -> Result:
        """Build one workbook in a worker; blocks the calling thread only."""
        return self.run(Task(source, **options))


def too_large(path: Path, loss: Loss) -> Result:
    mb = loss.limits.memory_mb
    return failure(
        path, TOO_LARGE,
        f"{Path(path).name} পড়তে {to_bangla_digits(mb)} MB-এর বেশি মেমরি লাগছিল, তাই ফাইলটি বাদ দেওয়া হয়েছে। "
        "ফাইলে অপ্রয়োজনীয় শিট, ছবি বা দূরের ঘরে লেখা থাকলে মুছে, অথবা 'gen template' থেকে নেওয়া নতুন ছকে পূরণ করে পাঠান।",
        f"Reading {Path(path).name} needed more than {mb} MB of memory, so the file was set aside. Delete stray "
        "sheets, pictures or far-away cells, or fill a fresh workbook from 'gen template', and send it again.")


def too_long(path: Path, loss: Loss) -> Result:
    s = f"{loss.limits.seconds:g}"
    return failure(
        path, TOOK_TOO_LONG,
        f"{Path(path).name} প্রক্রিয়া করতে {to_bangla_digits(s)} সেকেন্ডের বেশি লেগেছে, তাই থামানো হয়েছে। কারণ ফাইলটি "
        "(অস্বাভাবিক বড় বা জটিল) হতে পারে, আবার সার্ভারও (ব্যস্ত বা আটকে থাকা) হতে পারে: একই ফাইল আবার পাঠান; "
        "আবারও এমন হলে এবং ফাইলটি সাধারণ হলে সিস্টেম প্রশাসককে জানান, নইলে 'gen template' থেকে নেওয়া নতুন ছকে পূরণ করুন।",
        f"Processing {Path(path).name} took longer than {s} s, so it was stopped. The cause may be the file "
        "(unusually large or complex) or the server (busy or stalled): send the same file again; if it happens "
        "again with an ordinary file, tell the system administrator, else fill a fresh workbook from 'gen template'.")


def _lost(path: Path, loss: Loss) -> Result:
    why = loss.detail or "it was stopped"
    return lost_file(path, why)


def lost_file(path: Path, why: str) -> Result:
    """A workbook whose worker died: it cannot be processed."""
    return failure(
        path, COULD_NOT_PROCESS,
        f"{Path(path).name} প্রক্রিয়া করা যায়নি: ফাইলটি পড়তে গিয়ে কর্মী-প্রক্রিয়া বন্ধ হয়ে গেছে ({why})। ফাইলটি নষ্ট "
        "বা অস্বাভাবিক; Excel-এ খুলে নতুন নামে .xlsx হিসেবে সংরক্ষণ করে, অথবা 'gen template' থেকে নেওয়া নতুন ছকে পূরণ করে পাঠান।",
        f"{Path(path).name} could not be processed: the worker reading it stopped ({why}). The file is damaged or "
        "unusual; open it in Excel and save it as a new .xlsx, or fill a fresh workbook from 'gen template'.")


def set_aside_after_stops(path: Path, stops: int) -> Result:
    """A workbook in hand each time the service stopped, `stops` times: set aside, so that it cannot stop it again.
    The service may have been stopped (a restart, a power cut) as well as stopped by the file: both are said."""
    name = Path(path).name
    return failure(
        path, COULD_NOT_PROCESS,
        f"{name} তৈরির সময় সার্ভিসটি {to_bangla_digits(stops)} বার বন্ধ হয়ে গেছে, তাই ফাইলটি আলাদা করে রাখা হলো, যাতে আবার "
        "বন্ধ না হয়। কারণ সার্ভিসের দিকেও হতে পারে (পুনরায় চালু করা, বিদ্যুৎ চলে যাওয়া), ফাইলের দিকেও হতে পারে। ফাইলটি "
        "যেমন ছিল তেমনই আছে: আবার পাঠান; আবারও না হলে Excel-এ খুলে নতুন নামে .xlsx হিসেবে সংরক্ষণ করে পাঠান।",
        f"{name}: the service stopped {stops} times while it was building this file, so it was set aside, lest it stop "
        "the service again. Either may be the cause: the service being stopped (a restart, a power cut), or the file. "
        "The file is as it was: send it again; if that fails too, open it in Excel, save it as a new .xlsx and send that.")


def stopped(path: Path, loss: Loss) -> Result:
    """A build cut short by the service's own stop (a restart, a deploy: systemd signals the whole service) or its
    pool closed: not the file's fault, and not to be tried again by a service on its way out. Not written: the file
    stays where it was sent (the inbox, the uploads kept) and is built when the service starts again."""
    name = Path(path).name
    return replace(failure(
        path, SERVICE_STOPPED,
        f"{name} তৈরির মাঝে সার্ভিসটি থামানো হয়েছে (পুনরায় চালু বা হালনাগাদ)। ফাইলটি যেমন ছিল তেমনই রাখা আছে এবং সার্ভিস "
        "আবার চালু হলে তৈরি হবে; কিছু করতে হবে না।",
        f"The service was stopped (a restart, an update) while {name} was being built. The file is kept as it was "
        "and is built when the service starts again; nothing is to be done."), status=FAILED)


def not_started(path: Path, loss: Loss) -> Result:
    """A worker that died before it was ready for any task: the workbook was never opened, it is not to blame."""
    name, why = Path(path).name, loss.detail or "it was stopped"
    return replace(failure(
        path, COULD_NOT_PROCESS,
        f"{name} প্রক্রিয়া করা যায়নি, তবে এতে ফাইলটির দোষ নেই: ফাইলটি খোলার আগেই কর্মী-প্রক্রিয়াটি চালু হতে পারেনি "
        f"({why})। ফাইলটি যেমন ছিল তেমনই আছে; আবার পাঠান, আবারও এমন হলে সিস্টেম প্রশাসককে জানান। নিজের Python "
        "স্ক্রিপ্ট থেকে চালালে build_many ডাকুন if __name__ == \"__main__\": এর নিচে।",
        f"{name} could not be processed, through no fault of the file: the worker process failed to start before "
        f"the workbook was opened ({why}). The file is as it was: send it again, and if this happens again tell the "
        "system administrator. A Python script that calls generator.build_many must call it under "
        "if __name__ == \"__main__\":."), status=FAILED)  # not rejected: nothing for the clerk to correct


def internal(path: Path, loss: Loss) -> Result:
    name, _, _ = loss.detail.partition(":")
    return failure(
        path, COULD_NOT_PROCESS,
        f"{Path(path).name} প্রক্রিয়া করতে গিয়ে একটি অপ্রত্যাশিত ত্রুটি হয়েছে ({name})। ফাইলটি "
        "সংরক্ষিত আছে; সিস্টেম প্রশাসককে জানান।",
        f"An unexpected error occurred while processing {Path(path).name} ({loss.detail}). The file "
        "is kept; tell the system administrator.")
