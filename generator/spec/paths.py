"""Where the templates and examples live. GEN_TEMPLATES_DIR points an office at its own edited copies."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = Path(os.environ.get("GEN_TEMPLATES_DIR") or ROOT / "templates")
DOCX_DIR = TEMPLATES_DIR / "docx"
XLSX_DIR = TEMPLATES_DIR / "xlsx"
EXAMPLES_DIR = ROOT / "examples"
