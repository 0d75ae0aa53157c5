"""One workbook in, a ready-to-sign letter and annex out: read → model → validate → memo → render → write."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.documents import files as documents, render
from generator.rules import scoring, validate, validate_plan
from generator.records import store
from generator.xlsx import workbook
from generator.spec.memo import number as memo_text, register_prefix
from generator.model import LETTER_SHEET, Finding, RawWorkbook, Report
from generator.records.register import Register, SerialTaken
from generator.records.state import StateError
from generator.rules.scoring import ScoreCard


@dataclass
class Result:
    source: str
    status: str  # "built" or "rejected"; "valid" for a workbook only checked; "failed" when nothing could be written
    kind: str | None = None
    office: str | None = None
    fiscal_year: str | None = None
    period: str | None = None
    memo: str | None = None
    memo_reused: bool = False
    outputs: list[str] = field(default_factory=list)
    issues: list[Finding] = field(default_factory=list)
    score: dict | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("built", "valid")

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "status": self.status,
            "kind": self.kind,
            "office": self.office,
            "fiscal_year": self.fiscal_year,
            "period": self.period,
            "memo": self.memo,
            "memo_reused": self.memo_reused,
            "outputs": self.outputs,
            "issues": [f.as_dict() for f in self.issues],
            "score": self.score,
        }


def content_hash(raw: RawWorkbook) -> str:
    """Hash of what the workbook says (not of its bytes: saving it again in Excel keeps the hash)."""
    data = {
        "letter": {k: _plain(c.value) for k, c in sorted(raw.letter.items())},
        "plan": [{k: _plain(c.value) for k, c in sorted(cells.items())} for _, cells in raw.plan_rows],
    }
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _plain(value: object) -> object:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def fiscal_year_of(report: Report) -> str | None:
    if report.fiscal_year:
        return report.fiscal_year.slug
    meeting = report.date("meeting_date")
    if meeting:
        start = meeting.year if meeting.month >= 7 else meeting.year - 1
        return f"{start}-{(start + 1) % 100:02d}"
    return None


def period_of(report: Report) -> str | None:
    if report.period:
        return report.period.id
    meeting = report.date("meeting_date")
    return meeting.isoformat() if meeting else None


def output_dir(out_root: Path, report: Report) -> Path:
    """The report's folder: every version of the same office, kind, year and period is kept in it."""
    fiscal_year = fiscal_year_of(report)
    assert fiscal_year is not None  # a valid report has one; _reject checks before it asks
    return (Path(out_root) / fiscal_year / store.safe_name(report.office)
            / f"{report.kind.id}-{period_of(report)}")


@dataclass
class Examined:
    """A workbook read, checked and scored; `report` is None when it could not be understood."""

    result: Result
    raw: RawWorkbook | None = None
    report: Report | None = None
    card: ScoreCard | None = None


def examine(path: Path, *, today: dt.date | None = None, default_date: dt.date | None = None) -> Examined:
    """Read → model → validate → score, building nothing."""
    path = Path(path)
    try:
        raw = workbook.read(path)
    except workbook.WorkbookError as e:
        finding = Finding("error", e.code, e.bn, e.en, e.sheet, e.cell)
        return Examined(Result(str(path), "rejected", issues=[finding]))
    report, findings = validate.check(raw, today=today or dt.date.today(), default_issue_date=default_date)
    result = Result(str(path), "rejected", issues=findings)
    if report is None:
        return Examined(result, raw)
    card = scoring.score_report(report)
    findings += validate_plan.score_findings(report, card)
    result.kind = report.kind.id
    result.office = report.office or None
    result.fiscal_year = fiscal_year_of(report)
    result.period = period_of(report)
    result.score = card.as_dict()
    if not validate.has_errors(findings):
        result.status = "valid"
    return Examined(result, raw, report, card)


