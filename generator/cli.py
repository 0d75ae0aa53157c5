"""`gen`: the command line, over the public API (generator.api) and the service layer (the watch folder, the
web desk). Heavy imports happen inside each command."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

import click

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
EXIT_NOT_WRITTEN = 3  # 0 built, 1 rejected, 2 usage error (click), 3 could not write
EXIT_INTERRUPTED = 130  # stopped by Ctrl-C (128 + SIGINT), as shells count it


class _StateParam(click.ParamType):
    """A folder (checked as before: not a file) or a postgresql:// URL, kept as a string."""

    name = "state"
    _folder = click.Path(file_okay=False)

    def convert(self, value, param, ctx):
        from generator.records.state import as_given, is_url

        try:
            value = as_given(value) if isinstance(value, str) else value
        except ValueError as e:
            self.fail(str(e), param, ctx)
        return value if is_url(value) else self._folder.convert(value, param, ctx)


def _state_option(f):
    return click.option(
        "--state", "state_dir", type=_StateParam(), default=None, metavar="DIR|URL",
        help="Where the memo register and the ledger are: a folder (SQLite; keep it on local disk) or a "
             "postgresql://… URL (PostgreSQL, shared by several servers; docs/scale.md). "
             "Default: $GEN_STATE, else $GEN_STATE_DIR, else $XDG_STATE_HOME/gen, else ~/.local/state/gen.",
    )(f)


def _limit_options(f):
    f = click.option("--max-memory", type=click.IntRange(min=256), default=1536, show_default=True, metavar="MB",
                     help="Memory limit of the worker process handling one workbook; a workbook over it is "
                          "rejected (too-large).")(f)
    return click.option("--timeout", type=click.FloatRange(min=1), default=120, show_default=True, metavar="SECONDS",
                        help="Time limit for one workbook; a workbook over it is rejected (took-too-long).")(f)


def _pdf_timeout_option(f):
    return click.option("--pdf-timeout", type=click.FloatRange(min=1), default=20, show_default=True,
                        metavar="SECONDS", help="Time limit for converting one document to PDF; past it the .docx "
                        "is still delivered and the PDF reported missing.")(f)


def _auto_pdf_option(f):
    return click.option("--pdf/--no-pdf", "make_pdf", default=None,
                        help="PDFs beside the Word files. Default: on when LibreOffice is installed.")(f)


def _state(state_dir: str | None) -> Path:
    """The state folder of --state: a folder as given, or a PostgreSQL URL's local folder (its file `database`
    names the database, so every part of the program handed the folder opens it)."""
    from generator.records.state import resolve

    return resolve(state_dir)


def _queued(state_dir: str | None) -> bool:
    """A PostgreSQL state: `gen watch` and `gen serve` queue files for `gen worker` and build nothing themselves
    (so they need no LibreOffice of their own)."""
    from generator.service.queue import url_of

    return url_of(_state(state_dir)) is not None


def _say(error) -> None:
    """A GenError (StateError, a refused option…), as the command line tells it."""
    click.echo(f"✘ {error.bn}\n  {error.en}", err=True)


class _UsageInBangla(click.UsageError):
    """A usage error (a file name typed wrong, an option unknown or out of range) told as every other refusal
    is: Bangla first, click's English beneath, then the usage line. The exit code stays 2."""

    def __init__(self, error: click.UsageError):
        super().__init__(error.format_message(), error.ctx)
        self.bn = _bangla_usage(error)

    def show(self, file=None) -> None:
        click.echo(f"✘ {self.bn}\n  {self.message}", err=True)
        if self.ctx is not None:
            click.echo(f"\n{self.ctx.get_usage()}\nTry '{self.ctx.command_path} --help' for help.", err=True)


_PATH_PROBLEMS = (("does not exist", "পাওয়া যায়নি: নামটি আবার দেখুন"),
                  ("is a file", "একটি ফাইল, এখানে ফোল্ডার চাই"),
                  ("is a directory", "একটি ফোল্ডার, এখানে ফাইল চাই"),
                  ("is not readable", "পড়া যায় না (অনুমতি নেই)"),
                  ("is not writable", "এতে লেখা যায় না (অনুমতি নেই)"))


def _log_to_stdout(verbose: bool) -> None:
    """The service's log on standard output (one_line_formatter)."""
    import logging

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(one_line_formatter())
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler])


def one_line_formatter():
    """Each event on one line: a line break (or another control character) in a message, a file's name say, is
    shown escaped, so that a file named like a log line cannot forge one. A traceback's lines are each marked
    '  | ', so that none of them (an exception's text may hold a file's name too) reads as an event."""
    import logging
    import re

    control = re.compile("[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")

    class OneLine(logging.Formatter):
        def formatMessage(self, record: logging.LogRecord) -> str:
            record.message = control.sub(lambda m: ascii(m.group())[1:-1], record.message)
            return super().formatMessage(record)

        def formatException(self, ei) -> str:
            return _marked(super().formatException(ei))

        def formatStack(self, stack_info: str) -> str:
            return _marked(super().formatStack(stack_info))

    def _marked(text: str) -> str:
        return "\n".join("  | " + control.sub(lambda m: ascii(m.group())[1:-1], line) for line in text.splitlines())

    return OneLine("%(asctime)s %(levelname)s %(message)s")


