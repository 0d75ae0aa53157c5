"""The public API (re-exported by `generator`): build and check workbooks, write blank and next-period
workbooks, summarise a period for the receiving office, read the memo register. The CLI and the web desk
are built over it and the service layer; everything not named in `generator.__all__` is private."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING
from pathlib import Path

from generator.findings import GenError
from generator.records.register import Entry, Register
from generator.records.store import OutputError, refuse_over_record, refuse_unless_ordinary, write_atomic
from generator.records.db import holds_register
from generator.records.state import NoRegister, database_url as state_url, resolve
from generator.service import batch, converter
from generator.service.result import Result
from generator.service.workers import Limits
from generator.spec import kinds
from generator.spec.codes import COULD_NOT_READ, OUTPUT_EXISTS, UNKNOWN_KIND
from generator.text import names

if TYPE_CHECKING:
    from generator.periods.next_period import Next
    from generator.periods.summarizing import Summarized

# the periods layer (openpyxl) and the blank workbooks load when first asked for: `gen build` needs neither


@dataclass(frozen=True)
class PdfOptions:
    """PDFs beside the Word files (through one warm LibreOffice for the run), and with `bundle` the e-Nothi
    bundle: the letter, the annex and the `evidence` files (PDF, JPEG, PNG) in one PDF under 25 MiB."""

    bundle: bool = False
    evidence: tuple[Path, ...] = ()
    timeout: float = 20.0  # seconds for one document's conversion

    def __post_init__(self) -> None:  # told at the call, not as a workbook's fault from inside a build
        if not isinstance(self.bundle, bool):
            raise TypeError(f"PdfOptions.bundle must be True or False, not {type(self.bundle).__name__}")
        if isinstance(self.evidence, (str, bytes, PathLike)):
            raise TypeError("PdfOptions.evidence takes a list of files, not one path: evidence=[path]")
        object.__setattr__(self, "evidence", tuple(_path(f, "PdfOptions.evidence") for f in self.evidence))
        if isinstance(self.timeout, bool) or not isinstance(self.timeout, (int, float)):
            raise TypeError(f"PdfOptions.timeout must be seconds (a number), not {type(self.timeout).__name__}")
        if not 1 <= self.timeout < math.inf:  # as gen build's --pdf-timeout
            raise ValueError(f"PdfOptions.timeout must be 1 second or more, and finite, not {self.timeout!r}")

    @classmethod
    def from_folder(cls, folder: Path, **options) -> PdfOptions:
        """The bundle with every PDF, JPEG and PNG of `folder`, in name order."""
        from generator.documents.bundle import evidence_files

        try:
            found = evidence_files(Path(folder))
        except OSError as e:
            raise GenError(COULD_NOT_READ, f"প্রমাণকের ফোল্ডার {folder} পড়া যাচ্ছে না ({e.strerror or e})।",
                           f"The evidence folder {folder} cannot be read ({e.strerror or e}).") from None
        return cls(bundle=True, evidence=tuple(found.files), **options)


def build_many(paths: Iterable[Path | str], *, out: Path | str = "output", state: Path | str | None = None,
               jobs: int | None = None, limits: Limits | None = None, date: dt.date | None = None,
               pdf: PdfOptions | None = None) -> Generator[Result, None, None]:
    """Build each workbook in a worker process (memory and time limits, one per core unless `jobs` says), each
    recorded in the ledger of `state` (default: docs/api.md); results, as they are iterated, in the order given.
    `date` is the issue date of workbooks that leave it blank. Arguments are checked at the call (TypeError,
    ValueError naming the argument); GenError `state-unavailable` when the state cannot be used."""
    if isinstance(paths, (str, bytes, PathLike)):
        raise TypeError("build_many takes a list of workbooks, not one path: build_many([path]), or build(path)")
    if not isinstance(paths, Iterable):
        raise TypeError(f"build_many takes a list of workbooks, not {type(paths).__name__}")
    _expect(pdf, PdfOptions, "pdf")
    _expect(limits, Limits, "limits")
    _expect(date, dt.date, "date")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int)):
        raise TypeError(f"jobs must be a whole number or None, not {type(jobs).__name__}")
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be 1 or more (workbooks built at once), not {jobs}")
    workbooks = [_path(p, "each workbook") for p in paths]
    out_root = _folder(out, "out")
    if state is not None:
        _folder(state, "state")
    state_dir = resolve(state)
    return _built(workbooks, out_root, state_dir, jobs, limits, date, pdf)


def _built(workbooks: list[Path], out_root: Path, state_dir: Path, jobs: int | None, limits: Limits | None,
           date: dt.date | None, pdf: PdfOptions | None) -> Generator[Result, None, None]:
    settings = dict(bundle=pdf.bundle, evidence=tuple(str(p) for p in pdf.evidence)) if pdf else {}
    with converter.warm(pdf is not None, pdf.timeout if pdf else 20.0, **settings) as made:
        yield from batch.build_all(workbooks, out_root=out_root, state_dir=state_dir,
                                   jobs=jobs, limits=limits, pdf=made, default_date=date)


def build(path: Path | str, **options) -> Result:
    """Build one workbook as `build_many` does."""
    options["jobs"] = 1
    return next(iter(build_many([path], **options)))


def _expect(value: object, kind: type, name: str) -> None:
    """TypeError naming the argument, rather than an AttributeError from deep inside (or from a worker)."""
    if value is not None and not isinstance(value, kind):
        where = "datetime." if kind is dt.date else "generator."
        raise TypeError(f"{name} must be a {where}{kind.__name__} or None, not {type(value).__name__}")


def _path(value: object, name: str) -> Path:
    """A str or os.PathLike as a Path; TypeError naming the argument for anything else (bytes, None, a number)."""
    if isinstance(value, bytes) or not isinstance(value, (str, PathLike)):
        raise TypeError(f"{name} must be a path (str or pathlib.Path), not {type(value).__name__}")
    return Path(value)


def _folder(value: object, name: str) -> Path:
    """An output or state folder's path; ValueError for a name that is not UTF-8 text (no record could hold it)."""
    path = _path(value, name)
    if names.undecodable(str(path)):
        raise ValueError(f"{name} '{names.escaped(str(path))}' is not UTF-8 text: name the folder in UTF-8")
    return path


