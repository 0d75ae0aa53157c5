"""Evidence (প্রমাণক) files sent with a workbook on the upload form: read from the request with their own caps
(counted while the request streams in), kept in a folder of the upload's own under the state folder while it is
built into the e-Nothi bundle, then removed (the bundle holds them).

The content of each file is checked by bundle.py, in the build's worker: here only sizes, the count and names.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
from collections.abc import Sequence
from pathlib import Path

from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect, Request

from generator.findings import GenError
from generator.text import bangla
from generator.documents import bundle
from generator.service import intake
from generator.records import store
from generator.documents.settings import PdfSettings
from generator.web.texts import MB, too_large as workbook_too_large

log = logging.getLogger("gen.web")
FIELD, WORKBOOK_FIELD = "evidence", "workbook"
MAX_FILES = 20  # evidence files with one workbook
DEFAULT_CAP = 60 * MB  # all evidence of one upload: a 30 MB phone photo and several scans
FOLDER = "evidence"  # under the state folder: evidence/<upload tag>/


class Refused(GenError):
    """The upload cannot be taken as sent; `status` is the HTTP status of the page that says why."""

    def __init__(self, status: int, bn: str, en: str):
        super().__init__("upload-refused", bn, en)
        self.status = status


def _mb(size: int) -> tuple[str, str]:
    mb = f"{size / MB:g}"
    return bangla.to_bangla_digits(mb), mb


def too_large(workbook_cap: int, evidence_cap: int) -> tuple[str, str]:
    """The message of a request over the whole cap (the workbook's and the evidence's together)."""
    (wb, we), (eb, ee) = _mb(workbook_cap), _mb(evidence_cap)
    return (f"পাঠানো ফাইলগুলো খুব বড়: ওয়ার্কবুক সর্বোচ্চ {wb} MB, আর প্রমাণক ফাইলগুলো মিলে সর্বোচ্চ {eb} MB গ্রহণ করা হয়। "
            "বড় ছবি ছোট করে বা কয়েকটি প্রমাণক ই-নথিতে আলাদা করে দিন।",
            f"The files sent are too large: the workbook may be at most {we} MB and the evidence files together at "
            f"most {ee} MB. Make large photos smaller, or attach some evidence in e-Nothi separately.")


def _over_cap(cap: int) -> Refused:
    b, e = _mb(cap)
    return Refused(413, f"প্রমাণক ফাইলগুলো মিলে খুব বড়: সর্বোচ্চ {b} MB গ্রহণ করা হয়। বড় ছবি ছোট করে, বা কয়েকটি প্রমাণক "
                        "ই-নথিতে আলাদা করে দিন।",
                   f"The evidence files are too large together: at most {e} MB is accepted. Make large photos "
                   "smaller, or attach some evidence in e-Nothi separately.")


def _too_many(count: int) -> Refused:
    b = bangla.to_bangla_digits
    return Refused(413, f"প্রমাণক ফাইল খুব বেশি: একবারে সর্বোচ্চ {b(str(count))}টি। কয়েকটি PDF একসঙ্গে করে, বা আলাদা করে দিন।",
                   f"Too many evidence files: at most {count} at once. Join some into one PDF, or attach them "
                   "separately.")


def _not_here() -> Refused:
    return Refused(400, "এই সার্ভার PDF তৈরি করে না, তাই প্রমাণক নেওয়া যায় না। প্রমাণক ছাড়া ওয়ার্কবুকটি আবার দিন, "
                        "এবং প্রমাণকগুলো ই-নথিতে আলাদা করে সংযুক্ত করুন; অথবা প্রশাসককে LibreOffice ইনস্টল করতে বলুন।",
                   "This server does not make PDFs, so it cannot take evidence files. Submit the workbook without "
                   "them and attach the evidence in e-Nothi yourself, or ask the administrator to install "
                   "LibreOffice.")


def _workbook_too_large(cap: int) -> Refused:
    return Refused(413, *workbook_too_large(cap))


class _CappedParser(MultiPartParser):
    """Starlette's multipart parser, counting the bytes of the workbook and of the evidence as they arrive.
    Past a cap, the rest of the request is read and dropped (so the browser gets the page saying why, not a
    reset connection; the whole request is capped by UploadLimit), then Refused is raised."""

    def __init__(self, request: Request, *, workbook_cap: int, evidence_cap: int, evidence: bool):
        super().__init__(request.headers, request.stream(), max_files=MAX_FILES + 2, max_fields=20)
        self.workbook_cap, self.evidence_cap, self.evidence = workbook_cap, evidence_cap, evidence
        self.evidence_bytes = self.evidence_files = self.part_bytes = 0
        self.refused: Refused | None = None

    def on_headers_finished(self) -> None:
        if self.refused is not None:
            return self.on_part_begin()  # a fresh part with no file: its bytes go nowhere
        try:
            super().on_headers_finished()
        except MultiPartException:
            self.refused = _too_many(MAX_FILES)
            return self.on_part_begin()
        self.part_bytes = 0
        part = self._current_part
        if part.file is not None and part.field_name == FIELD and part.file.filename:
            if not self.evidence:
                self.refused = _not_here()
            self.evidence_files += 1
            if self.evidence_files > MAX_FILES:
                self.refused = _too_many(MAX_FILES)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.refused is not None:
            return
        part, size = self._current_part, end - start
        self.part_bytes += size
        if part.file is not None and part.field_name == FIELD:
            self.evidence_bytes += size
            if self.evidence_bytes > self.evidence_cap:
                self.refused = _over_cap(self.evidence_cap)
                return
        elif part.file is not None and self.part_bytes > self.workbook_cap:
            self.refused = _workbook_too_large(self.workbook_cap)
            return
        super().on_part_data(data, start, end)

    def on_part_end(self) -> None:
        if self.refused is None:
            super().on_part_end()

    async def parse(self) -> FormData:
        form = await super().parse()
        if self.refused is not None:
            for file in self._files_to_close_on_error:
                file.close()
            raise self.refused
        return form


async def read_form(request: Request, *, workbook_cap: int, evidence_cap: int, evidence: bool) -> FormData:
    """The upload form, its files spooled; Refused when the evidence (or the workbook) is over its cap, or
    evidence was sent to a server that makes no PDFs."""
    try:
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return await request.form()
        return await _CappedParser(request, workbook_cap=workbook_cap, evidence_cap=evidence_cap,
                                   evidence=evidence).parse()
    except MultiPartException:
        raise Refused(400, "ফর্মটি পড়া যায়নি; পাতাটি আবার খুলে আবার পাঠান।",
                      "The form could not be read; reload the page and submit again.") from None
    except ClientDisconnect:  # the browser went away mid-upload: nothing kept, and not the program's fault
        raise Refused(400, "ফাইল পাঠানো মাঝপথে থেমে গেছে, কিছুই রাখা হয়নি; আবার পাঠান।",
                      "The upload stopped before it ended, so nothing was kept; send it again.") from None


def chosen(form: FormData) -> list[UploadFile]:
    """The evidence files of the form, in name order as `gen build --evidence` takes a folder (a browser sends
    one empty part when none was chosen). Refused when one is not a PDF, JPEG or PNG by its name."""
    files = [f for f in form.getlist(FIELD) if isinstance(f, UploadFile) and f.filename]
    for file in files:
        name = Path(file.filename or "").name
        if Path(name).suffix.lower() not in bundle.SUFFIXES:
            raise Refused(415, f"'{name}' প্রমাণক হিসেবে নেওয়া যায় না: শুধু PDF, JPEG বা PNG ফাইল দিন "
                               "(Word বা অন্য ফাইল আগে PDF করে নিন)।",
                          f"'{name}' cannot be taken as evidence: give PDF, JPEG or PNG files only (save Word or "
                          "other files as PDF first).")
    return sorted(files, key=lambda f: (Path(f.filename or "").name.casefold(), f.filename))


def folder_of(root: Path, tag: str) -> Path:
    """An upload's evidence folder under `root` (Desk.evidence)."""
    return root / tag


