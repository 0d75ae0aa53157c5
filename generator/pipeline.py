"""One workbook in, a ready-to-sign letter and annex out: read → model → validate → memo → render → write."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import render, scoring, validate, validate_plan, workbook
from .memo import register_prefix
from .model import LETTER_SHEET, Finding, RawWorkbook, Report
from .register import Register, SerialTaken
from .scoring import ScoreCard


@dataclass
class Result:
    source: str
    status: str  # "built" or "rejected"; "valid" for a workbook only checked
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


def _safe(name: str) -> str:
    """A folder name that is legal on Windows shares and Linux alike."""
    name = re.sub(r'[<>:"/\\|?*\x00-\x1f]+', "-", name).strip(" .")
    return name[:80] or "office"


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
    return Path(out_root) / fiscal_year_of(report) / _safe(report.office) / f"{report.kind.id}-{period_of(report)}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write under a temporary name, then rename: a reader never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class Examined:
    """A workbook read, checked and scored; `report` is None when it could not be understood."""

    result: Result
    raw: RawWorkbook | None = None
    report: Report | None = None
    card: ScoreCard | None = None


def examine(path: Path, *, today: dt.date | None = None) -> Examined:
    """Read → model → validate → score, building nothing."""
    path = Path(path)
    try:
        raw = workbook.read(path)
    except workbook.WorkbookError as e:
        finding = Finding("error", e.code, e.bn, e.en, e.sheet, e.cell)
        return Examined(Result(str(path), "rejected", issues=[finding]))
    report, findings = validate.check(raw, today=today or dt.date.today())
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
          today: dt.date | None = None) -> Result:
    path = Path(path)
    today = today or dt.date.today()
    examined = examine(path, today=today)
    result, raw, report = examined.result, examined.raw, examined.report
    if result.status != "valid":
        result.status = "rejected"
        return _reject(result, path, Path(out_root), report)

    with Register(Path(state_dir)) as register:
        meta = dict(source=path.name, kind=report.kind.id, office=report.office,
                    fiscal_year=fiscal_year_of(report), period=period_of(report))
        prefix = register_prefix(report.get("memo_prefix"))
        try:
            if report.memo_serial is not None:
                gap = validate.memo_serial_gap(report.memo_serial, register.last_serial(prefix), prefix,
                                               report.refs.get("memo_serial"))
                result.issues += [gap] if gap else []
                entry, reused = register.record(prefix, report.memo_serial, content_hash(raw), **meta)
            else:
                entry, reused = register.allocate(prefix, content_hash(raw), **meta)
        except SerialTaken as taken:
            other = taken.entry
            result.issues.append(Finding(
                "error", "memo-serial-taken",
                f"স্মারক {prefix}-{report.memo_serial_text} আগেই অন্য পত্রে ব্যবহৃত হয়েছে ({other.source}, {other.issued_at[:10]})। "
                "ক্রমিক ঘরটি ফাঁকা রাখুন, রেজিস্টার নতুন নম্বর দেবে।",
                f"Memo serial {report.memo_serial} was already issued to another letter ({other.source}, "
                f"{other.issued_at[:10]}). Leave memo_serial blank and the register gives a new one.",
                LETTER_SHEET, report.refs.get("memo_serial"),
            ))
            result.status = "rejected"
            return _reject(result, path, Path(out_root), report)
    serial = report.memo_serial_text if report.memo_serial is not None else entry.serial
    memo = render.memo_number(report, serial)
    issue_date = report.issue_date or default_date or today

    folder = output_dir(Path(out_root), report)
    stem = f"{report.kind.id}-{period_of(report)}" if report.period is None else \
        f"{report.kind.id}-{fiscal_year_of(report)}-{period_of(report)}"
    documents = {
        "letter": lambda: render.render_letter(report, memo, issue_date, annex_count=1),
        "annex": lambda: render.render_annex(report, examined.card),
        "minutes": lambda: render.render_minutes(report, memo, issue_date),
    }
    result.outputs = []
    _supersede(folder, memo)
    for name in report.kind.documents:
        target = folder / (f"{stem}.docx" if name == report.kind.id else f"{stem}-{name}.docx")
        write_atomic(target, documents[name]())
        result.outputs.append(str(target))
    result.status, result.memo, result.memo_reused = "built", memo, reused
    _mark_current(folder, memo, path, result.outputs)
    return result


CURRENT = "CURRENT.txt"


def _current_memo(folder: Path) -> str | None:
    marker = folder / CURRENT
    if not marker.exists():
        return None
    for line in marker.read_text(encoding="utf-8").splitlines():
        if line.startswith("memo: "):
            return line[len("memo: "):].strip()
    return None


def _supersede(folder: Path, memo: str) -> None:
    """A corrected resubmission (new memo, same office, kind, year and period) moves the documents of
    the earlier version into previous/<its memo>/, so the folder itself holds only the current one."""
    old = _current_memo(folder)
    if old is None or old == memo:
        return
    keep = folder / "previous" / _safe(old)
    keep.mkdir(parents=True, exist_ok=True)
    for f in folder.glob("*.docx"):
        os.replace(f, keep / f.name)
    os.replace(folder / CURRENT, keep / CURRENT)


def _mark_current(folder: Path, memo: str, source: Path, outputs: list[str]) -> None:
    lines = ["বর্তমান সংস্করণ / current version", f"memo: {memo}", f"source: {source.name}",
             f"built: {dt.datetime.now().isoformat(timespec='seconds')}",
             *(f"file: {Path(p).name}" for p in outputs),
             "আগের সংস্করণ থাকলে previous/ ফোল্ডারে / earlier versions, if any, are in previous/"]
    write_atomic(folder / CURRENT, ("\n".join(lines) + "\n").encode("utf-8"))


def _reject(result: Result, source: Path, out_root: Path, report: Report | None) -> Result:
    """Write the error report and, when the workbook could be opened, a copy with the bad cells marked."""
    if report is not None and fiscal_year_of(report) and period_of(report) and report.office:
        folder = output_dir(out_root, report)
    else:
        folder = out_root / "rejected"
    stem = _safe(source.stem)
    lines = [f"{source.name}: গ্রহণ করা যায়নি / rejected", ""]
    for f in result.issues:
        lines += [f"[{f.severity}] {f.where} ({f.code})", f"  {f.bn}", f"  {f.en}", ""]
    errors = folder / f"{stem}.errors.txt"
    write_atomic(errors, "\n".join(lines).encode("utf-8"))
    outputs = [str(errors)]
    marked = workbook.annotate(source, result.issues)
    if marked is not None:
        annotated = folder / f"{stem}.annotated.xlsx"
        write_atomic(annotated, marked)
        outputs.append(str(annotated))
    result.outputs = outputs
    return result