def build(path: Path, *, out_root: Path, state_dir: Path, default_date: dt.date | None = None,
          today: dt.date | None = None, submission: int | None = None,
          pdf: documents.PdfSettings | None = None) -> Result:
    """Examine, take a memo number, write the documents as a new version and make it current if its serial
    is the highest. `submission` is the ledger entry this build belongs to (its reports are filed by it)."""
    path, out_root, state_dir = Path(path), Path(out_root), Path(state_dir)
    today = today or dt.date.today()
    examined = examine(path, today=today, default_date=default_date)
    result, raw, report = examined.result, examined.raw, examined.report
    if result.status != "valid":
        result.status = "rejected"
        return _reject(result, path, out_root, report, submission)
    assert raw is not None and report is not None  # a valid examination has both

    meta: dict[str, Any] = dict(source=path.name, kind=report.kind.id, office=report.office,
                fiscal_year=fiscal_year_of(report), period=period_of(report), submission=submission)
    prefix = register_prefix(report.get("memo_prefix"))
    digest = content_hash(raw)
    try:
        with Register(state_dir) as register:
            if report.memo_serial is not None:
                gap = validate.memo_serial_gap(report.memo_serial, register.last_serial(prefix), prefix,
                                               report.refs.get("memo_serial"))
                result.issues += [gap] if gap else []
            for attempt in range(VOIDS_IN_A_ROW + 1):
                try:
                    entry, reused = register.take(prefix, report.memo_serial, digest, **meta)
                except SerialTaken as taken:
                    result.issues.append(_serial_taken(report, prefix, taken.entry))
                    result.status = "rejected"
                    return _reject(result, path, out_root, report, submission)
                serial = report.memo_serial_text if report.memo_serial is not None else entry.serial
                memo = render.memo_number(report, serial)
                try:
                    outputs = _write_version(report, examined.card, memo, digest, default_date or today, out_root,
                                             ours=reused and entry.state == "issued", pdf=pdf, findings=result.issues)
                    break
                except documents.BundleRefused as e:  # the evidence given cannot go into the bundle: fix and send again
                    if not reused:
                        register.release(entry)
                    result.issues.append(e.finding)
                    result.status = "rejected"
                    return _reject(result, path, out_root, report, submission)
                except store.VersionConflict as e:
                    if reused:  # this register's memo for this content: it is not ours to void
                        return _failed(result, "memo-exists", e.bn, e.en)
                    register.void(entry)  # never issue it again: a letter with this memo exists
                    if report.memo_serial is not None or attempt == VOIDS_IN_A_ROW:
                        return _failed(result, "memo-exists", e.bn, e.en)
                    result.issues.append(_memo_skipped(memo, e.path))
                except store.WriteError as e:
                    if not reused:  # a serial this build reserved goes back; one shared with a same-content build stays
                        register.release(entry)
                    return _failed(result, "could-not-write", e.bn, e.en)
            register.confirm(entry)
    except (StateError, sqlite3.Error) as e:
        error = e if isinstance(e, StateError) else StateError(state_dir, e)
        return _failed(result, "state-unavailable", error.bn, error.en)
    result.status, result.memo, result.memo_reused = "built", memo, reused
    result.outputs = [str(p) for p in outputs]
    folder = output_dir(out_root, report)
    if reused and (folder / store.CURRENT).exists():
        return result  # the same content again: the current view is whatever the newest version made it
    try:
        store.update_current(folder, prefix=prefix, serial=entry.serial, memo=memo, source=path.name, paths=outputs,
                             lock_dir=state_dir / "locks")
    except OSError as e:
        result.issues.append(Finding(
            "warning", "current-not-updated",
            f"পত্র তৈরি হয়েছে ({outputs[0].parent}), কিন্তু {folder}-এ বর্তমান কপি রাখা যায়নি ({e.strerror or e})।",
            f"The documents were built ({outputs[0].parent}), but the current copies in {folder} could not be "
            f"updated ({e.strerror or e}).", None, None))
    return result


def _write_version(report: Report, card, memo: str, digest: str, issue_date: dt.date, out_root: Path, *,
                   ours: bool, pdf: documents.PdfSettings | None, findings: list[Finding]) -> list[Path]:
    issue_date = report.issue_date or issue_date
    stem = f"{report.kind.id}-{period_of(report)}" if report.period is None else \
        f"{report.kind.id}-{fiscal_year_of(report)}-{period_of(report)}"
    files, notes = documents.make(documents.Job(report, card, memo, issue_date), stem, pdf)
    folder = output_dir(out_root, report)
    version = folder / store.VERSIONS / store.version_name(memo)
    existed = version.is_dir()
    paths = store.write_version(folder, memo, digest, files, ours=ours)
    findings += notes
    left_out = [name for name in files if version / name not in paths]
    if existed and (left_out or (pdf is not None and pdf.evidence)):
        findings.append(_version_kept(memo, left_out, bool(pdf and pdf.evidence)))
    return paths


