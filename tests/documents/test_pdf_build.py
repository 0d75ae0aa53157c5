"""`gen build --pdf / --bundle / --evidence`: PDFs beside the Word files through one warm LibreOffice, the
letter's attachment line from the annex's real page count, the e-Nothi bundle, and a LibreOffice that hangs
in the middle of a batch."""

import re
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from generator.xlsx import examples
from generator.spec.sheets import LETTER_SHEET
from generator.documents import pdf
from generator.text.bangla import to_bangla_digits
from generator.spec.paths import EXAMPLES_DIR
from generator.records.register import Register
from tests.support.office import need_libreoffice


def gen(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "generator.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def results(run) -> list[dict]:
    return [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]


def text_of(path: str) -> str:
    out = subprocess.run(["pdftotext", path, "-"], check=True, capture_output=True, text=True).stdout
    return "".join(out.split())  # pdftotext puts stray spaces inside Bangla words


def pages(path: str) -> int:
    return pdf.page_count(Path(path).read_bytes())


def fonts(path: str) -> list[tuple[str, str]]:
    lines = subprocess.run(["pdffonts", path], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    return [(line.split()[0], line.split()[-5]) for line in lines]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    need_libreoffice(warm=True)
    tmp = tmp_path_factory.mktemp("pdf-build")
    run = gen("build", EXAMPLES_DIR, "--out", tmp / "out", "--state", tmp / "state", "--pdf", "--json")
    assert run.returncode == 0, run.stderr
    return {Path(r["source"]).stem: r for r in results(run)}


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES_DIR.glob("*.xlsx")))
def test_every_example_has_its_pdfs_with_memo_rows_and_embedded_bangla_fonts(batch, name):
    result = batch[name]
    data = json.loads((EXAMPLES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    docx = [o for o in result["outputs"] if o.endswith(".docx")]
    pdfs = [o for o in result["outputs"] if o.endswith(".pdf")]
    assert [Path(p).stem for p in pdfs] == [Path(d).stem for d in docx]
    assert not [i for i in result["issues"] if i["code"] == "pdf-missing"]
    first = text_of(pdfs[0])
    # as issued (…-২৯৯), printed with the office's separator (the minutes example: …১৭.২৯৯)
    assert re.sub(r"[\s.-]", "", result["memo"]) in re.sub(r"[\s.-]", "", first)
    assert any(month in first for month in ("জানুয়ারি", "ফেব্রুয়ারি", "মার্চ",
                                                        "এপ্রিল", "মে", "জুন", "জুলাই", "আগস্ট", "সেপ্টেম্বর", "অক্টোবর", "নভেম্বর", "ডিসেম্বর"))
    table = "".join(text_of(p) for p in pdfs)
    rows = data.get("rows", [])
    wanted = [r.get("indicator") or r.get("topic") for r in rows if r.get("indicator") or r.get("topic")]
    assert wanted and all(str(w).split()[0].rstrip("/") in table for w in wanted[:5]), wanted[:5]  # cells wrap
    for path in pdfs:
        embedded = fonts(path)
        assert embedded and all(emb == "yes" for _, emb in embedded), embedded
        assert any("Bengali" in font or "Nikosh" in font for font, _ in embedded), embedded


def test_a_blank_attachment_count_is_the_annexs_real_page_count(tmp_path):
    need_libreoffice(warm=True)
    data = json.loads((EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json").read_text(encoding="utf-8"))
    data["letter"] = dict(data["letter"], attachment_count=None, attachment_unit=None)
    source = tmp_path / "cc.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    path = examples.write(source, tmp_path / "cc.xlsx")
    run = gen("build", path, "--out", tmp_path / "out", "--state", tmp_path / "state", "--pdf", "--json")
    result, = results(run)
    letter, annex = (o for o in result["outputs"] if o.endswith(".pdf"))
    n = pages(annex)
    words = {1: "১(এক)পাতা", 2: "২(দুই)পাতা", 3: "৩(তিন)পাতা"}
    assert n in words and f"সংযুক্তি:{words[n]}" in text_of(letter)


def test_a_page_count_the_annex_contradicts_is_printed_right_and_warned(batch):
    issues = batch["cc-chattogram-2023-24-q1"]["issues"]
    annex = [o for o in batch["cc-chattogram-2023-24-q1"]["outputs"] if o.endswith("annex.pdf")][0]
    differs = [i for i in issues if i["code"] == "attachment-pages-differ"]
    assert (pages(annex) != 1) == bool(differs)  # the workbook says ১ পৃষ্ঠা
    if differs:
        assert differs[0]["cell"] and "annex has" in differs[0]["message_en"]
    letter = [o for o in batch["cc-chattogram-2023-24-q1"]["outputs"] if o.endswith("letter.pdf")][0]
    words = {1: "১(এক)পৃষ্ঠা", 2: "২(দুই)পৃষ্ঠা", 3: "৩(তিন)পৃষ্ঠা"}
    assert f"সংযুক্তি:{words[pages(annex)]}" in text_of(letter)  # the letter says what it carries


def _photo(path: Path, size=(2400, 1800)) -> Path:
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(path, quality=95)
    return path


def test_the_bundle_is_letter_annex_then_evidence_in_name_order(tmp_path):
    need_libreoffice(warm=True)
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    _photo(evidence / "b-photo.jpg")
    Image.new("RGB", (800, 600), "white").save(evidence / "a-scan.png")
    two_pages = gen("build", EXAMPLES_DIR / "grs-rangpur-2023-24-q2.xlsx", "--out", tmp_path / "o1", "--state",
                    tmp_path / "s1", "--pdf", "--json")
    annex_pdf = next(o for o in results(two_pages)[0]["outputs"] if o.endswith("annex.pdf"))
    (evidence / "c-minutes.pdf").write_bytes(Path(annex_pdf).read_bytes())
    (evidence / "notes.txt").write_text("not evidence")
    run = gen("build", EXAMPLES_DIR / "cc-chattogram-2023-24-q1.xlsx", "--out", tmp_path / "out", "--state",
              tmp_path / "state", "--evidence", evidence, "--json")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "notes.txt" in run.stderr
    result, = results(run)
    bundle = next(o for o in result["outputs"] if o.endswith("-bundle.pdf"))
    letter, annex = (o for o in result["outputs"] if o.endswith(("letter.pdf", "annex.pdf")))
    assert pages(bundle) == pages(letter) + pages(annex) + 1 + 1 + pages(annex_pdf)
    assert Path(bundle).stat().st_size < 25 * 1024 * 1024
    # the letter's attachment line counts the annex's pages and the three evidence files the bundle carries
    assert re.search(r"সংযুক্তি:[১২৩]\([^)]+\)(পাতা|পৃষ্ঠা)ওপ্রমাণক৩\(তিন\)টিফাইল", text_of(letter)), text_of(letter)
    total = pages(bundle)
    each = subprocess.run(["pdftotext", bundle, "-"], check=True, capture_output=True, text=True).stdout.split("\f")
    for n in range(1, total + 1):  # every page numbered, in Bangla digits
        assert f"পৃষ্ঠা{to_bangla_digits(n)}/{to_bangla_digits(total)}" in "".join(each[n - 1].split()), n
    first_evidence = pages(letter) + pages(annex)
    assert "প্রমাণক১:a-scan.png(পাতা১/১)" in "".join(each[first_evidence].split())
    last = "".join(each[total - 1].split())
    n = to_bangla_digits(pages(annex_pdf))
    assert f"প্রমাণক৩:c-minutes.pdf(পাতা{n}/{n})" in last


def test_evidence_that_cannot_go_in_is_refused_naming_the_file_and_the_serial_goes_back(tmp_path):
    need_libreoffice(warm=True)
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "report.pdf").write_text("this is not a PDF at all")
    run = gen("build", EXAMPLES_DIR / "cc-chattogram-2023-24-q1.xlsx", "--out", tmp_path / "out", "--state",
              tmp_path / "state", "--evidence", evidence, "--json")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    result, = results(run)
    assert result["status"] == "rejected" and any("report.pdf" in i["message_en"] for i in result["issues"])
    assert not list((tmp_path / "out").rglob("versions/*/*.docx"))
    with Register(tmp_path / "state") as register:
        assert not [e for e in register.entries() if e.state == "issued"]


def test_evidence_is_for_one_workbook(tmp_path):
    (tmp_path / "e").mkdir()
    run = gen("build", EXAMPLES_DIR, "--out", tmp_path / "out", "--state", tmp_path / "s", "--evidence", tmp_path / "e")
    assert run.returncode == 2 and "one workbook" in run.stderr


def _descendants(pid: int) -> list[int]:
    """Every process below `pid` (from /proc), so the test touches only the LibreOffice its own gen build started."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _office_of(pid: int) -> list[int]:
    pids = []
    for child in _descendants(pid):
        try:
            if (Path("/proc") / str(child) / "comm").read_text().strip() == "soffice.bin":
                pids.append(child)
        except OSError:
            continue
    return pids


def test_a_libreoffice_that_hangs_mid_batch_does_not_stop_it(tmp_path):
    """SIGSTOP the warm LibreOffice while a batch converts: the conversion in hand fails within its time limit,
    its Word files are still delivered with the PDF reported missing, and the rest of the batch gets PDFs
    from a fresh LibreOffice."""
    need_libreoffice(warm=True)
    folder = tmp_path / "in"
    folder.mkdir()
    source = EXAMPLES_DIR / "grs-rangpur-2023-24-q2.xlsx"
    for i in range(8):
        workbook_copy = folder / f"w{i:02d}.xlsx"
        workbook_copy.write_bytes(source.read_bytes())
        if i:
            _with_office(workbook_copy, f"অফিস {i}")
    stopped: list[int] = []
    command = [sys.executable, "-m", "generator.cli", "build", str(folder), "--out", str(tmp_path / "out"), "--state",
               str(tmp_path / "state"), "--pdf", "--json", "--pdf-timeout", "4", "--jobs", "1"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def stop_the_office():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not stopped and proc.poll() is None:
            pids = _office_of(proc.pid)
            if pids and any((tmp_path / "out").rglob("*.pdf")):  # a few conversions in (not while it starts)
                try:
                    os.kill(pids[0], signal.SIGSTOP)
                    stopped.append(pids[0])
                except ProcessLookupError:  # it was starting or stopping: the next one
                    continue
            time.sleep(0.1)

    thread = threading.Thread(target=stop_the_office)
    thread.start()
    try:
        stdout, stderr = proc.communicate(timeout=600)
    finally:
        thread.join()
        for pid in stopped:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert stopped, "the warm LibreOffice was never seen"
    done = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    assert len(done) == 8 and all(r["status"] == "built" for r in done), stderr
    missing = [r for r in done if any(i["code"] == "pdf-missing" for i in r["issues"])]
    assert missing and len(missing) < 8
    assert all(any(o.endswith(".docx") for o in r["outputs"]) for r in missing)
    last = done[-1]
    assert sum(o.endswith(".pdf") for o in last["outputs"]) == 2, "the batch's last workbook had no fresh LibreOffice"


def _with_office(path: Path, office: str) -> None:
    """The same plan from another office, so each copy is a submission of its own."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb[LETTER_SHEET]
    for row in ws.iter_rows():
        if row[0].value == "office_name":
            row[2].value = office
    wb.save(path)


def _page_two_header(tmp_path: Path, office, header) -> bytes:
    """Page 2's header band, as pixels, of a two-page document whose header `header(paragraph)` fills."""
    import io

    from docx import Document as Docx
    from docx.enum.text import WD_BREAK

    from generator.documents import wordml

    doc = Docx()
    wordml.set_document_defaults(doc, size=12)
    doc.add_paragraph("এক").add_run().add_break(WD_BREAK.PAGE)
    doc.add_paragraph("দুই")
    header(doc.sections[0].header.paragraphs[0])
    buffer = io.BytesIO()
    doc.save(buffer)
    made = tmp_path / f"h{len(list(tmp_path.iterdir()))}.pdf"
    made.write_bytes(pdf.convert(buffer.getvalue(), office_handle=office.handle, timeout=60))
    subprocess.run(["pdftoppm", "-r", "100", "-f", "2", "-l", "2", "-y", "0", "-H", "120", "-gray", str(made),
                    str(made.with_suffix(""))], check=True)
    return next(tmp_path.glob(f"{made.stem}-*.pgm")).read_bytes()


def test_page_numbers_are_drawn_in_bangla_digits(tmp_path):
    """The PAGE field of our templates, converted by our LibreOffice, looks exactly like the text 'পৃষ্ঠা ২'
    (pdftotext still reads the digit as 2: the font draws the Bangla glyph for it)."""
    need_libreoffice(warm=True)
    from generator.documents import wordml

    with pdf.Office(tmp_path / "office") as office:
        assert office.wait_ready(120)
        field = _page_two_header(tmp_path, office, lambda p: wordml.page_number(p))
        bangla = _page_two_header(tmp_path, office, lambda p: wordml.style_run(p.add_run("পৃষ্ঠা ২")))
        latin = _page_two_header(tmp_path, office, lambda p: wordml.style_run(p.add_run("পৃষ্ঠা 2")))
    def differ(a: bytes, b: bytes) -> int:
        return sum(abs(x - y) > 64 for x, y in zip(a, b))

    assert differ(field, bangla) * 4 < differ(field, latin), (differ(field, bangla), differ(field, latin))


def test_a_version_built_without_pdfs_is_kept_as_it_was_when_asked_again_with_them(tmp_path):
    """The same content built again with --pdf (a watcher that now makes PDFs, a clerk trying again) gets the
    version as it was first built, Word files only, with a warning: never 'memo-exists', never a rewrite."""
    need_libreoffice(warm=True)
    source = EXAMPLES_DIR / "grs-rangpur-2023-24-q2.xlsx"
    first = gen("build", source, "--out", tmp_path / "out", "--state", tmp_path / "state", "--json")
    (plain,) = results(first)
    before = {p: Path(p).read_bytes() for p in plain["outputs"]}
    again = gen("build", source, "--out", tmp_path / "out", "--state", tmp_path / "state", "--pdf", "--json")
    assert again.returncode == 0, again.stdout + again.stderr
    (result,) = results(again)
    assert result["status"] == "built" and result["memo"] == plain["memo"] and result["memo_reused"]
    assert result["outputs"] == plain["outputs"] and {p: Path(p).read_bytes() for p in result["outputs"]} == before
    kept = [i for i in result["issues"] if i["code"] == "version-kept"]
    assert kept and "letter.pdf" in kept[0]["message_en"] and "annex.pdf" in kept[0]["message_en"]
    assert not list((tmp_path / "out").rglob("versions/*/*.pdf"))


def test_a_full_output_disk_with_pdfs_burns_no_serial(tmp_path):
    """The PDFs make a version larger: on a disk that cannot hold it, nothing is left half-written, the memo
    serial goes back and the workbook is untouched (exit 3)."""
    need_libreoffice(warm=True)
    from tests.support.processes import small_disk
    from tests.support.state import register_rows, sha

    source = tmp_path / "cc.xlsx"
    source.write_bytes((EXAMPLES_DIR / "cc-chattogram-2023-24-q1.xlsx").read_bytes())
    digest = sha(source)
    with small_disk(tmp_path / "disk", "100k") as disk:
        run = gen("build", source, "--out", disk / "out", "--state", tmp_path / "state", "--pdf")
        assert run.returncode == 3 and "Traceback" not in run.stdout + run.stderr
        assert not list((disk / "out").rglob("*.pdf")) and not list((disk / "out").rglob("*.docx"))
    assert register_rows(tmp_path / "state") == [] and sha(source) == digest


def test_evidence_gone_before_the_build_is_named_and_burns_no_serial(tmp_path):
    """An evidence file listed, then deleted before its workbook is built (a clerk tidying the folder)."""
    need_libreoffice(warm=True)
    from generator.documents import make as documents
    from generator.service import pipeline

    gone = tmp_path / "evidence" / "photo.jpg"
    with pdf.Office(tmp_path / "office") as office:
        assert office.wait_ready(120)
        settings = documents.PdfSettings(office.handle, bundle=True, evidence=(str(gone),))
        result = pipeline.build(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.xlsx", out_root=tmp_path / "out",
                                state_dir=tmp_path / "state", pdf=settings)
    assert result.status == "rejected"
    assert any("photo.jpg" in f.en for f in result.issues if f.severity == "error")
    assert not list((tmp_path / "out").rglob("versions/*/*"))
    with Register(tmp_path / "state") as register:
        assert not [e for e in register.entries() if e.state == "issued"]
