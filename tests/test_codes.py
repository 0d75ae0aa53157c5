"""Finding codes are defined once: a code the program tells apart, or that two modules raise, is a constant of
generator/spec/codes.py and is never spelled out again anywhere else."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

from generator.spec import codes

PACKAGE = Path(codes.__file__).resolve().parents[1]
KEBAB = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+")
RAISERS = {"error", "warning", "_error", "_warning", "failure", "failed", "_failed", "Finding", "WorkbookError",
           "Unusable", "_NotWritten"}
DEFINED = {v for k, v in vars(codes).items() if k.isupper() and isinstance(v, str)}


def _raised_codes(source: str) -> set[str]:
    """The kebab-case codes a module passes to a finding or an error it raises."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in RAISERS:
                found |= {a.value for a in node.args[:3]
                          if isinstance(a, ast.Constant) and isinstance(a.value, str) and KEBAB.fullmatch(a.value)}
    return found


def _spelled(source: str) -> set[str]:
    """The codes of generator/spec/codes.py that a module spells out as a string."""
    return {n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant) and n.value in DEFINED}


def _modules() -> dict[str, str]:
    return {str(p.relative_to(PACKAGE)): p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")
            if p.name != "codes.py"}


def test_a_defined_code_is_never_spelled_out_again():
    spelled = {name: sorted(_spelled(text)) for name, text in _modules().items()}
    assert {name: found for name, found in spelled.items() if found} == {}


def test_a_code_raised_in_two_modules_is_defined_once():
    where = defaultdict(set)
    for name, text in _modules().items():
        for code in _raised_codes(text):
            where[code].add(name)
    assert {code: sorted(names) for code, names in where.items() if len(names) > 1} == {}


def test_the_checks_bite():
    planted = 'from generator.findings import error\nerror("bad-date", "…", "…")\nerror("brand-new", "…", "…")\n'
    assert _spelled(planted) == {"bad-date"}
    assert _raised_codes(planted) == {"bad-date", "brand-new"}


def test_the_matched_sets_are_made_of_defined_codes():
    assert set(codes.UNREADABLE) | set(codes.LOST) | set(codes.PERIOD_UNKNOWN) <= DEFINED


def test_every_code_is_documented_for_the_people_who_meet_it():
    """Each code the program raises or defines is explained somewhere in docs/ or the README, in backticks (a new
    user found nine that were not: `error-value`, `not-our-workbook`, `pdf-bomb`, …)."""
    docs = "".join(p.read_text(encoding="utf-8") for p in (PACKAGE.parent / "docs").glob("*.md"))
    docs += (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    known = DEFINED | set().union(*(_raised_codes(text) for text in _modules().values()))
    assert len(known) > 80
    assert sorted(code for code in known if f"`{code}`" not in docs and f'("{code}")' not in docs) == []
