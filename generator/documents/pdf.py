"""Word → PDF through LibreOffice, from any process: warm through the parent's `Office` (office.py), or cold,
one soffice per file, where the warm server cannot run. A conversion that runs past its time limit, or a
LibreOffice that dies under it, raises `ConversionFailed` (Bangla and English) and the stuck LibreOffice is
killed so that the Office starts a fresh one for the next document.
"""

from __future__ import annotations

import fcntl
import http.client
import io
import os
import signal
import subprocess
import tempfile
import time
import xmlrpc.client
from contextlib import contextmanager
from pathlib import Path

from generator.findings import GenError
from generator.text.bangla import to_bangla_digits
from generator.documents import textlayer
from generator.documents.office import LOCK, Office, OfficeHandle, kill_group, lo_environment, proxy, read_address, seed_profile, soffice
from generator.spec.codes import TOOK_TOO_LONG

__all__ = ["ConversionFailed", "Office", "OfficeHandle", "available", "convert", "page_count"]

MAX_DOCX_BYTES = 50 * 1024 * 1024  # our documents are tens of kB; anything near this is not ours
WARM_OPTIONS = ["EmbedStandardFonts=true"]  # every font in the file, even Times and Helvetica
COLD_FILTER = 'pdf:writer_pdf_Export:{"EmbedStandardFonts":{"type":"boolean","value":"true"}}'


class ConversionFailed(GenError):
    """No PDF: `code` says why, `bn` and `en` say it to a clerk."""

    def __init__(self, code: str, bn: str, en: str, detail: str = ""):
        super().__init__(code, bn, en)
        self.detail = detail  # for the log, not the clerk


def available() -> bool:
    """Whether any PDF can be made here: LibreOffice is installed."""
    return soffice() is not None


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def convert(docx: bytes, *, office_handle: OfficeHandle | None = None, timeout: float = 60.0,
            name: str = "document.docx", wait: float = 180.0) -> bytes:
    """The PDF of a .docx, its text layer giving back whole words (textlayer.py). `timeout` bounds the
    conversion itself; `wait` bounds waiting for the Office (another conversion in progress, or a restart after
    a crash) before it."""
    return _searchable(_converted(docx, office_handle, timeout, name, wait))


def _searchable(pdf: bytes) -> bytes:
    """LibreOffice's PDF with every word of its text layer whole, done outside the Office's lock. An
    improvement, never a reason to lose the PDF: if the file cannot be rewritten, LibreOffice's own is kept."""
    try:
        return textlayer.whole_words(pdf)
    except Exception:  # noqa: BLE001 - pikepdf/qpdf errors on a file LibreOffice wrote: keep that file
        return pdf


def _converted(docx: bytes, office_handle: OfficeHandle | None, timeout: float, name: str, wait: float) -> bytes:
    if not available():
        raise _failed("no-libreoffice", name)
    if len(docx) > MAX_DOCX_BYTES or not docx.startswith(b"PK\x03\x04"):
        raise _failed("not-a-document", name)
    if office_handle is None:
        with tempfile.TemporaryDirectory(prefix="gen-pdf-") as folder:
            return _cold(docx, name, timeout, Path(folder) / "profile", Path(folder), soffice() or "soffice")
    home = Path(office_handle.home)
    deadline = time.monotonic() + wait
    with _lock(home / LOCK, deadline, name):
        stale = None  # the generation of a server found dead, once: the next one is waited for
        while True:
            address = _ready(home, deadline, name, stale)
            if "cold" in address:
                return _cold(docx, name, timeout, home / "cold-profile", home, office_handle.soffice)
            server = proxy(address["port"], timeout)
            try:
                pdf = server.convert(None, docx, None, "pdf", "writer_pdf_Export", WARM_OPTIONS, False, None)
            except (ConnectionRefusedError, xmlrpc.client.Fault) as e:
                died = isinstance(e, ConnectionRefusedError) or _dead_within(address["office"], 1.0)
                if died and stale is None:  # LibreOffice had died before this document: try the next one
                    kill_group(home, address["pid"])
                    stale = address["generation"]
                    continue
                if died:
                    raise _failed("office-stopped", name) from None
                raise _failed("could-not-convert", name, detail=str(getattr(e, "faultString", e))[-500:]) from None
            except TimeoutError:
                kill_group(home, address["pid"])
                raise _failed(TOOK_TOO_LONG, name, timeout) from None
            except (OSError, http.client.HTTPException, xmlrpc.client.ProtocolError):
                kill_group(home, address["pid"])
                raise _failed("office-stopped", name) from None
            return _checked(pdf, name)


def _ready(home: Path, deadline: float, name: str, stale: int | None) -> dict:
    """The address of a live server other than generation `stale`, waiting while the Office (re)starts one."""
    while True:
        address = read_address(home)
        if address and ("cold" in address or (address["generation"] != stale and _alive(address["pid"]))):
            return address
        if time.monotonic() > deadline:
            raise _failed("office-not-running", name)
        time.sleep(0.05)


