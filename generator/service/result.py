"""What a build (or a check) of one workbook came to: the status, the memo, the files written, every finding
and the score. The JSON of `gen build --json` and `gen validate --json` is its `as_dict`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from generator.findings import Finding, error
from generator.spec.status import BUILT, FAILED, REJECTED, VALID
from generator.spec.codes import LOST


@dataclass(frozen=True)
class Result:
    source: str
    status: str  # BUILT or REJECTED; VALID for a workbook only checked; FAILED when nothing could be written
    kind: str | None = None
    office: str | None = None
    fiscal_year: str | None = None
    period: str | None = None
    memo: str | None = None
    memo_reused: bool = False
    outputs: tuple[str, ...] = ()
    issues: tuple[Finding, ...] = ()
    score: dict | None = None

    @property
    def ok(self) -> bool:
        return self.status in (BUILT, VALID)

    @property
    def final(self) -> str:
        """How it ends for the file: BUILT, FAILED (left for another try) or REJECTED."""
        return self.status if self.status in (BUILT, FAILED) else REJECTED

    def with_issues(self, *more: Finding) -> Result:
        return replace(self, issues=self.issues + more)

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
            "outputs": list(self.outputs),
            "issues": [f.as_dict() for f in self.issues],
            "score": self.score,
        }


def failure(source: Path | str, code: str, bn: str, en: str) -> Result:
    """The result of a workbook that could not be processed at all (its worker died or ran out of time)."""
    return Result(str(source), REJECTED, issues=(error(code, bn, en),))


def failed(result: Result, code: str, bn: str, en: str) -> Result:
    """Nothing was built, for a reason that is not the workbook's fault (disk, permissions, state)."""
    return replace(result, status=FAILED, outputs=(), issues=result.issues + (error(code, bn, en),))


def only_lost(error_codes: list[str]) -> bool:
    """The errors are only that the build stopped (its time limit, its worker's death): perhaps the service's
    doing, not the file's."""
    return bool(error_codes) and all(code in LOST for code in error_codes)


def issued_not_placed(name: str, memo: str, path: Path | None = None, cause: str = "") -> tuple[str, str]:
    """(bn, en) of a build stopped after its serial was issued (the commit point) and before its letter was put
    in place (or that could not put it at `path`, for `cause`): the same file again makes its letter with the
    same memo."""
    if path is None:
        return (f"{name}: স্মারক {memo} এই ফাইলের জন্য রেজিস্টারে দেওয়া হয়েছে, কিন্তু পত্রটি রাখার আগেই প্রক্রিয়াটি থেমে "
                "গেছে। একই ফাইল আবার পাঠান: একই স্মারকে পত্রটি তৈরি হবে, নতুন নম্বর লাগবে না।",
                f"{name}: memo {memo} was issued to this file in the register, but the build stopped before its "
                "letter was put in place. Send the same file again: its letter is made with the same memo, no new "
                "number is used.")
    return (f"{name}: স্মারক {memo} এই ফাইলের জন্য রেজিস্টারে দেওয়া হয়েছে, কিন্তু পত্রটি {path}-এ রাখা যায়নি ({cause})। "
            "একই ফাইল আবার পাঠান (আবারও এমন হলে ডিস্কে জায়গা ও লেখার অনুমতি দেখুন): একই স্মারকে পত্রটি তৈরি হবে, নতুন নম্বর "
            "লাগবে না।",
            f"{name}: memo {memo} was issued to this file in the register, but its letter could not be put in place "
            f"at {path} ({cause}). Send the same file again (if this happens again, check the disk's free space and "
            "permissions): its letter is made with the same memo, no new number is used.")