def _bangla_usage(error: click.UsageError) -> str:
    import re

    if isinstance(error, click.BadParameter):
        named = re.search(r"['\"](.*)['\"] (?:does not exist|is a file|is a directory|is not readable|is not writable)",
                          error.message)
        for english, bangla in _PATH_PROBLEMS:
            if named and english in error.message:
                return f"'{named.group(1)}' {bangla}।"
        hint = error.param_hint or (error.param.get_error_hint(error.ctx) if error.param and error.ctx else "")
        hint = " / ".join(hint) if isinstance(hint, (list, tuple)) else hint
        if isinstance(error, click.MissingParameter):
            return f"প্রয়োজনীয় {hint} দেওয়া হয়নি।"
        if "unknown kind" in error.message:
            return "এই নামে কোনো প্রতিবেদনের ধরন নেই (সব ধরন: gen kinds)।"
        if "looks like a PostgreSQL connection string" in error.message or "is in quotes" in error.message:
            return (f"{hint}-এর মান এই প্রোগ্রাম পড়ে না: কেবল একটি ফোল্ডার বা postgresql://… ঠিকানা দিন, উদ্ধৃতিচিহ্ন "
                    "ছাড়া (libpq-এর host=… ধরনের সেটিং ঠিকানার ? অংশে)।")
        if "looks like an address" in error.message:
            return f"{hint}-এর ঠিকানাটি এই প্রোগ্রাম চেনে না: কেবল postgresql://… ঠিকানা বা একটি ফোল্ডার দিন।"
        if isinstance(getattr(error.param, "type", None), click.DateTime):
            return f"{hint}-এর তারিখ বোঝা যায়নি: লিখুন বছর-মাস-দিন, ইংরেজি অঙ্কে (যেমন 2024-04-20)।"
        return f"{hint}-এর মান ঠিক নয় (সংখ্যা হলে সীমার ভেতরে কি না দেখুন)।"
    if isinstance(error, click.NoSuchOption):
        return "এই নামে কোনো অপশন নেই।"
    if type(error).__name__ == "NoSuchCommand" or "No such command" in error.message:
        return "এই নামে কোনো কমান্ড নেই (সব কমান্ড: gen --help)।"
    return "কমান্ডটি এভাবে চালানো যায় না।"


def _in_bangla(error: click.UsageError) -> click.UsageError:
    # an error that shows itself its own way (click's help on a bare `gen`) is left as it is
    return error if type(error).show is not click.UsageError.show else _UsageInBangla(error)


class _Gen(click.Group):
    """`gen` and its groups: usage errors in Bangla with English beneath, from parsing and from commands alike."""

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as e:
            raise _in_bangla(e) from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.UsageError as e:
            raise _in_bangla(e) from None
        except KeyboardInterrupt:  # Ctrl-C: said in both languages, and not the exit code of a rejection
            click.echo("\n✘ থামানো হয়েছে (Ctrl-C)। যা হয়ে গেছে তা রাখা আছে; আবার চালালে বাকিগুলো হবে।\n"
                       "  Stopped (Ctrl-C). What was done is kept; run it again for the rest.", err=True)
            sys.exit(EXIT_INTERRUPTED)


_Gen.group_class = _Gen


