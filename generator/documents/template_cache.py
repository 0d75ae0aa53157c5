"""Compiled Word templates kept between runs, as Python keeps its bytecode: docxtpl's clean-up of each part and
Jinja's bytecode of it, so that a one-off `gen build` neither cleans up nor compiles the templates again
(loading a template no longer needs docxtpl at all). In $GEN_CACHE_DIR, else $XDG_CACHE_HOME/gen, else ~/.cache/gen. Only a
speed-up: a folder that cannot be used, or another user could write to, is passed over, and an entry that
cannot be read is made again."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import stat
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from jinja2 import BytecodeCache, FileSystemBytecodeCache

PATCHED = "docxtpl-{}.json"  # an entry: the cleaned-up parts of one template by the docxtpl that cleaned them


def folder() -> Path | None:
    """The cache folder, made if missing; None when it cannot be used safely (read when called)."""
    given = os.environ.get("GEN_CACHE_DIR")
    if given is not None:
        if not given:
            return None  # set empty: no cache
        path = Path(given)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"  # the XDG spec: a relative value is ignored
        path = base / "gen"
    return path if _private(path) else None


@lru_cache(maxsize=8)
def _private(path: Path) -> bool:
    """Whether the cache folder and its templates folder are (or are now) folders of ours that nobody else may
    write to, nor swap for their own: what is cached there runs."""
    try:
        (path / "templates").mkdir(mode=0o700, parents=True, exist_ok=True)
        found = [os.stat(p, follow_symlinks=False) for p in (path, path / "templates")]
    except (OSError, RuntimeError):
        return False
    return all(stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o022 for st in found)


def patched(template: bytes, parts: dict[str, str], patch: Callable[[str], str]) -> dict[str, str]:
    """`patch` (docxtpl's clean-up) of each of `parts`, the XML of the template whose file is `template`: from
    the cache when this template was cleaned up by this docxtpl before."""
    where = folder()
    key = hashlib.sha256(template + _docxtpl_identity()).hexdigest()
    entry = where / "templates" / PATCHED.format(key) if where else None
    if entry is not None:
        try:
            found = json.loads(entry.read_text("utf-8"))
            kept = found.get("parts") if isinstance(found, dict) else None
            if (isinstance(kept, dict) and set(kept) == set(parts) and all(isinstance(v, str) for v in kept.values())
                    and found.get("sum") == _sum(kept)):
                return kept
        except (OSError, ValueError):
            pass
    done = {name: patch(xml) for name, xml in parts.items()}
    if entry is not None:
        _write(entry, json.dumps({"sum": _sum(done), "parts": done}, ensure_ascii=False).encode("utf-8"))
    return done


def _sum(parts: dict[str, str]) -> str:
    """An entry's own checksum: one damaged into other well-formed JSON (parts emptied, cut short) is not taken
    for a template, which would fill an empty letter."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def bytecode() -> BytecodeCache | None:
    """Jinja's own cache of compiled templates (checked against each template's source), in the cache folder."""
    where = folder()
    return FileSystemBytecodeCache(str(where / "templates"), "jinja-%s.cache") if where else None


@lru_cache(maxsize=1)
def _docxtpl_identity() -> bytes:
    """Which docxtpl is installed, without loading it: where its template code lies, its size and time."""
    spec = importlib.util.find_spec("docxtpl")
    origin = Path(spec.origin).parent / "template.py" if spec and spec.origin else None
    try:
        st = origin.stat() if origin else None
    except OSError:
        st = None
    return f"{origin}:{st.st_size}:{st.st_mtime_ns}".encode() if st else b"unknown"


def _write(path: Path, data: bytes) -> None:
    """Written whole under another name, then renamed: another process never reads half an entry."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
