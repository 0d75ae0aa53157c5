"""`gen summary`: reads its options, collects the summary, prints it and writes the files asked for. Every
problem is a message in Bangla with English beneath, and an exit code (cli.py documents them)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from generator.text import bangla
from generator.spec import kinds
from generator.periods import roster as rosters, summary as summaries, summary_docs
from generator.records import store
from generator.records.state import StateError

EXIT_BAD_INPUT, EXIT_USAGE, EXIT_NOT_WRITTEN = 1, 2, 3


def _say(bn: str, en: str) -> None:
    click.echo(f"✘ {bn}\n  {en}", err=True)


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


def run(fiscal_year: str, period: str, *, kind: str | None, roster: Path | None, state_dir: Path, out_root: Path,
        letter: Path | None, today: dt.date | None, outputs: tuple[Path, ...], force: bool = False) -> int:
    fy, per = bangla.parse_fiscal_year(fiscal_year), bangla.parse_period(period)
    if fy is None:
        _say(f"--fy '{fiscal_year}' অর্থবছর হিসেবে বোঝা যায়নি; লিখুন যেমন 2023-24 বা ২০২৩-২০২৪।",
             f"--fy '{fiscal_year}' is not a fiscal year; write e.g. 2023-24.")
        return EXIT_USAGE
    if per is None:
        _say(f"--period '{period}' সময়কাল হিসেবে বোঝা যায়নি; লিখুন q1, q2, h1, q3, q4 বা annual।",
             f"--period '{period}' is not a period; write q1, q2, h1, q3, q4 or annual.")
        return EXIT_USAGE
    if kind is not None and (kind not in kinds.KINDS or kinds.KINDS[kind].scorer is None):
        plans = ", ".join(k for k, v in kinds.KINDS.items() if v.scorer)
        _say(f"--kind '{kind}' কোনো কর্মপরিকল্পনার ধরন নয়; এগুলোর একটি লিখুন: {plans}।",
             f"--kind '{kind}' is not a plan kind; one of: {plans}.")
        return EXIT_USAGE
    xlsx, docx = targets(outputs)
    inputs = {p.resolve() for p in (roster, letter) if p is not None}
    for out in (xlsx, docx):
        if out is not None and out.resolve() in inputs:
            _say(f"{out} একটি ইনপুট ফাইল; মূল ফাইল বদলানো হয় না। অন্য নাম দিন।",
                 f"{out} is one of the input files; originals are never changed. Give another name.")
            return EXIT_USAGE
    if letter is not None and docx is not None and docx.exists() and not force:
        _say(f"{docx} আগে থেকেই আছে: হয়তো আগে জারি করা পত্র (রেজিস্টারে তার স্মারক আছে), তাই তার ওপর লেখা হয়নি। "
             "অন্য নাম দিন, অথবা সত্যিই বদলাতে চাইলে --force দিন।",
             f"{docx} already exists: perhaps a letter already issued (its memo is in the register), so it was not "
             "written over. Give another name, or --force to replace it.")
        return EXIT_USAGE
    today = today or dt.date.today()
    try:
        names = rosters.read(roster) if roster is not None else None
    except rosters.RosterError as e:
        _say(e.bn, e.en)
        return EXIT_BAD_INPUT
    try:
        result = summaries.collect(state_dir, fy, per, kind=kind, roster=names, out_root=out_root)
        show(result)
        written, memo = summary_docs.write(result, xlsx=xlsx, docx=docx, letter=letter, state_dir=state_dir,
                                           today=today)
    except summary_docs.LetterError as e:
        for f in e.findings:
            where = f" {f.where}" if f.sheet or f.cell else ""
            click.echo(f"  [ত্রুটি / error] {letter}{where} ({f.code})\n    {f.bn}\n    {f.en}", err=True)
        _say("পত্রের শিট ব্যবহার করা যায়নি; কোনো নথি লেখা হয়নি (ওয়ার্কবুক ছাড়া, যদি চাওয়া হয়ে থাকে)।",
             "The letter sheet cannot be used; no document was written (except the workbook, if asked for).")
        return EXIT_BAD_INPUT
    except (StateError, store.WriteError) as e:
        _say(e.bn, e.en)
        return EXIT_NOT_WRITTEN
    for name in result.unlisted:
        click.echo(f"  [সতর্কতা / warning] '{name}' জমা দিয়েছে কিন্তু তালিকায় নেই (নামের বানান মিলিয়ে দেখুন)। / "
                   f"reported but is not on the roster (check the spelling).", err=True)
    if memo:
        click.echo(f"স্মারক / memo: {memo}")
    for path in written:
        click.echo(f"→ {path}")
    return 0


def show(result: summaries.Summary) -> None:
    click.echo(f"{summary_docs.title(result)}\n"
               f"শেষ তারিখ / deadline: {bangla.format_gregorian_date(result.deadline)} ({result.deadline.isoformat()})")
    if not result.rows:
        click.echo("এই সময়ের কোনো তৈরি প্রতিবেদন লেজারে নেই। / No built report of this period in the ledger.")
    for row in result.rows:
        score = "" if row.percent is None else \
            f"  {row.total:g}/{row.possible:g} ({row.percent:g}%)  #{row.rank}"
        memo = f"  {row.memo}" if row.memo else ""
        click.echo(f"{row.kind or '-':6} {row.office}  [{summaries.STATUS_BN[row.status]} / "
                   f"{summaries.STATUS_EN[row.status]}]{memo}{score}")