def save(files: Sequence[UploadFile], folder: Path) -> list[Path]:
    """The evidence written into `folder` (made here; never an existing one), each under the clerk's own name
    made safe (Bangla kept), in the order given."""
    folder.mkdir(parents=True)
    saved = []
    for file in files:
        original = Path(file.filename or "").name
        stem, suffix = Path(original).stem, Path(original).suffix  # SCAN.PDF stays SCAN.PDF where it is named
        name = intake.fit(store.safe_name(stem, "evidence"), suffix)
        target, n = folder / name, 1
        while target.exists():
            n += 1
            target = folder / intake.fit(store.safe_name(stem, "evidence"), f" ({n}){suffix}")
        file.file.seek(0)
        with open(target, "xb") as out:
            shutil.copyfileobj(file.file, out, 1024 * 1024)
        saved.append(target)
    return saved


def settings(pdf: PdfSettings | None, paths: Sequence[Path]) -> PdfSettings | None:
    """This upload's PDF settings: the server's, with the e-Nothi bundle of the letter, the annex and `paths`."""
    if pdf is None:
        return None
    return dataclasses.replace(pdf, bundle=True, evidence=tuple(str(p) for p in paths))


def kept_for(root: Path, upload: Path) -> list[Path]:
    """The evidence saved with an upload (named '<tag>-…') under `root` (Desk.evidence), in the order it was
    given."""
    folder = folder_of(root, upload.name.split("-", 1)[0])
    if not folder.is_dir():
        return []
    return sorted(folder.iterdir(), key=lambda p: (p.name.casefold(), p.name))  # all of it: bundle.py checks each


def remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def sweep(root: Path, uploads: Path) -> None:
    """Evidence folders under `root` (Desk.evidence) whose upload is no longer waiting to be built (left by a
    server that stopped)."""
    if not root.is_dir():
        return
    waiting = {p.name.split("-", 1)[0] for p in uploads.iterdir()} if uploads.is_dir() else set()
    for folder in root.iterdir():
        if folder.is_dir() and folder.name not in waiting:
            log.info("removing evidence left from an earlier server: %s", folder.name)
            remove(folder)