def _version_kept(memo: str, left_out: list[str], evidence: bool) -> Finding:
    """The same content was built before: its version stays as it was built, without what is asked now."""
    names = ", ".join(left_out)
    return Finding(
        "warning", "version-kept",
        f"এই বিষয়বস্তুর পত্র (স্মারক {memo}) আগেই তৈরি হয়েছিল; তৈরি রেকর্ড কখনো বদলানো হয় না, তাই "
        + (f"{names} যোগ হয়নি" if names else "")
        + (" এবং " if names and evidence else "")
        + ("নতুন প্রমাণক বান্ডেলে নেই (বান্ডেলটি প্রথমবারের)" if evidence else "")
        + "। নতুন করে চাইলে ওয়ার্কবুকে পরিবর্তন (যেমন মন্তব্য) করে আবার জমা দিন: তাতে নতুন স্মারক হবে।",
        f"A letter with this content was built before (memo {memo}); a built record is never changed, so "
        + (f"{names} {'was' if len(left_out) == 1 else 'were'} not added" if names else "")
        + (" and " if names and evidence else "")
        + ("the new evidence is not in the bundle (it is the first one's)" if evidence else "")
        + ". To have them, change the workbook (a remark, say) and send it again: it gets a new memo.",
        None, None)


VOIDS_IN_A_ROW = 3  # memos found already on disk, voided and skipped, before a build gives up


def _memo_skipped(memo: str, where: Path) -> Finding:
    return Finding(
        "warning", "memo-exists",
        f"স্মারক {memo}-এর একটি পত্র আউটপুট ফোল্ডারে আগে থেকেই আছে ({where}), অন্য কোনো জমার; নম্বরটি রেজিস্টারে "
        "বাতিল করে পরের নম্বর দেওয়া হলো। একই আউটপুট ফোল্ডারে দুটি রেজিস্টার (--state) থাকলে তা বন্ধ করুন।",
        f"A letter with memo {memo} was already in the output folder ({where}), from another submission; the number "
        "was voided in the register and the next one used. If two registers (--state) write to one output folder, "
        "stop that.", None, None)


def _serial_taken(report: Report, prefix: str, other) -> Finding:
    return Finding(
        "error", "memo-serial-taken",
        f"স্মারক {memo_text(prefix, report.memo_serial_text)} আগেই অন্য পত্রে ব্যবহৃত হয়েছে ({other.source}, {other.issued_at[:10]})। "
        "ক্রমিক ঘরটি ফাঁকা রাখুন, রেজিস্টার নতুন নম্বর দেবে।",
        f"Memo serial {report.memo_serial} was already issued to another letter ({other.source}, "
        f"{other.issued_at[:10]}). Leave memo_serial blank and the register gives a new one.",
        LETTER_SHEET, report.refs.get("memo_serial"),
    )


def _failed(result: Result, code: str, bn: str, en: str) -> Result:
    """Nothing was built for a reason that is not the workbook's fault (disk, permissions, state)."""
    result.status = "failed"
    result.outputs = []
    result.issues.append(Finding("error", code, bn, en, None, None))
    return result


def failure(source: Path, code: str, bn: str, en: str) -> Result:
    """The result of a workbook that could not be processed at all (its worker died or ran out of time)."""
    return Result(str(source), "rejected", issues=[Finding("error", code, bn, en, None, None)])


def _reject(result: Result, source: Path, out_root: Path, report: Report | None, submission: int | None) -> Result:
    """Write the error report and, when the workbook could be opened, a copy with the bad cells marked,
    into a folder of this submission's own."""
    folder = output_dir(out_root, report) if report is not None and fiscal_year_of(report) and period_of(report) \
        and report.office else out_root
    return report_rejection(result, source, folder, submission)


def report_rejection(result: Result, source: Path, folder: Path, submission: int | None) -> Result:
    """The reports of a rejected submission in FOLDER/rejected/<submission>/."""
    stem = store.safe_name(source.stem, "workbook")
    lines = [f"{source.name}: গ্রহণ করা যায়নি / rejected", ""]
    for f in result.issues:
        lines += [f"[{f.severity}] {f.where} ({f.code})", f"  {f.bn}", f"  {f.en}", ""]
    files = {f"{stem}.errors.txt": ("\ufeff" + "\r\n".join(lines)).encode("utf-8")}  # BOM and CRLF: Notepad
    if not any(f.code in UNREADABLE for f in result.issues):
        marked = workbook.annotate(source, result.issues)
        if marked is not None:
            files[f"{stem}.annotated.xlsx"] = marked
    try:
        result.outputs = [str(p) for p in store.write_rejection(folder, store.submission_tag(submission), files)]
    except store.WriteError as e:
        return _failed(result, "could-not-write", e.bn, e.en)
    return result


# codes of files that are not opened again to mark them up
UNREADABLE = {"too-large", "zip-bomb", "too-many-parts", "too-many-cells", "bad-package", "far-cell", "took-too-long",
              "could-not-process"}
