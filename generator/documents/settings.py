"""What a run asks of its PDFs: which warm LibreOffice converts them, how long one may take, and the bundle."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.documents.pdf import OfficeHandle


@dataclass(frozen=True)
class PdfSettings:
    """PDFs beside the Word files, through the parent's warm LibreOffice (`office`, a pdf.OfficeHandle; None: a
    cold soffice per file), and the e-Nothi bundle: the PDFs, then the evidence files, under 25 MiB."""

    office: OfficeHandle | None = None
    timeout: float = 20.0  # a conversion, and the wait for the LibreOffice before it (a one-page letter: 0.3 s)
    bundle: bool = False
    evidence: tuple[str, ...] = ()
