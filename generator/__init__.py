"""gen: ready-to-sign Bangla progress reports for Bangladesh government offices, from a standardized Excel
workbook. The public API (docs/api.md):

    import generator

    if __name__ == "__main__":  # workers are processes: a script builds under this guard
        for result in generator.build_many(["cc.xlsx"], out="output", state="state"):
            print(result.status, result.memo, result.outputs)

Every name in `__all__` is public and kept; every module below is private. Names load on first use, so
that `import generator` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_WHERE = {
    "build": "generator.api",
    "build_many": "generator.api",
    "check": "generator.api",
    "blank_workbook": "generator.api",
    "next_workbook": "generator.api",
    "summarize": "generator.api",
    "memo_register": "generator.api",
    "PdfOptions": "generator.api",
    "Limits": "generator.service.workers",
    "Result": "generator.service.result",
    "Finding": "generator.findings",
    "GenError": "generator.findings",
    "Report": "generator.model",
    "Kind": "generator.spec.kinds",
    "KINDS": "generator.spec.kinds",
}
__all__ = [
    "build", "build_many", "check", "blank_workbook", "next_workbook", "summarize", "memo_register",
    "PdfOptions", "Limits", "Result", "Finding", "GenError", "Report", "Kind", "KINDS",
]

if TYPE_CHECKING:
    from generator.api import (PdfOptions, blank_workbook, build, build_many, check, memo_register, next_workbook,
                               summarize)
    from generator.findings import Finding, GenError
    from generator.model import Report
    from generator.service.result import Result
    from generator.service.workers import Limits
    from generator.spec.kinds import KINDS, Kind


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'generator' has no attribute {name!r}")
    value = getattr(import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
