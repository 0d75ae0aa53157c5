"""Where the templates and examples live. GEN_TEMPLATES_DIR points an office at its own edited copies."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = Path(os.environ.get("GEN_TEMPLATES_DIR") or ROOT / "templates")
DOCX_DIR = TEMPLATES_DIR / "docx"
XLSX_DIR = TEMPLATES_DIR / "xlsx"
EXAMPLES_DIR = ROOT / "examples"

# the web desk keeps an upload as <tag>-<the clerk's name>, its tag 8 hex digits with a letter among them (never a
# date such as 20240615-, which an office may well begin a name with)
_UPLOAD_TAG = re.compile(r"^(?=[0-9]{0,7}[a-f])[0-9a-f]{8}-")


def as_sent(name: str) -> str:
    """A kept file's name as its office sent it: without the web desk's upload tag."""
    return _UPLOAD_TAG.sub("", name or "")
