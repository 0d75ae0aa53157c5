"""One workbook in, a ready-to-sign letter and annex out. Each stage runs once and returns a new value:

    read (the package checked once) → check (normalise, model, letter and plan checks) → score → check the
    scores → issue a memo (held while written) → render → write the version → make it current
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from generator.documents import make as documents
from generator.documents.bundle import BundleError
from generator.documents.registry import Job
from generator.findings import ERROR, Finding, GenError, error, has_errors, warning
from generator.model import RawWorkbook, Report
from generator.records import store, stores
from generator.records.register import Entry, Held, MemoConflict, Register, SerialTaken
from generator.records.state import StateError
from generator.rules import scoring, validate, validate_plan
from generator.rules.scoring import ScoreCard
from generator.service.result import Result, failed, issued_not_placed
from generator.spec.paths import as_sent
from generator.spec.memo import chosen_separator, number as memo_text, register_prefix
from generator.spec.sheets import LETTER_SHEET
from generator.spec.status import BUILT, REJECTED, VALID
from generator.text import clock
from generator.xlsx import marked_copy, reading
from generator.xlsx.errors import WorkbookError
from generator.xlsx.source import Source, load
from generator.spec.codes import COULD_NOT_WRITE, MEMO_EXISTS, MEMO_SERIAL_TAKEN, STATE_UNAVAILABLE, UNREADABLE

VOIDS_IN_A_ROW = 10  # memos found already printed (by another register), voided and skipped, before a build gives up:
# two registers racing on one output folder can meet several times before one gets ahead


def content_hash(raw: RawWorkbook, dated: dt.date | None = None) -> str:
    """Hash of what the letter says (not of the workbook's bytes: saving it again in Excel keeps the hash).
    `dated`: the date the letter prints when its issue_date cell is blank (--date, or today), which is then
    part of what it says: one memo is never printed on two letters of different dates."""
    data: dict[str, object] = {
        "letter": {k: _plain(c.value) for k, c in sorted(raw.letter.items())},
        "plan": [{k: _plain(c.value) for k, c in sorted(cells.items())} for _, cells in raw.plan_rows],
    }
    if dated is not None:
        data["dated"] = dated.isoformat()
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _plain(value: object) -> object:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def output_dir(out_root: Path, report: Report) -> Path:
    """The report's folder: every version of the same office, kind, year and period is kept in it."""
    assert report.fiscal_year_slug is not None  # a valid report has one; a rejection checks `filed` first
    return Path(out_root) / report.fiscal_year_slug / store.office_folder(report.office) / f"{report.kind.id}-{report.period_slug}"


@dataclass(frozen=True)
class Examined:
    """A workbook read, checked and scored; `report` is None when it could not be understood. `raw` is the
    workbook as normalised, `source` its bytes as read (for the marked-up copy of a rejected one)."""

    result: Result
    source: Source | None = None
    raw: RawWorkbook | None = None
    report: Report | None = None
    card: ScoreCard | None = None
    printed: RawWorkbook | None = None  # its cells as the documents print them (validate.Checked.printed)


def examine(path: Path | Source, *, today: dt.date | None = None, default_date: dt.date | None = None) -> Examined:
    """Read → check → score, building nothing."""
    name = str(path.path if isinstance(path, Source) else path)
    source: Source | None = None
    try:
        source = path if isinstance(path, Source) else load(Path(path))
    except OSError:
        pass
    try:
        raw = reading.read(source if source is not None else Path(name))
    except WorkbookError as e:
        return Examined(Result(name, REJECTED, issues=(e.finding,)), source)
    checked = validate.examine(raw, today=today or clock.today(), default_issue_date=default_date)
    report = checked.report
    if report is None:
        return Examined(Result(name, REJECTED, issues=tuple(checked.findings)), source, checked.raw)
    card = scoring.score_report(report)
    findings = checked.findings + validate_plan.score_findings(report, card)
    result = Result(name, REJECTED if has_errors(findings) else VALID, kind=report.kind.id, office=report.office or None,
                    fiscal_year=report.fiscal_year_slug, period=report.period_slug, issues=tuple(findings),
                    score=card.as_dict())
    return Examined(result, source, checked.raw, report, card, checked.printed)


class _Refused(Exception):
    """The workbook (or its evidence) is refused while its memo is issued: nothing is written."""

    def __init__(self, finding: Finding):
        super().__init__(finding.en)
        self.finding = finding


class _NotWritten(GenError):
    """Nothing could be written, for a reason that is not the workbook's fault."""


@dataclass(frozen=True)
class _Version:
    memo: str
    entry: Entry
    reused: bool
    paths: list[Path]
    notes: list[Finding]


def build(path: Path | Source, *, out_root: Path, state_dir: Path, default_date: dt.date | None = None,
          today: dt.date | None = None, submission: int | None = None,
          pdf: documents.PdfSettings | None = None, owner: str | None = None) -> Result:
    """Examine, take a memo number, write the documents as a new version and make it current if its serial
    is the highest. `submission` is the ledger entry this build belongs to (its reports are filed by it);
    `owner` the lease (records/owners.py) under which its serial is reserved."""
    out_root, state_dir = Path(out_root), Path(state_dir)
    today = today or clock.today()
    examined = examine(path, today=today, default_date=default_date)
    result, report = examined.result, examined.report
    if result.status != VALID:
        return _reject(replace(result, status=REJECTED), examined, out_root, submission)
    assert examined.raw is not None and report is not None and examined.card is not None  # a valid examination
    prefix = register_prefix(report.get("memo_prefix"))
    issue_date = report.issue_date or default_date or today
    dated = None if report.issue_date else issue_date
    digest, legacy = _digests(examined, dated)
    folder = output_dir(out_root, report)
    linked = next((f for f in (folder, folder / store.VERSIONS) if not _inside(f, out_root)), None)
    if linked is not None:  # a link planted in the output folder: a letter there could never be served
        return failed(result, COULD_NOT_WRITE,
                      f"{linked} আউটপুট ফোল্ডারের ({out_root}) বাইরে চলে যায় (একটি লিংক), তাই সেখানে পত্র লেখা হয়নি এবং কোনো "
                      "স্মারক নম্বর দেওয়া হয়নি; সেখান থেকে পত্র নামানোও যেত না। প্রশাসককে লিংকটি সরাতে বলুন।",
                      f"{linked} leads out of the output folder ({out_root}) through a link, so no letter was written "
                      "there and no memo number was given: a letter there could not be downloaded either. Ask the "
                      "administrator to remove the link.")
    where = stores.Folder(out_root, state_dir, owner)
    place = folder.relative_to(out_root).as_posix()
    try:
        with Register(state_dir) as register:
            first = _dated_before(register, examined, prefix, where, place, submission) \
                if dated is not None and default_date is None else None
            if first is not None and first != dated:  # this letter was issued that day: made again as then dated
                examined = examine(examined.source or path, today=today, default_date=first)
                result, report = examined.result, examined.report
                if result.status != VALID or report is None:  # it was valid that day: only if the checks changed
                    return _reject(replace(result, status=REJECTED), examined, out_root, submission)
                issue_date = dated = first
                digest, legacy = _digests(examined, dated)
            card = examined.card
            assert card is not None  # a valid examination
            if submission is not None and owner is not None:  # a stopped try's serial, adopted, for other content
                register.release_submission(submission, owner=owner, keep=(digest, legacy))  # (it printed another
                # day): given back before this content takes one, so that it may take that very serial
            if report.memo_serial is not None:
                gap = validate.memo_serial_gap(report.memo_serial, register.last_serial(prefix), prefix,
                                               report.refs.get("memo_serial"))
                result = result.with_issues(gap) if gap else result
            version = _issue(register, report, card, prefix, (digest, legacy), where, place,
                             issue_date=issue_date, pdf=pdf, submission=submission,
                             source=examined.source, owner=owner)
    except _Refused as e:
        return _reject(replace(result.with_issues(e.finding), status=REJECTED), examined, out_root, submission)
    except _NotWritten as e:
        return failed(result, e.code, e.bn, e.en)
    except (StateError, sqlite3.Error) as e:
        state = e if isinstance(e, StateError) else StateError(state_dir, e)
        return failed(result, STATE_UNAVAILABLE, state.bn, state.en)
    # a memo this very submission was given on an earlier try (a stop, a worker killed) is its own, not another's again
    again = version.reused and not (submission is not None and version.entry.submission == submission)
    result = replace(result.with_issues(*version.notes), status=BUILT, memo=version.memo, memo_reused=again,
                     outputs=tuple(str(p) for p in version.paths))
    try:  # the same content again only where its version is newer (one whose build was killed before it showed)
        where.update_current(place, prefix=prefix, serial=version.entry.serial,
                             memo=version.memo, source=Path(result.source).name, paths=version.paths,
                             reused=version.reused)
    except (OSError, StateError) as e:
        why = (e.strerror or e) if isinstance(e, OSError) else e.cause
        result = result.with_issues(warning(
            "current-not-updated",
            f"পত্র তৈরি হয়েছে ({version.paths[0].parent}), কিন্তু {folder}-এ বর্তমান কপি রাখা যায়নি ({why})।",
            f"The documents were built ({version.paths[0].parent}), but the current copies in {folder} could not be "
            f"updated ({why})."))
    return result


def _digests(examined: Examined, dated: dt.date | None) -> tuple[str, str | None]:
    """(the content hash, the legacy one or None). The content is the letter as printed: a prefix or a cell typed
    with an invisible character, or decomposed, is the same content as one typed plainly; one built before as
    typed (the legacy hash) keeps its memo."""
    assert examined.raw is not None
    changed = examined.printed is not None and examined.printed is not examined.raw
    return (content_hash(examined.printed or examined.raw, dated),
            content_hash(examined.raw, dated) if changed else None)


def _dated_before(register: Register, examined: Examined, prefix: str, where: stores.Store, place: str,
                  submission: int | None) -> dt.date | None:
    """The day a letter of this very workbook, its date left blank, was issued, when that letter is not in its place
    (its build stopped, or its share failed, between the register's confirmation and the letter's placing) or was
    issued to this same submission (a file built again after a stop): it is made again dated as it was, under its
    memo, however many days later, never under a second memo. Its content hash, dated that day (in Dhaka, or the
    day before: the memo may have been reserved just past midnight), is the proof that it is this workbook."""
    report = examined.report
    assert report is not None and report.kind is not None
    for entry in register.issued_to_report(prefix, kind=report.kind.id, office=report.office,
                                           fiscal_year=report.fiscal_year_slug or "", period=report.period_slug or ""):
        placed = (where.root / where.version_path(place, register.issued_memo(entry))).is_dir()
        if placed and (submission is None or entry.submission != submission):
            continue
        day = dt.datetime.fromisoformat(entry.issued_at).astimezone(clock.DHAKA).date()
        for candidate in (day, day - dt.timedelta(days=1)):
            if entry.content_hash in _digests(examined, candidate):
                return candidate
    return None


def _inside(folder: Path, out_root: Path) -> bool:
    """Whether `folder`, its links followed, is inside `out_root` (as the web page's downloads must be)."""
    try:
        return folder.resolve().is_relative_to(out_root.resolve())
    except (OSError, RuntimeError):  # a loop of links
        return False


def _issue(register: Register, report: Report, card: ScoreCard, prefix: str, digests: tuple[str, str | None],
           where: stores.Store,
           place: str, *, issue_date: dt.date, pdf: documents.PdfSettings | None, submission: int | None,
           source: Source | None, owner: str | None) -> _Version:
    """A memo for this content and its version written under it: the register's next serial (or the one the
    office typed), held while the documents are written, confirmed when they are. A serial whose letter is
    found already written by another register is voided and the next one tried."""
    meta = dict(source=source.name if source else Path(report.source).name, kind=report.kind.id, office=report.office,
                fiscal_year=report.fiscal_year_slug, period=report.period_slug, submission=submission, owner=owner)
    skipped: list[Finding] = []
    for attempt in range(VOIDS_IN_A_ROW + 1):
        held: Held | None = None
        try:
            with register.reserved(prefix, report.memo_serial, digests[0], also=digests[1],
                                   separator=report.get("memo_separator"),
                                   **meta) as held:
                memo = held.number()
                held.memo, held.version = memo, where.version_path(place, memo)
                kept = separator_kept(report, held.separator, str(meta["source"]))
                try:
                    paths, notes = _write_version(_with_separator(report, held.separator), card, memo,
                                                  held.entry.content_hash,  # the one it was issued for
                                                  issue_date, where, place, pdf=pdf,
                                                  ours=held.reused and held.entry.state == "issued",
                                                  commit=held.confirm, register=register.identity())
                except store.VersionConflict:
                    held.void = True  # never issue it again: a letter with this memo exists
                    raise
            return _Version(memo, held.entry, held.reused, paths, skipped + kept + notes)
        except SerialTaken as taken:
            raise _Refused(serial_taken(report, prefix, taken.entry)) from None
        except MemoConflict as e:  # the service's fault, not the clerk's: nothing visible, the file kept
            raise _NotWritten(e.code, e.bn, e.en) from None
        except BundleError as e:  # the evidence given cannot go into the bundle: fix it and send again
            raise _Refused(e.finding) from None
        except store.WriteError as e:  # a serial this build reserved went back; one shared with the same content stays
            if held is not None and held.confirmed and not held.reused:  # issued: its letter is still to be placed
                raise _NotWritten(COULD_NOT_WRITE, *issued_not_placed(str(meta["source"]), held.memo or "",
                                                                      Path(str(e.path)), str(e.cause))) from None
            raise _NotWritten(COULD_NOT_WRITE, e.bn, e.en) from None
        except store.VersionConflict as e:
            assert held is not None  # raised only while the serial is held
            if held.reused or report.memo_serial is not None or attempt == VOIDS_IN_A_ROW:
                raise _NotWritten(MEMO_EXISTS, e.bn, e.en) from None
            skipped.append(_memo_skipped(memo, e.path))
            printed = where.printed_through(held.entry.prefix, held.entry.serial)
            if printed > held.entry.serial:  # a run another register printed: skip it at once, not 1 try each
                register.skip_through(held.entry.prefix, printed,
                                      source=f"অন্য রেজিস্টারের পত্রে / printed by another register: {e.path.parent.parent}")
    raise AssertionError("unreachable: the last attempt raises")


def _write_version(report: Report, card: ScoreCard, memo: str, digest: str, issue_date: dt.date,
                   where: stores.Store, place: str, *, pdf: documents.PdfSettings | None, ours: bool,
                   commit: Callable[[], None], register: str) -> tuple[list[Path], list[Finding]]:
    made = documents.make(Job(report, card, memo, issue_date), report.stem, pdf)
    version = where.root / where.version_path(place, memo)
    existed = version.is_dir()
    paths = where.write_version(place, memo, digest, made.files, ours=ours, commit=commit, register=register)
    notes = list(made.findings)
    left_out = [name for name in made.files if version / name not in paths]
    if existed and (left_out or (pdf is not None and pdf.evidence)):
        notes.append(_version_kept(memo, left_out, bool(pdf and pdf.evidence)))
    return paths, notes


def _with_separator(report: Report, separator: str) -> Report:
    """The report as its documents print it: with the separator the register keeps for its prefix."""
    return replace(report, fields={**report.fields, "memo_separator": separator})


def separator_kept(report: Report, kept: str, source: str) -> list[Finding]:
    """A warning when the workbook typed a separator other than the one the register keeps for the prefix:
    the letter is built with the register's (one sequence, one form), and the clerk is told where."""
    typed = chosen_separator(report.get("memo_separator"))
    if typed is None or typed == kept:
        return []
    code = register_prefix(report.get("memo_prefix"))
    return [warning(
        "memo-separator-kept",
        f"{source}: কোড ও ক্রমিকের মাঝের চিহ্ন '{typed}' লেখা হয়েছে, কিন্তু রেজিস্টারে {code} কোডের স্মারক প্রথম "
        f"থেকেই '{kept}' দিয়ে লেখা হয়; একই ক্রমের সব পত্রে একই রূপ থাকে, তাই পত্রে '{kept}' বসানো হলো। ঘরটি "
        f"'{kept}' করুন বা ফাঁকা রাখুন।",
        f"{source}: the memo separator typed is '{typed}', but the register has written memos of file code {code} "
        f"with '{kept}' since their first; every letter of one sequence keeps one form, so the letter uses '{kept}'. "
        f"Make the cell '{kept}' or leave it blank.",
        LETTER_SHEET, report.refs.get("memo_separator"))]


def _version_kept(memo: str, left_out: list[str], evidence: bool) -> Finding:
    """The same content was built before: its version stays as it was built, without what is asked now."""
    names = ", ".join(left_out)
    return warning(
        "version-kept",
        f"এই বিষয়বস্তুর পত্র (স্মারক {memo}) আগেই তৈরি হয়েছিল; তৈরি রেকর্ড কখনো বদলানো হয় না, তাই "
        + (f"{names} যোগ হয়নি" if names else "")
        + (" এবং " if names and evidence else "")
        + ("নতুন প্রমাণক বান্ডেলে নেই (বান্ডেলটি প্রথমবারের)" if evidence else "")
        + "। নতুন করে চাইলে ওয়ার্কবুকে পরিবর্তন (যেমন মন্তব্য) করে আবার জমা দিন: তাতে নতুন স্মারক হবে।",
        f"A letter with this content was built before (memo {memo}); a built record is never changed, so "
        + (f"{names} {'was' if len(left_out) == 1 else 'were'} not added" if names else "")
        + (" and " if names and evidence else "")
        + ("the new evidence is not in the bundle (it is the first one's)" if evidence else "")
        + ". To have them, change the workbook (a remark, say) and send it again: it gets a new memo.")


def _memo_skipped(memo: str, where: Path) -> Finding:
    return warning(
        MEMO_EXISTS,
        f"স্মারক {memo}-এর একটি পত্র আউটপুট ফোল্ডারে আগে থেকেই আছে ({where}), অন্য কোনো জমার; নম্বরটি রেজিস্টারে "
        "বাতিল করে পরের নম্বর দেওয়া হলো। একই আউটপুট ফোল্ডারে দুটি রেজিস্টার (--state) থাকলে তা বন্ধ করুন।",
        f"A letter with memo {memo} was already in the output folder ({where}), from another submission; the number "
        "was voided in the register and the next one used. If two registers (--state) write to one output folder, "
        "stop that.")


def serial_taken(report: Report, prefix: str, other: Entry) -> Finding:
    """The serial the office typed belongs to another letter (a report's or the summary's)."""
    other_file = as_sent(Path(other.source).name)
    return error(
        MEMO_SERIAL_TAKEN,
        f"স্মারক {memo_text(prefix, other.serial)} আগেই অন্য পত্রে ব্যবহৃত হয়েছে ({other_file}, "
        f"{other.issued_at[:10]})। ক্রমিক ঘরটি ফাঁকা রাখুন, রেজিস্টার নতুন নম্বর দেবে।",
        f"Memo serial {report.memo_serial} was already issued to another letter ({other_file}, "
        f"{other.issued_at[:10]}). Leave the memo serial cell blank and the register gives a new one.",
        LETTER_SHEET, report.refs.get("memo_serial"))


def _reject(result: Result, examined: Examined, out_root: Path, submission: int | None) -> Result:
    """Write the error report and, when the workbook could be opened, a copy with the bad cells marked,
    into a folder of this submission's own."""
    report = examined.report
    folder = output_dir(out_root, report) if report is not None and report.filed else out_root
    source = examined.source if examined.source is not None else Path(result.source)
    return report_rejection(result, source, folder, submission)


def report_rejection(result: Result, source: Path | Source, folder: Path, submission: int | None) -> Result:
    """The reports of a rejected submission in FOLDER/rejected/<submission>/."""
    path = source.path if isinstance(source, Source) else Path(source)
    stem = store.safe_name(path.stem, "workbook")
    lines = [f"{as_sent(path.name)}: গ্রহণ করা যায়নি / rejected", ""]
    for f in result.issues:  # a finding of the file as a whole (a bomb, too large) is placed at the file's name
        lines += [f"[{f.severity}] {f.where or as_sent(path.name)} ({f.code})", f"  {f.bn}", f"  {f.en}", ""]
    files = {f"{stem}.errors.txt": ("\ufeff" + "\r\n".join(lines)).encode("utf-8")}  # BOM and CRLF: Notepad
    if not any(f.code in UNREADABLE for f in result.issues) and any(f.cell and f.severity == ERROR
                                                                   for f in result.issues):
        marked = marked_copy.annotate(source, list(result.issues))  # only when a cell is to blame (not evidence)
        if marked is not None:
            files[f"{stem}.annotated.xlsx"] = marked
    try:
        written = store.write_rejection(folder, store.submission_tag(submission), files)
    except store.WriteError as e:
        return failed(result, COULD_NOT_WRITE, e.bn, e.en)
    return replace(result, outputs=tuple(str(p) for p in written))
