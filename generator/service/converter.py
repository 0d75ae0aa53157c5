"""The warm LibreOffice of a run (a batch, the watcher, the web server): the PDF settings its builds get,
for as long as they run; none when no PDF is wanted (docs/pdf.md)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from generator.documents.settings import PdfSettings


def wanted(make_pdf: bool | None) -> bool:
    """PDFs when asked for; when not said, whenever LibreOffice is installed."""
    from generator.documents import pdf  # LibreOffice's client: loaded only where PDFs may be made

    return pdf.available() if make_pdf is None else make_pdf


@contextlib.contextmanager
def warm(enabled: bool, timeout: float = 20.0, **settings) -> Iterator[PdfSettings | None]:
    if not enabled:
        yield None
        return
    from generator.documents import pdf

    with pdf.Office() as office:
        office.wait_ready()
        yield PdfSettings(office.handle, timeout, **settings)