def check(path: Path | str, *, today: dt.date | None = None, limits: Limits | None = None) -> Result:
    """Check every cell and compute the score, building nothing (status 'valid' or 'rejected'; a path that is not
    a readable regular file is rejected as could-not-read, as `build` does), in a worker process with the memory
    and time limits a build has: a hostile file is told as such, never a stop of the caller."""
    from generator.service.checks import check_all

    _expect(today, dt.date, "today")
    _expect(limits, Limits, "limits")
    return next(check_all([_path(path, "path")], jobs=1, limits=limits, today=today))


def blank_workbook(kind: str | kinds.Kind, path: Path | str, *, force: bool = False) -> Path:
    """Write the blank workbook of a report kind ('cc', 'egov', …; see KINDS), whole, as a new file (a hard link
    at `path` keeps what it links). GenError `unknown-kind` for a kind that is not one of KINDS, `output-exists`
    over a file already there unless `force` (it may be the clerk's filled workbook of the same name),
    `output-not-a-file` when a folder, link or special file is at `path`, `output-is-a-record` over a record the
    service keeps (store.refuse_over_record), `could-not-write` when the file cannot be written there."""
    from generator.xlsx import blanks

    spec = kind if isinstance(kind, kinds.Kind) else kinds.get(str(kind))
    if spec is None:
        known = ", ".join(kinds.KINDS)
        raise GenError(UNKNOWN_KIND, f"'{kind}' নামে কোনো প্রতিবেদনের ধরন নেই; ধরনগুলো: {known}।",
                       f"There is no report kind {str(kind)!r}; the kinds are: {known}.")
    path = Path(path)
    refuse_unless_ordinary(path)  # a FIFO would block the write, a device or link would be written through
    refuse_over_record(path)  # a blank over the register or a built letter: never
    if path.exists() and not force:
        raise GenError(OUTPUT_EXISTS,
                       f"{path} আগে থেকেই আছে (হয়তো পূরণ করা ওয়ার্কবুক), তাই ফাঁকা ছক তার ওপর লেখা হয়নি। অন্য নাম দিন (-o), "
                       "অথবা সত্যিই বদলাতে চাইলে --force দিন।",
                       f"{path} already exists (perhaps a filled-in workbook), so the blank was not written over it. "
                       "Give another name (-o), or --force to replace it.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, blanks.template_bytes(spec))
    except OSError as e:
        raise OutputError(path, e) from None
    return path


def next_workbook(submitted: Path | str, out: Path | str | None = None, *,
                  force: bool = False) -> tuple[Path, Next]:
    """Write next period's workbook, pre-filled from the one sent (docs/next.md); never over the submitted file,
    over another only with `force`, and never in the place of a folder, link or special file (GenError
    `output-not-a-file`, even with `force`). next_period.Refused (a GenError) when there is none to write; a
    GenError `could-not-write` when it cannot be written there."""
    from generator.periods import next_period

    return next_period.write(Path(submitted), Path(out) if out is not None else None, force=force)


def summarize(fiscal_year: str, period: str, *, state: Path | str | None = None, out: Path | str = "output",
              kind: str | None = None, roster: Path | str | None = None, letter: Path | str | None = None,
              outputs: Iterable[Path | str] = (), date: dt.date | None = None,
              force: bool = False) -> Summarized:
    """The receiving office's summary of one period (docs/summary.md), with its files written to `outputs`."""
    from generator.periods import summarizing

    state_dir = resolve(state)
    _expect(date, dt.date, "date")
    if isinstance(outputs, (str, bytes, PathLike)):
        raise TypeError("summarize's outputs is a list of file names, not one: outputs=[path]")
    asked = summarizing.asked(fiscal_year, period, kind=kind, roster=None if roster is None else Path(roster),
                              letter=None if letter is None else Path(letter), today=date,
                              outputs=tuple(Path(p) for p in outputs), force=force)
    return summarizing.write(asked, summarizing.collect(asked, state_dir=state_dir, out_root=Path(out)),
                             state_dir=state_dir)


def memo_register(state: Path | str | None = None) -> list[Entry]:
    """Every memo number the register holds (issued, and reserved or void: `Entry.state`), oldest first. GenError
    `state-unavailable` when `state` holds no register (a mistyped folder is not made into a new, empty one)."""
    folder = resolve(state)
    if not holds_register(folder):
        raise NoRegister(state_url(folder) or folder)
    with Register(folder) as register:
        return register.entries()
