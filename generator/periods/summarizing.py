"""`gen summary` and `generator.summarize`: the options checked, the summary collected and the files asked for
written. Every problem is a GenError with its message in Bangla and English; the CLI prints them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from generator.findings import Finding, GenError
from generator.periods import roster as rosters, summary as summaries, summary_docs
from generator.records import state, store
from generator.spec import kinds
from generator.text import bangla, clock
from generator.spec.codes import BAD_FISCAL_YEAR, BAD_PERIOD, OUTPUT_EXISTS, PERIOD_NOT_FOR_KIND, STATE_UNAVAILABLE, UNKNOWN_KIND


class Unusable(GenError):
    """An option that cannot be used (a fiscal year not understood, an output over an input)."""


class NoState(state.StateError):
    """The state folder holds no register: a summary only reads what was built, so a mistyped --state is told,
    never answered with a fresh, empty register (every office 'not submitted', a memo number issued twice)."""

    def __init__(self, where: Path):
        self.path, self.cause = Path(where), "no register here"
        GenError.__init__(
            self, STATE_UNAVAILABLE,
            f"অবস্থা-ফোল্ডার {where}-এ কোনো রেজিস্টার নেই: --state ঠিক কি না দেখুন। সারসংক্ষেপ কেবল তৈরি প্রতিবেদন "
            "পড়ে, নতুন রেজিস্টার খোলে না; কিছুই লেখা হয়নি, কোনো স্মারক নম্বর খরচ হয়নি।",
            f"The state folder {where} holds no register: check --state. A summary only reads what was built and "
            "never starts a new register; nothing was written and no memo number was used.")


@dataclass(frozen=True)
class Summarized:
    summary: summaries.Summary
    written: list[Path] = field(default_factory=list)
    memo: str | None = None  # of the receiving office's own letter, when one was asked for
    notes: list[Finding] = field(default_factory=list)  # warnings on the letter sheet (a separator kept)


def targets(outputs: tuple[Path, ...]) -> tuple[Path | None, Path | None]:
    """(workbook, document) from -o: by suffix; a name without .xlsx or .docx is the stem of both."""
    xlsx = docx = None
    for out in outputs:
        suffix = out.suffix.lower()
        if suffix == ".xlsx":
            xlsx = out
        elif suffix == ".docx":
            docx = out
        else:
            xlsx, docx = out.with_name(out.name + ".xlsx"), out.with_name(out.name + ".docx")
    return xlsx, docx


@dataclass(frozen=True)
class Asked:
    """The options of a summary, checked."""

    fiscal_year: bangla.FiscalYear
    period: bangla.Period
    kind: str | None
    roster: list[str] | None
    xlsx: Path | None
    docx: Path | None
    letter: Path | None
    today: dt.date
    force: bool = False  # replace an existing letter at `docx`


def asked(fiscal_year: str, period: str, *, kind: str | None = None, roster: Path | None = None,
          letter: Path | None = None, today: dt.date | None = None, outputs: tuple[Path, ...] = (),
          force: bool = False) -> Asked:
    """Unusable for an option that cannot be used; RosterError for a roster that cannot be read."""
    fy, per = bangla.parse_fiscal_year(fiscal_year), bangla.parse_period(period)
    if fy is None:
        raise Unusable(BAD_FISCAL_YEAR, f"--fy '{fiscal_year}' অর্থবছর হিসেবে বোঝা যায়নি; লিখুন যেমন 2023-24 বা ২০২৩-২০২৪।",
                       f"--fy '{fiscal_year}' is not a fiscal year; write e.g. 2023-24.")
    if per is None:
        raise Unusable(BAD_PERIOD, f"--period '{period}' সময়কাল হিসেবে বোঝা যায়নি; লিখুন q1, q2, h1, q3, q4 বা annual।",
                       f"--period '{period}' is not a period; write q1, q2, h1, q3, q4 or annual.")
    if kind is not None and (kind not in kinds.KINDS or not kinds.KINDS[kind].scored):
        plans = ", ".join(k for k, v in kinds.KINDS.items() if v.scored)
        raise Unusable(UNKNOWN_KIND, f"--kind '{kind}' কোনো কর্মপরিকল্পনার ধরন নয়; এগুলোর একটি লিখুন: {plans}।",
                       f"--kind '{kind}' is not a plan kind; one of: {plans}.")
    if kind is not None and per.id not in kinds.KINDS[kind].periods:  # no office reports it: all would be 'missing'
        made = kinds.KINDS[kind].periods
        raise Unusable(PERIOD_NOT_FOR_KIND,
                       f"--kind {kind}-এর প্রতিবেদন '{per.name}' সময়ের জন্য হয় না, তাই কোনো অফিসের জমা থাকার কথা নয়; "
                       f"হতে পারে: {', '.join(made)}।",
                       f"--kind {kind} is not reported for period '{per.id}', so no office would have sent one; its "
                       f"periods: {', '.join(made)}.")
    xlsx, docx = targets(outputs)
    inputs = {p.resolve() for p in (roster, letter) if p is not None}
    for out in (xlsx, docx):
        if out is not None and out.resolve() in inputs:
            raise Unusable("output-is-input", f"{out} একটি ইনপুট ফাইল; মূল ফাইল বদলানো হয় না। অন্য নাম দিন।",
                           f"{out} is one of the input files; originals are never changed. Give another name.")
    if letter is not None and docx is None:
        raise Unusable("letter-needs-docx",
                       f"--letter {letter}: পত্রটি .docx-এ লেখা হয়; -o দিয়ে একটি .docx নাম দিন (যেমন -o সারসংক্ষেপ.docx)।",
                       f"--letter {letter}: the letter is written to a .docx; give one with -o (e.g. -o summary.docx).")
    for out in (xlsx, docx):
        if out is None:
            continue
        try:
            store.refuse_unless_ordinary(out)
            store.refuse_over_record(out)  # a built letter, the register, a kept original: never, even with --force
        except GenError as e:
            raise Unusable(e.code, e.bn, e.en) from None
        if out.exists() and not force:
            raise _exists(out, issued=out == docx and letter is not None)
    names = rosters.read(roster) if roster is not None else None
    return Asked(fy, per, kind, names, xlsx, docx, letter, today or clock.today(), force)


def _exists(path: Path, issued: bool = True) -> Unusable:
    if not issued:
        return Unusable(
            OUTPUT_EXISTS,
            f"{path} আগে থেকেই আছে, তাই তার ওপর লেখা হয়নি। অন্য নাম দিন, অথবা সত্যিই বদলাতে চাইলে --force দিন।",
            f"{path} already exists, so it was not written over. Give another name, or --force to replace it.")
    return Unusable(
        OUTPUT_EXISTS,
        f"{path} আগে থেকেই আছে: হয়তো আগে জারি করা পত্র (রেজিস্টারে তার স্মারক আছে), তাই তার ওপর লেখা হয়নি। "
        "অন্য নাম দিন, অথবা সত্যিই বদলাতে চাইলে --force দিন।",
        f"{path} already exists: perhaps a letter already issued (its memo is in the register), so it was not "
        "written over. Give another name, or --force to replace it.")


def collect(options: Asked, *, state_dir: Path, out_root: Path) -> summaries.Summary:
    """The summary, each office's documents folder named relative to the output root: the files are handed to
    people who have no business knowing the server's own paths."""
    register = Path(state_dir) / state.FILE_NAME
    if state.database_url(state_dir) is None and not (register.is_file() and register.stat().st_size > 0):
        raise NoState(state_dir)  # nothing, or an empty file where the register was: never a register started here
    found = summaries.collect(state_dir, options.fiscal_year, options.period, kind=options.kind,
                              roster=options.roster, out_root=out_root)
    for row in found.rows:
        row.documents = relative(row.documents, out_root)
    return found


def relative(folder: str | None, out_root: Path) -> str | None:
    """A documents folder as seen from the output root (`2023-24/<office>/cc-q1/versions/<memo>`); one that is
    not under it (the root moved since it was built) keeps only those last five parts, never a server path."""
    if folder is None:
        return None
    path = Path(folder)
    for root in (Path(out_root), Path(out_root).resolve()):
        if path.is_relative_to(root):
            return path.relative_to(root).as_posix()
    return Path(*path.parts[-5:]).as_posix() if path.is_absolute() else path.as_posix()


def write(options: Asked, summary: summaries.Summary, *, state_dir: Path) -> Summarized:
    """LetterError for a letter sheet that cannot be used; StateError or WriteError when a file cannot be written."""
    try:
        written, memo, notes = summary_docs.write(summary, xlsx=options.xlsx, docx=options.docx, letter=options.letter,
                                           state_dir=state_dir, today=options.today, replace=options.force)
    except FileExistsError as e:  # made meanwhile (another `gen summary` on the same -o): a letter's memo went back
        path = Path(e.filename)
        raise _exists(path, issued=path == options.docx and options.letter is not None) from None
    return Summarized(summary, written, memo, notes)
