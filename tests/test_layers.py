"""The architecture, checked: no import cycle anywhere in `generator` (imports inside functions and behind
TYPE_CHECKING included: grimp reads every import statement), and the layer contracts of `make lint` hold."""

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def _cycles(graph) -> list[tuple[str, ...]]:
    found = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                found.append((module, *back))
    return found


def test_no_import_cycle_anywhere():
    graph = grimp.build_graph("generator", cache_dir=None)
    assert len(graph.modules) > 60  # the whole package was read
    assert _cycles(graph) == []


def test_a_cycle_would_be_found():
    graph = grimp.build_graph("generator", cache_dir=None)
    graph.add_import(importer="generator.text.bangla", imported="generator.model")  # a planted one
    assert any("generator.text.bangla" in c and "generator.model" in c for c in _cycles(graph))


def test_the_layer_contracts_hold_and_a_violation_breaks_them(tmp_path):
    lint = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"]
    kept = subprocess.run(lint, cwd=ROOT, capture_output=True, text=True)
    assert kept.returncode == 0, kept.stdout[-2000:]
    # the same contracts on a copy of the package where a rule reaches up to the web desk
    subprocess.run(["cp", "-r", str(ROOT / "generator"), str(ROOT / "pyproject.toml"), str(tmp_path)], check=True)
    (tmp_path / "generator" / "rules" / "scoring.py").open("a").write("\nfrom generator.web import texts  # noqa\n")
    broken = subprocess.run(lint, cwd=tmp_path, capture_output=True, text=True,
                            env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert broken.returncode != 0 and "generator.rules.scoring -> generator.web.texts" in broken.stdout, broken.stdout


def test_no_test_file_imports_another():
    """Shared helpers live in tests/support/ (or conftest.py): a test file is never imported by another."""
    import ast

    tests = Path(__file__).resolve().parent
    found = []
    for path in tests.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            found += [f"{path.relative_to(tests)}: {n}" for n in names
                      if n.startswith("tests.") and n.rsplit(".", 1)[-1].startswith("test_")]
    assert found == []


def test_the_readme_layout_table_names_every_module_in_its_folders_row():
    """README's layout table matches the tree: each module (or the subpackage holding it) is named, as a word,
    in the row of its folder, and each row's path exists."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| path | what |", 1)[1].split("\n## ", 1)[0]
    rows = {paths: what for paths, what in re.findall(r"^\| (`[^|]+`) \| (.*) \|$", table, re.M)}
    assert rows, "no layout table"
    named = [path for paths in rows for path in re.findall(r"`([^`]+)`", paths)]
    for path in named:
        assert (ROOT / path).exists() or (ROOT / "generator" / path).exists(), f"README names {path}: not in the tree"
    rows = {re.findall(r"`([^`]+)`", paths)[0]: f"{paths} {what}" for paths, what in rows.items()}
    unnamed = []
    for module in sorted((ROOT / "generator").rglob("*.py")):
        rel = module.relative_to(ROOT)
        if module.name == "__init__.py" or "__pycache__" in rel.parts:
            continue
        folder = f"{rel.parts[0]}/{rel.parts[1]}/" if len(rel.parts) > 2 else None
        row = rows.get(folder) if folder else next((what for what in rows.values() if f"`{rel.name}`" in what
                                                   or f"`generator/{rel.name}`" in what), None)
        names = {module.stem, rel.parts[2] if len(rel.parts) > 3 else module.stem}
        if row is None or not any(re.search(rf"\b{re.escape(n)}\b", row) for n in names):
            unnamed.append(str(rel))
    assert not unnamed, f"modules README's layout table does not name: {unnamed}"