def _dead_within(pid: int, seconds: float) -> bool:
    """Whether the process is gone, or goes within `seconds`: LibreOffice killed a moment ago may still be
    exiting when the conversion it was asked for fails (a document it truly cannot read costs that wait)."""
    deadline = time.monotonic() + seconds
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _alive(pid: int) -> bool:
    """Running or stopped, but not a zombie (which os.kill(pid, 0) would still find)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


@contextmanager
def _lock(path: Path, deadline: float, name: str):
    with open(path, "a") as f:
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise _failed("office-busy", name) from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


# A worker process runs under an address-space limit (workers.py) that LibreOffice must not inherit.
_UNLIMITED = 'ulimit -S -v "$(ulimit -H -v)" 2>/dev/null; exec "$@"'


def _cold(docx: bytes, name: str, timeout: float, profile: Path, fonts_home: Path, exe: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="gen-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "document.docx"
        source.write_bytes(docx)
        seed_profile(profile)
        cmd = ["/bin/sh", "-c", _UNLIMITED, "sh", exe, f"-env:UserInstallation={profile.as_uri()}", "--headless",
               "--norestore", "--nologo", "--nodefault", "--convert-to", COLD_FILTER, "--outdir", str(folder),
               str(source)]
        with open(folder / "soffice.log", "wb") as log:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=folder,
                                    env=lo_environment(fonts_home), start_new_session=True)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                raise _failed(TOOK_TOO_LONG, name, timeout) from None
            finally:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)  # oosplash may leave soffice.bin behind
                except ProcessLookupError:
                    pass
        try:
            pdf = (folder / "document.pdf").read_bytes()
        except OSError:
            raise _failed("could-not-convert", name) from None
        return _checked(pdf, name)


def _checked(pdf: object, name: str) -> bytes:
    if not isinstance(pdf, bytes) or not pdf.startswith(b"%PDF-"):
        raise _failed("could-not-convert", name)
    return pdf


def _failed(code: str, name: str, seconds: float = 0.0, detail: str = "") -> ConversionFailed:
    s = f"{seconds:g}"
    bn, en = {
        "no-libreoffice": (
            f"{name}-এর PDF তৈরি করা যায়নি: এই কম্পিউটারে LibreOffice নেই। Word ফাইলটি ঠিক আছে; সিস্টেম "
            "প্রশাসককে LibreOffice ইনস্টল করতে বলুন।",
            f"No PDF of {name}: LibreOffice is not installed on this computer. The Word file is fine; ask the "
            "system administrator to install LibreOffice."),
        "not-a-document": (
            f"{name}-এর PDF তৈরি করা যায়নি: ফাইলটি Word (.docx) ফাইল নয় বা অস্বাভাবিক বড়।",
            f"No PDF of {name}: the file is not a Word (.docx) file or is unusually large."),
        TOOK_TOO_LONG: (
            f"{name}-এর PDF তৈরি {to_bangla_digits(s)} সেকেন্ডে শেষ হয়নি, তাই LibreOffice থামিয়ে নতুন করে চালু করা "
            "হচ্ছে। Word ফাইলটি ঠিক আছে; PDF পরে আবার তৈরি করুন।",
            f"Converting {name} to PDF did not finish within {s} s, so LibreOffice was stopped and is being "
            "started afresh. The Word file is fine; make the PDF again later."),
        "office-stopped": (
            f"{name}-এর PDF তৈরির সময় LibreOffice বন্ধ হয়ে গেছে; সেটি নতুন করে চালু করা হচ্ছে। Word ফাইলটি ঠিক "
            "আছে; PDF পরে আবার তৈরি করুন।",
            f"LibreOffice stopped while converting {name} to PDF; it is being started afresh. The Word file is "
            "fine; make the PDF again later."),
        "office-not-running": (
            f"{name}-এর PDF তৈরি করা যায়নি: LibreOffice চালু হচ্ছে না। Word ফাইলটি ঠিক আছে; সিস্টেম প্রশাসককে জানান।",
            f"No PDF of {name}: LibreOffice is not starting. The Word file is fine; tell the system administrator."),
        "office-busy": (
            f"{name}-এর PDF তৈরি করা যায়নি: LibreOffice অনেকক্ষণ অন্য ফাইল নিয়ে ব্যস্ত। Word ফাইলটি ঠিক আছে; PDF "
            "পরে আবার তৈরি করুন।",
            f"No PDF of {name}: LibreOffice has been busy with other files for too long. The Word file is fine; "
            "make the PDF again later."),
        "could-not-convert": (
            f"LibreOffice {name} খুলে PDF তৈরি করতে পারেনি। Word ফাইলটি Word-এ খুলে দেখুন।",
            f"LibreOffice could not open {name} and make its PDF. Open the Word file in Word to check it."),
    }[code]
    return ConversionFailed(code, bn, en, detail)