@click.group(cls=_Gen, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Bangla progress-report letters and annexes from a standardized Excel workbook.

    \b
    gen template cc -o cc.xlsx      a blank workbook to fill
    gen build cc.xlsx               validate, number and build the letter and annex
    gen register                    the memo numbers issued so far
    """


@main.command()
@click.argument("kind")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Where to write the workbook (default: KIND.xlsx here).")
@click.option("--force", is_flag=True, help="Replace the file at the output name (never a record the service keeps).")
def template(kind: str, output: Path | None, force: bool) -> None:
    """Write the blank workbook for KIND (see `gen kinds`)."""
    import generator
    from generator.spec.codes import OUTPUT_EXISTS

    spec = generator.KINDS.get((kind or "").strip().lower())
    if spec is None:
        raise click.BadParameter(f"unknown kind {kind!r}; one of: {', '.join(generator.KINDS)}", param_hint="KIND")
    try:
        written = generator.blank_workbook(spec, output or Path(f"{spec.id}.xlsx"), force=force)
    except generator.GenError as e:
        _say(e)
        sys.exit(2 if e.code == OUTPUT_EXISTS else EXIT_NOT_WRITTEN)
    click.echo(str(written))


@main.command()
def kinds() -> None:
    """List the report kinds."""
    import generator

    for kind in generator.KINDS.values():
        click.echo(f"{kind.id:8} {kind.plan} — {kind.report}")


def _workbooks(paths: tuple[Path, ...]) -> tuple[list[Path], list[Path]]:
    """The workbooks named, each folder's .xlsx files in name order, and the folders that hold none. A folder
    named like a workbook (x.xlsx/) is kept as given, so that it is reported as not a regular file."""
    out, empty = [], []
    for p in paths:
        if p.is_dir() and p.suffix.lower() not in WORKBOOK_SUFFIXES:
            found = sorted(f for f in p.iterdir() if f.suffix.lower() in WORKBOOK_SUFFIXES and not f.name.startswith("~$"))
            out += found
            if not found:
                empty.append(p)
        else:
            out.append(p)
    return out, empty


def _in_subfolders(folder: Path, most: int = 10_000) -> int:
    """How many workbooks the subfolders of `folder` hold (looking at no more than `most` entries)."""
    count, seen = 0, 0
    for root, dirs, names in os.walk(folder):
        if Path(root) == folder:
            continue
        seen += len(dirs) + len(names)
        count += sum(1 for n in names if Path(n).suffix.lower() in WORKBOOK_SUFFIXES and not n.startswith("~$"))
        if seen > most:
            break
    return count


def _say_empty(folders: list[Path], given: tuple[Path, ...] = ()) -> None:
    """Each folder given that holds no workbook, and workbooks in a given folder's subfolders (not read), told
    on stderr (a --json stream stays JSON lines)."""
    from generator.text.bangla import to_bangla_digits

    for folder in (p for p in given if p.is_dir() and p.suffix.lower() not in WORKBOOK_SUFFIXES):
        below = _in_subfolders(folder)
        if below:
            click.echo(f"! {folder}: এর ভেতরের ফোল্ডারগুলোতে {to_bangla_digits(below)}টি ওয়ার্কবুক আছে, সেগুলো পড়া হয়নি (কেবল "
                       "ফোল্ডারটির নিজের ফাইল); সেগুলোর জন্য ভেতরের ফোল্ডারটি দিন।\n"
                       f"  {folder}: its subfolders hold {below} workbook(s), which were not read (only the folder's own "
                       "files are); give the subfolder to read them.", err=True)
    for folder in folders:
        click.echo(f"✘ {folder}: এই ফোল্ডারে কোনো ওয়ার্কবুক (.xlsx) নেই; কিছুই যাচাই বা তৈরি হয়নি।\n"
                   f"  {folder}: this folder holds no workbook (.xlsx); nothing was checked or built from it.",
                   err=True)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_root", type=click.Path(file_okay=False, path_type=Path), default=Path("output"),
              show_default=True, help="Output root; files go under FISCAL-YEAR/OFFICE/KIND-PERIOD/.")
@_state_option
@click.option("--date", "issue_date", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Issue date (YYYY-MM-DD) for workbooks that leave it blank. Default: today.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per workbook.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Workbooks built at once (processes). Default: the number of CPU cores.")
@_limit_options
@click.option("--pdf", "make_pdf", is_flag=True, help="Also a PDF of each document, every font embedded (LibreOffice).")
@click.option("--bundle", is_flag=True, help="Also one ...-bundle.pdf for e-Nothi: the letter, the annex, then the "
              "evidence files, under 25 MiB (implies --pdf).")
@click.option("--evidence", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder of evidence (প্রমাণক) for the bundle: every PDF, JPEG and PNG in it, in name order "
                   "(implies --bundle; one workbook only).")
@_pdf_timeout_option
def build(files: tuple[Path, ...], out_root: Path, state_dir: str | None, issue_date, as_json: bool,
          jobs: int | None, timeout: float, max_memory: int, make_pdf: bool, bundle: bool, evidence: Path | None,
          pdf_timeout: float) -> None:
    """Validate each workbook (or each .xlsx in a folder) and write its letter and annex.

    Each workbook is built in a worker process with a time and memory limit, and recorded in the ledger.
    Exit code 0 when every workbook was built, 1 when any was rejected, 3 when any could not be
    written (disk full or read-only, state folder unusable; its memo number goes back to the register).
    """
    import generator
    from generator.records.state import StateError

    paths, empty = _workbooks(files)
    _say_empty(empty, files)
    if not paths:
        sys.exit(1)
    pdf = None
    if evidence is not None:
        if len(paths) != 1:
            raise click.UsageError("--evidence belongs to one workbook; give exactly one.")
        pdf = generator.PdfOptions.from_folder(evidence, timeout=pdf_timeout)
        listed = set(pdf.evidence)
        for skipped in sorted(p for p in evidence.iterdir() if p not in listed):
            click.echo(f"প্রমাণক নয় বলে বাদ / not evidence (PDF, JPEG or PNG), left out: {skipped}", err=True)
    elif make_pdf or bundle:
        pdf = generator.PdfOptions(bundle=bundle, timeout=pdf_timeout)
    limits = generator.Limits(memory_mb=max_memory, seconds=timeout)
    show_bar = not as_json and len(paths) > 1 and sys.stdout.isatty()
    counts = {"built": 0, "rejected": 0, "failed": 0}
    try:
        results = generator.build_many(paths, out=out_root, state=_state(state_dir), jobs=jobs, limits=limits,
                                       date=issue_date.date() if issue_date else None, pdf=pdf)
        bar = (click.progressbar(results, length=len(paths), label="বানানো হচ্ছে / building", file=sys.stderr)
               if show_bar else contextlib.nullcontext(results))
        try:
            with bar as stream:
                for result in stream:
                    counts[result.final] += 1
                    if as_json:
                        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
                    elif not show_bar or not result.ok:
                        _print_result(result)
        finally:  # a Ctrl-C while a result is printed: the builds in hand are stopped and their entries closed now,
            results.close()  # not whenever (or whether) the interpreter collects the paused batch on its way out
    except StateError as e:
        _say(e)
        sys.exit(EXIT_NOT_WRITTEN)
    except ValueError as e:  # a folder's name that is not UTF-8 text
        raise click.BadParameter(str(e), param_hint="'--out' / '--state'") from None
    if show_bar:
        click.echo(f"তৈরি / built {counts['built']}, বাতিল / rejected {counts['rejected']}, "
                   f"লেখা যায়নি / not written {counts['failed']} → {out_root}")
    sys.exit(EXIT_NOT_WRITTEN if counts["failed"] else 1 if counts["rejected"] or empty else 0)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per workbook, with its score.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Workbooks checked at once (processes). Default: the number of CPU cores.")
@_limit_options
def validate(files: tuple[Path, ...], as_json: bool, jobs: int | None, timeout: float, max_memory: int) -> None:
    """Check workbooks cell by cell and compute their scores, building nothing.

    Each workbook is checked in a worker process with a time and memory limit, as a build is.
    Exit code 0 when every workbook is clean or has warnings only, 1 when any has errors.
    """
    from generator.service.checks import check_all
    from generator.service.workers import Limits

    paths, empty = _workbooks(files)
    _say_empty(empty, files)
    failed = bool(empty)
    for result in check_all(paths, jobs=jobs, limits=Limits(memory_mb=max_memory, seconds=timeout)):
        failed |= not result.ok
        if as_json:
            click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            _print_result(result)
    sys.exit(1 if failed else 0)


@main.command("next")
@click.argument("submitted", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Where to write the next workbook (default: KIND-YEAR-PERIOD.xlsx here).")
@click.option("--force", is_flag=True, help="Replace the output file if it exists (an ordinary file only; never the "
              "submitted file).")
def next_(submitted: Path, output: Path | None, force: bool) -> None:
    """Write the workbook for the period after SUBMITTED's, pre-filled from it.

    \b
    Kept: office, letterhead, recipient, signatories, copies and the plan rows. The period advances
    (q1→q2→q3→q4, h1→annual; after q4 or annual the next fiscal year, targets and achievements blank).
    Year-to-date achievements are carried, filled orange, for the clerk to update. See docs/next.md.
    Exit code 0 when written, 1 when SUBMITTED cannot be read or has no next period, 3 when the output
    cannot be written where asked (or a folder, link or special file is there, or a record the service keeps:
    never replaced).
    """
    import generator
    from generator.spec.codes import COULD_NOT_WRITE, OUTPUT_IS_A_RECORD, OUTPUT_NOT_A_FILE
    from generator.text.bangla import to_bangla_digits

    try:
        output, made = generator.next_workbook(submitted, output, force=force)
    except generator.GenError as e:
        click.echo(f"✘ {submitted}: পরবর্তী ওয়ার্কবুক তৈরি হয়নি / no next workbook written")
        _print_findings(str(submitted), e.findings)
        sys.exit(EXIT_NOT_WRITTEN if e.code in (COULD_NOT_WRITE, OUTPUT_NOT_A_FILE, OUTPUT_IS_A_RECORD) else 1)
    click.echo(f"✔ {output}: {made.fiscal_year.label} {made.period.name} / {made.fiscal_year.slug} {made.period.id}")
    if made.rollover:
        click.echo("  নতুন অর্থবছর: লক্ষ্যমাত্রা ও অর্জন ফাঁকা, সারিগুলো আগের মতো।")
        click.echo("  A new fiscal year: targets and achievements blank, the plan rows kept.")
    if made.carried:
        click.echo(f"  আগের অর্জন আনা হয়েছে, কমলা রঙে, হালনাগাদ করুন: {', '.join(made.carried)}")
        click.echo(f"  Achievements carried, in orange, to update: {', '.join(made.carried)}")
    if made.dropped:
        click.echo(f"  এই কলামগুলো বর্তমান ছকে নেই, আনা হয়নি / columns not in the current layout, left out: "
                   f"{', '.join(made.dropped)}")
    if made.errors:
        click.echo(f"  জমা দেওয়া ওয়ার্কবুকে {to_bangla_digits(made.errors)}টি ত্রুটি আছে; পরবর্তী ওয়ার্কবুক তবুও লেখা হলো, ঠিক করে নিন।")
        click.echo(f"  The submitted workbook has {made.errors} error(s); the next workbook was written anyway: "
                   "correct them in it.")
        _print_findings(str(submitted), [f for f in made.source_findings if f.severity == "error"])


def _print_findings(source: str, findings) -> None:
    for f in findings:
        where = f" {f.where}" if f.sheet or f.cell else ""
        click.echo(f"  [{'ত্রুটি / error' if f.severity == 'error' else 'সতর্কতা / warning'}] {source}{where} ({f.code})")
        click.echo(f"    {f.bn}")
        click.echo(f"    {f.en}")


def _print_result(result) -> None:
    if result.status == "valid":
        click.echo(f"✔ {result.source}: ঠিক আছে / valid")
        if result.score and result.score["possible"]:
            click.echo(f"  স্কোর / score: {result.score['total']:g} / {result.score['possible']:g} ({result.score['percent']:g}%)")
    elif result.status == "failed":
        click.echo(f"✘ {result.source}: লেখা যায়নি / could not be written")
    elif result.ok:
        reused = " (আগের নম্বর / same as before)" if result.memo_reused else ""
        click.echo(f"✔ {result.source}: তৈরি / built — স্মারক {result.memo}{reused}")
    else:
        click.echo(f"✘ {result.source}: গ্রহণ করা যায়নি / rejected", err=False)
    for f in result.issues:
        where = f" {f.where}" if f.sheet or f.cell else ""
        click.echo(f"  [{'ত্রুটি / error' if f.severity == 'error' else 'সতর্কতা / warning'}] {result.source}{where} ({f.code})")
        click.echo(f"    {f.bn}")
        click.echo(f"    {f.en}")
    for path in result.outputs:
        click.echo(f"  → {path}")


@main.command()
@click.option("--inbox", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The shared folder offices drop workbooks into.")
@click.option("--out", "out_root", type=click.Path(file_okay=False, path_type=Path), default=Path("output"),
              show_default=True, help="Output root for the documents.")
@_state_option
@click.option("--poll", type=float, default=None, metavar="SECONDS",
              help="Poll the folder every SECONDS instead of waiting for file-system events. Needed on "
                   "network shares (Windows/Samba, NFS): they send no inotify events.")
@click.option("--settle", type=float, default=2.0, show_default=True, metavar="SECONDS",
              help="How long a file's size and time must stay still before it is read.")
@click.option("--give-up", type=float, default=60.0, show_default=True, metavar="SECONDS",
              help="A steady .xlsx that still does not open is rejected after this long (a stalled copy).")
@click.option("--rescan", type=float, default=30.0, show_default=True, metavar="SECONDS",
              help="A full look at the inbox this often: files left there (not movable, state locked) are tried again.")
@click.option("-v", "--verbose", is_flag=True, help="Log every finding too.")
@_limit_options
@_auto_pdf_option
@_pdf_timeout_option
def watch(inbox: Path, out_root: Path, state_dir: str | None, poll: float | None, settle: float, give_up: float,
          rescan: float, verbose: bool, timeout: float, max_memory: int, make_pdf: bool | None, pdf_timeout: float) -> None:
    """Build every workbook dropped into INBOX, once; run until Ctrl-C or SIGTERM.

    \b
    Built workbooks move to INBOX/archive/<date>/, rejected ones to INBOX/rejected/
    with their .errors.txt and marked-up copy; other files go to rejected/ with a note.
    Lock files (~$…, .~lock…#), hidden and temporary files are left alone.
    Files already waiting when it starts are handled first.
    """
    import logging

    from generator.records.state import StateError
    from generator.service import converter
    from generator.service.watch import AlreadyWatched, BadLayout, InboxUnusable, Watcher, run
    from generator.service.workers import Limits

    _log_to_stdout(verbose)
    logging.getLogger("watchdog").setLevel(logging.WARNING)
    logging.getLogger("procrastinate").setLevel(logging.WARNING)
    try:
        with converter.warm(converter.wanted(make_pdf) and not _queued(state_dir), pdf_timeout) as pdf:
            run(Watcher(inbox, out_root, _state(state_dir), poll=poll, settle=settle, give_up=give_up, rescan=rescan,
                        limits=Limits(memory_mb=max_memory, seconds=timeout), pdf=pdf))
    except (AlreadyWatched, BadLayout) as e:
        click.echo(f"✘ {e.bn}\n  {e.en}", err=True)
        sys.exit(2)
    except (StateError, InboxUnusable) as e:
        click.echo(f"✘ {e.bn}\n  {e.en}", err=True)
        sys.exit(EXIT_NOT_WRITTEN)



@main.command()
@_state_option
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="How many files this worker builds at once (each in its own process with the limits).")
@click.option("-v", "--verbose", is_flag=True, help="Log every finding too.")
@_limit_options
@_auto_pdf_option
@_pdf_timeout_option
def worker(state_dir: str | None, jobs: int, verbose: bool, timeout: float, max_memory: int, make_pdf: bool | None,
           pdf_timeout: float) -> None:
    """Build the files queued in a PostgreSQL state (by `gen watch` and `gen serve`); run until Ctrl-C or SIGTERM.

    \b
    Needs --state postgresql://… (or GEN_STATE); start one or more on each machine.
    A worker killed mid-build leaves its job to the others, which finish it with
    the same memo number (docs/scale.md).
    """

    from generator.records.state import StateError
    from generator.service import converter, queue_worker
    from generator.service.workers import Limits

    _log_to_stdout(verbose)
    state = _state(state_dir)
    try:
        from generator.service import queue

        if queue.url_of(state) is None:
            click.echo("✘ 'gen worker' শুধু PostgreSQL অবস্থায় চলে (--state postgresql://…); অবস্থা-ফোল্ডারে "
                       "'gen watch' ও 'gen serve' নিজেরাই তৈরি করে।\n"
                       "  'gen worker' needs a PostgreSQL state (--state postgresql://…); with a state folder, "
                       "'gen watch' and 'gen serve' build by themselves.", err=True)
            sys.exit(2)
        with converter.warm(converter.wanted(make_pdf), pdf_timeout) as pdf:
            queue_worker.run(state, jobs=jobs, limits=Limits(memory_mb=max_memory, seconds=timeout), pdf=pdf)
    except StateError as e:
        _say(e)
        sys.exit(EXIT_NOT_WRITTEN)

@main.command()
@click.option("--out", "out_root", type=click.Path(file_okay=False, path_type=Path), default=Path("output"),
              show_default=True, help="Output root, as for gen build and gen watch.")
@_state_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="A name clerks use to reach the page (e.g. reports.dc-rangpur.gov.bd), besides localhost and "
                   "--host; requests for any other name are refused (DNS rebinding). Repeat for more.")
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--token", envvar="GEN_WEB_TOKEN", default=None,
              help="Access token, required when --host is not a loopback address (or set GEN_WEB_TOKEN).")
@click.option("--max-upload", default=10, show_default=True, type=click.IntRange(min=1), help="Upload limit, MB.")
@click.option("--max-evidence", default=60, show_default=True, type=click.IntRange(min=1),
              help="Limit of the evidence files sent with one workbook for its e-Nothi bundle, MB, all together.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=2, show_default=True,
              help="Uploads built at once (worker processes).")
@click.option("--proxy-headers", is_flag=True,
              help="Behind a reverse proxy on this machine (nginx with HTTPS): trust its X-Forwarded-Proto/-For "
                   "from 127.0.0.1, so session cookies are marked Secure. See docs/web.md.")
@click.option("--trusted-proxy", "proxies", multiple=True, metavar="ADDRESS",
              help="With --proxy-headers: the address of the nginx whose forwarded headers are believed, when it "
                   "runs on another machine (a load balancer in front of several servers). Default: 127.0.0.1. "
                   "Repeat for more.")
@_limit_options
@_auto_pdf_option
@_pdf_timeout_option
def serve(out_root: Path, state_dir: str | None, host: str, allowed_hosts: tuple[str, ...], port: int,
          token: str | None, max_upload: int, jobs: int, proxy_headers: bool, proxies: tuple[str, ...],
          timeout: float, max_memory: int, make_pdf: bool | None, pdf_timeout: float, max_evidence: int) -> None:
    """Serve the clerks' web page: submissions, findings, scores, downloads and an upload form."""
    import ipaddress

    try:
        local = ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = host == "localhost"
    if token is not None and not token.strip():
        raise click.UsageError("--token (or GEN_WEB_TOKEN) is blank: give a real token, or none on a loopback address")
    if proxies and not proxy_headers:
        raise click.UsageError("--trusted-proxy goes with --proxy-headers")
    if not local and not token:
        raise click.UsageError("--host is not a loopback address: give --token (or GEN_WEB_TOKEN) so only clerks get in")
    from generator.service import converter
    from generator.service.workers import Limits
    from generator.web import MB, create_app

    from generator.records.owners import LEASE_S, Busy, Lease, LeaseLost
    from generator.records.state import StateError
    from generator.web import server

    state = _state(state_dir).resolve()
    refused = server.unwritable(out_root, state)
    if refused:
        click.echo(f"✘ {refused[0]}\n  {refused[1]}", err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    try:
        # two servers on one state would undo each other's uploads: the second is refused (after waiting for
        # the lease of one killed a moment ago to run out)
        # (with a PostgreSQL state several servers share the work: uploads are jobs of the queue)
        from generator.service.queue import url_of

        alone = url_of(state) is None
        lease = Lease(state, "serve", state / "uploads", exclusive=alone)
        try:
            owner = lease.__enter__()
        except Busy as e:  # running, or killed a moment ago and not known to be dead before its lease runs out
            click.echo(f"… এই অবস্থা-ফোল্ডারে আরেকটি 'gen serve'-এর মেয়াদ এখনো চলছে ({e.holder}); সেটি এইমাত্র বন্ধ হয়ে "
                       f"থাকলে মেয়াদ শেষ হওয়া পর্যন্ত সর্বোচ্চ {LEASE_S + 5:.0f} সেকেন্ড অপেক্ষা।\n"
                       f"  Another 'gen serve' still holds this state folder's lease ({e.holder}); if it was killed a "
                       f"moment ago, waiting up to {LEASE_S + 5:.0f} s for its lease to run out.", err=True)
            lease = Lease(state, "serve", state / "uploads", exclusive=alone, wait=LEASE_S + 5)
            owner = lease.__enter__()
    except (Busy, StateError) as e:
        _say(e)
        sys.exit(2 if isinstance(e, Busy) else EXIT_NOT_WRITTEN)
    try:
        with converter.warm(converter.wanted(make_pdf) and not _queued(state_dir), pdf_timeout) as pdf:
            app = _or_exit(create_app, out_root=out_root, state_dir=state, token=token, max_upload=max_upload * MB,
                             limits=Limits(memory_mb=max_memory, seconds=timeout), jobs=jobs,
                             hosts=(host, *allowed_hosts), pdf=pdf, max_evidence=max_evidence * MB, owner=owner.id)
            lease.on_new_owner = lambda fresh: setattr(app.state.desk, "owner", fresh.id)  # its lease ran out
            app.state.desk.owner = (lease.owner or owner).id  # a new one taken while the server started
            server.run(app, host=host, port=port, proxy_headers=proxy_headers, proxies=proxies or ("127.0.0.1",),
                       stop=lease.lost)
    finally:
        lease.__exit__(None, None, None)
    if lease.lost.is_set():  # its lease ran out while it ran, and another server took its place
        _say(LeaseLost(state, "serve"))
        sys.exit(EXIT_NOT_WRITTEN)


def _or_exit(make, *args, **kwargs):
    """`make(…)`, or the message and exit 3 when the state database cannot be used (gone since it was checked)."""
    from generator.records.state import StateError

    try:
        return make(*args, **kwargs)
    except StateError as e:
        _say(e)
        sys.exit(EXIT_NOT_WRITTEN)


@main.command()
@_state_option
@click.option("--json", "as_json", is_flag=True, help="Print the register as JSON lines.")
@click.option("--out", "out_root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The output root: also name each issued memo whose version folder is not there (a build "
                   "stopped after its number was confirmed).")
def register(state_dir: str | None, as_json: bool, out_root: Path | None) -> None:
    """List the memo numbers issued so far."""
    from dataclasses import asdict

    import generator
    from generator.records.state import StateError

    try:
        folder = _state(state_dir)
        entries = generator.memo_register(folder)  # only a listing: a mistyped --state is told, never made
    except StateError as err:
        _say(err)
        sys.exit(EXIT_NOT_WRITTEN)
    from generator.records.register import Register
    from generator.spec.memo import register_prefix, separator as form_separator
    from generator.text.bangla import to_bangla_digits

    from generator.records import stores

    with Register(folder) as reg:
        kept = reg.separators()  # the office's separator per prefix, chosen by its first issue
        unfinished = stores.unfinished(out_root, reg.versions()) if out_root is not None else []
    for e in entries:
        separator = kept.get(register_prefix(e.prefix)) or form_separator(e.prefix)
        if as_json:
            click.echo(json.dumps({**asdict(e), "separator": separator}, ensure_ascii=False))
        else:
            click.echo(f"{e.issued_at[:19]}  {e.prefix}{separator}{to_bangla_digits(e.serial)}  {e.kind} {e.fiscal_year} "
                       f"{e.period}  {e.office}  {e.source}{'  (explicit)' if e.explicit else ''}"
                       f"{_STATE_NOTE.get(e.state, '')}")
    if not entries and not as_json:
        click.echo("রেজিস্টারে এখনো কোনো স্মারক নেই। / No memo numbers issued yet.")
    for v in unfinished:
        assert out_root is not None  # only looked for under an output root
        click.echo(f"! {v.memo}: রেজিস্টারে দেওয়া হয়েছে, কিন্তু {out_root / v.path}-এ পত্রটি নেই (তৈরির মাঝপথে থেমেছিল)। "
                   "একই ফাইল আবার পাঠালে একই স্মারকে পত্রটি তৈরি হবে।\n"
                   f"  {v.memo}: issued in the register, but its letter is not at {out_root / v.path} (its build "
                   "stopped midway). Sending the same file again makes its letter with the same memo.", err=True)
    if not as_json:
        for key, separator in kept.items():
            click.echo(f"{key}: কোড ও ক্রমিকের মাঝের চিহ্ন '{separator}' (প্রথম স্মারক থেকে) / "
                       f"memo separator '{separator}' (kept since the first memo)")

    with Register(folder) as reg:
        for key, spellings in reg.coinciding().items():
            shown = ", ".join(ascii(s) for s in spellings)
            click.echo(f"! {key}: রেজিস্টারে এই নথি নম্বর {len(spellings)}টি ভিন্ন লেখায় আছে ({shown}); এগুলো একই নম্বর, "
                       "তাই এখন থেকে একটি ক্রমেই চলবে। আগের পত্রগুলোর স্মারক মিলিয়ে দেখুন।\n"
                       f"  {key}: this file code is in the register in {len(spellings)} spellings ({shown}); they are one "
                       "code and continue one sequence from now on. Check the memos of the letters already sent.",
                       err=True)
        for key, spellings in reg.coinciding_offices().items():
            shown = ", ".join(ascii(s) for s in spellings)
            click.echo(f"! {key}: রেজিস্টারে এই অফিসের নাম {len(spellings)}টি ভিন্ন লেখায় আছে ({shown}); এখন থেকে এগুলো একই "
                       "অফিস। আগের পত্রগুলো যে ফোল্ডারে তৈরি হয়েছিল সেখানেই আছে।\n"
                       f"  {key}: this office is in the register in {len(spellings)} spellings ({shown}); from now on "
                       "they are one office. Letters already built stay in the folders they were built in.", err=True)


@main.command()
@click.option("--fy", "fiscal_year", required=True, help="Fiscal year: 2023-24, ২০২৩-২০২৪ …")
@click.option("--period", required=True, help="Period: q1, q2, h1, q3, q4, annual (or its Bangla name).")
@click.option("--kind", default=None, help="Only this report kind (see `gen kinds`).")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Offices that must report: a text/CSV file, one office a line, or an .xlsx (first column).")
@_state_option
@click.option("--out", "out_root", type=click.Path(file_okay=False, path_type=Path), default=Path("output"),
              show_default=True, help="The output root of the builds, where each report's CURRENT.txt is.")
@click.option("--letter", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A workbook whose পত্র sheet is the receiving office's own letter; without it the .docx is the annex alone.")
@click.option("--date", "issue_date", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The date of the summary and of its letter when the sheet leaves it blank (YYYY-MM-DD). Default: today.")
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(path_type=Path),
              help="summary.xlsx, summary.docx, or a name without either suffix for both; may be given twice.")
@click.option("--force", is_flag=True, help="With --letter: replace an existing .docx (a letter already issued).")
def summary(fiscal_year: str, period: str, kind: str | None, roster: Path | None, state_dir: str | None,
            out_root: Path, letter: Path | None, issue_date, outputs: tuple[Path, ...], force: bool) -> None:
    """The receiving office's view of one period: who reported, who is late, who has not, and the scores.

    Exit code 0 when written, 1 when the roster or the letter sheet cannot be used, 3 when the state
    folder or an output cannot be used.
    """
    sys.exit(_summary(fiscal_year, period, kind=kind, roster=roster, state_dir=_state(state_dir), out_root=out_root,
                      letter=letter, today=issue_date.date() if issue_date else None, outputs=outputs, force=force))


def _summary(fiscal_year: str, period: str, *, kind: str | None, roster: Path | None, state_dir: Path,
             out_root: Path, letter: Path | None, today, outputs: tuple[Path, ...], force: bool) -> int:
    from generator.periods import roster as rosters, summarizing
    from generator.periods.summary_docs import LetterError
    from generator.records.state import StateError
    from generator.records.store import OutputError, WriteError

    try:
        asked = summarizing.asked(fiscal_year, period, kind=kind, roster=roster, letter=letter, today=today,
                                  outputs=outputs, force=force)
    except summarizing.Unusable as e:
        _say(e)
        return 2
    except rosters.RosterError as e:
        _say(e)
        return 1
    try:
        found = summarizing.collect(asked, state_dir=state_dir, out_root=out_root)
        _show_summary(found)
        made = summarizing.write(asked, found, state_dir=state_dir)
    except LetterError as e:
        for f in e.findings:
            where = f" {f.where}" if f.sheet or f.cell else ""
            click.echo(f"  [ত্রুটি / error] {letter}{where} ({f.code})\n    {f.bn}\n    {f.en}", err=True)
        click.echo("✘ পত্রের শিট ব্যবহার করা যায়নি; কোনো নথি লেখা হয়নি (ওয়ার্কবুক ছাড়া, যদি চাওয়া হয়ে থাকে)।\n"
                   "  The letter sheet cannot be used; no document was written (except the workbook, if asked for).",
                   err=True)
        return 1
    except summarizing.Unusable as e:  # the letter's file made meanwhile (another gen summary on the same -o)
        _say(e)
        return 2
    except (StateError, WriteError, OutputError) as e:
        _say(e)
        return EXIT_NOT_WRITTEN
    listed = set(asked.roster or ())
    for name in found.unlisted:
        click.echo(f"  [সতর্কতা / warning] '{name}' জমা দিয়েছে কিন্তু তালিকায় নেই (নামের বানান মিলিয়ে দেখুন)। / "
                   f"reported but is not on the roster (check the spelling).", err=True)
        own = name.rsplit(", ", 1)[-1]
        if own != name and own in listed:  # the ministry's line typed into office_name, not office_parents
            click.echo(f"    তালিকার '{own}' কি একই অফিস? তবে অফিসের নামের উপরের লাইনগুলো (মন্ত্রণালয়/বিভাগ) office_name-এ "
                       "নয়, office_parents-এ লিখুন: তখন নাম মিলবে। / "
                       f"Is it the roster's '{own}'? Then write the lines above the office's name (the ministry or "
                       "division) in office_parents, not in office_name, and the names match.", err=True)
    for f in made.notes:  # as gen build tells them
        where = f" {f.where}" if f.sheet or f.cell else ""
        click.echo(f"  [সতর্কতা / warning] {letter}{where} ({f.code})\n    {f.bn}\n    {f.en}", err=True)
    if made.memo:
        click.echo(f"স্মারক / memo: {made.memo}")
    for path in made.written:
        click.echo(f"→ {path}")
    return 0


def _show_summary(result) -> None:
    from generator.periods import summary as summaries, summary_docs
    from generator.text import bangla

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


@main.group("state")
def state_group() -> None:
    """The state database (register, ledger, sessions): moving an office's folder into PostgreSQL."""


@state_group.command("migrate")
@click.option("--from", "source", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              metavar="DIR", help="The SQLite state folder (the one with register.sqlite3).")
@click.option("--to", "target", required=True, metavar="URL",
              help="The PostgreSQL database: postgresql://user@host/db (empty; keep the password out of it).")
@click.option("--store", type=click.Path(file_okay=False, path_type=Path), default=None, metavar="OUT",
              help="The output root the documents were built into (--out of gen build, watch and serve): the "
                   "ledger's paths under it are stored relative to it. Without it they are kept as they are.")
def state_migrate(source: Path, target: str, store: Path | None) -> None:
    """Copy the register and the ledger of a state folder into PostgreSQL, with their ids, check every
    prefix's serials, and mark the folder so that it never issues another number.

    \b
    One transaction on the target: a move that fails or is killed half-way leaves it empty; run it again.
    Exit code 0 when moved, 2 when refused (the target holds records, a service still runs on the folder, the
    copy differs), 3 when PostgreSQL cannot be reached.
    """
    from generator.records.migrate import MigrateRefused, migrate
    from generator.records.state import StateError, is_url, shown

    if not is_url(target):
        raise click.BadParameter("give a postgresql://… URL", param_hint="--to")
    try:
        report = migrate(source, target, store=store)
    except MigrateRefused as e:
        if e.report is not None:
            _show_moved(e.report)
        _say(e)
        sys.exit(2)
    except StateError as e:
        _say(e)
        sys.exit(EXIT_NOT_WRITTEN)
    _show_moved(report)
    click.echo(f"✔ রেজিস্টার ও লেজার {shown(target)}-এ সরানো হয়েছে; {source} আর কোনো স্মারক নম্বর দেবে না। এখন থেকে "
               f"--state {shown(target)} দিন।\n  The register and the ledger are now in {shown(target)}; {source} will "
               f"issue no memo number any more. From now on give --state {shown(target)}.")


def _show_moved(report) -> None:
    click.echo(f"{'নথি নম্বর / prefix':50} {'উৎস/source':>10} {'অনুলিপি/copy':>12} {'সর্বোচ্চ/highest':>16} "
               f"{'সংরক্ষিত/reserved':>17} {'বাতিল/void':>10}  মিলেছে/same")
    for p in report.prefixes:
        click.echo(f"{p.prefix:50} {p.count:>10} {p.copied:>12} {p.highest:>16} {p.reserved:>17} {p.void:>10}  "
                   f"{'✔' if p.same else '✘'}")
    click.echo(f"{'ফাইল / files (ledger)':50} {report.files:>10} {report.files_copied:>12} {'':>16} {'':>17} {'':>10}  "
               f"{'✔' if report.files_same else '✘'}")
    if report.relative or report.outside:
        click.echo(f"নথির পথ ভান্ডারের মূলের সাপেক্ষে / document paths made relative to the store: {report.relative}; "
                   f"ভান্ডারের বাইরে, যেমন ছিল / outside it, kept: {report.outside}")
    if report.finished_earlier:
        click.echo("আগের চালনায় অনুলিপি হয়ে গিয়েছিল; এবার শুধু মিলিয়ে দেখে চিহ্ন দেওয়া হলো। / The copy was made by an "
                   "earlier run; this one checked it and set the mark.")
    if report.built_on:
        click.echo("ফোল্ডারের প্রতিটি স্মারক ও ফাইল PostgreSQL-এ আছে; ✘ চিহ্নিত পার্থক্য তারপর PostgreSQL-এ তৈরি কাজের। / "
                   "Every memo and file of the folder is in PostgreSQL; the differences marked ✘ are what was built "
                   "there since.")


_STATE_NOTE = {"void": "  (বাতিল, আর দেওয়া হবে না / void, never issued again: its letter was not written, or this "
                       "memo is on another letter already)",
               "reserved": "  (সংরক্ষিত / reserved: being built)"}


if __name__ == "__main__":
    main()
