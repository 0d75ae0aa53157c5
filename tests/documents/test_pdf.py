"""Word → PDF through a real LibreOffice: the text and fonts of every example, a stuck or killed LibreOffice, the
cold fallback, a worker under a memory limit, an installed Nikosh, Ctrl-C."""

import multiprocessing as mp
import os
import re
import signal
import subprocess
import tempfile
import sys
import time
from pathlib import Path

import pytest

from generator.documents import office, pdf
from tests.support.docx import docx_paragraphs, docx_text
from tests.support.office import need_libreoffice
from tests.support.processes import terminal_sigint
from tests.support.workbooks import EXAMPLES


@pytest.fixture
def built(built_examples):
    need_libreoffice()
    return built_examples


@pytest.fixture
def warm(office):
    return office


def pdftotext(data: bytes, tmp: Path) -> str:
    path = tmp / "out.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return "".join(text.split())  # pdftotext puts stray spaces inside Bangla words


def fonts(data: bytes, tmp: Path) -> list[tuple[str, str]]:
    """(name, emb) of every font of the PDF, as pdffonts lists them."""
    path = tmp / "fonts.pdf"
    path.write_bytes(data)
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()
    return [(line.split()[0], line.split()[-5]) for line in lines[2:]]


def soffice_pids(o: pdf.Office) -> list[int]:
    pid = office.read_address(Path(o.handle.home))["pid"]
    out = subprocess.run(["pgrep", "-g", str(pid), "-f", "soffice.bin"], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_converts_with_its_memo_rows_and_embedded_bengali_fonts(built, warm, tmp_path, example):
    result = built[example]
    for output in map(Path, result.outputs):
        data = pdf.convert(output.read_bytes(), office_handle=warm.handle, timeout=60, name=output.name)
        assert data.startswith(b"%PDF-") and pdf.page_count(data) >= 1
        text = pdftotext(data, tmp_path)
        if "annex" not in output.name:  # pdftotext drops a hyphen where a line breaks after it (a long memo)
            # the memo as issued (…-২৯৯) prints with the office's separator (the minutes example: …১৭.২৯৯)
            assert re.sub(r"[\s.-]", "", result.memo) in re.sub(r"[\s.-]", "", text), output.name
        rows = set(re.findall(r"\[[০-৯]+(?:\.[০-৯]+)+\]", docx_text(output)))  # [১.১.১]
        rows |= {m[1] + m[2] for p in docx_paragraphs(output) if (m := re.match(r"([০-৯]+\.[০-৯]+)\s+(\S+)", p))}
        assert all(row in text for row in rows), (output.name, sorted(r for r in rows if r not in text))
        if "annex" in output.name:
            assert rows, f"{output.name} has no numbered rows to look for"
        found = fonts(data, tmp_path)
        assert found and all(emb == "yes" for _, emb in found), found
        assert any("Bengali" in name for name, _ in found), found


def test_page_count_is_what_pdfinfo_counts(built, warm, tmp_path):
    annex = Path(built["nis-khulna-2021-22-q4"].outputs[1])
    data = pdf.convert(annex.read_bytes(), office_handle=warm.handle)
    (tmp_path / "a.pdf").write_bytes(data)
    info = subprocess.run(["pdfinfo", str(tmp_path / "a.pdf")], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert pdf.page_count(data) == pages > 1


def test_a_stopped_libreoffice_fails_within_the_time_limit_and_the_next_conversion_works(built, warm):
    letter = Path(built["cc-chattogram-2023-24-q1"].outputs[0]).read_bytes()
    pdf.convert(letter, office_handle=warm.handle)
    restarts = warm.restarts
    stuck = soffice_pids(warm)
    assert stuck
    for pid in stuck:
        os.kill(pid, signal.SIGSTOP)
    started = time.monotonic()
    with pytest.raises(pdf.ConversionFailed) as failed:
        pdf.convert(letter, office_handle=warm.handle, timeout=3, name="letter.docx")
    assert time.monotonic() - started < 3 + 2
    assert failed.value.code == "took-too-long" and "letter.docx" in failed.value.bn and "3 s" in failed.value.en
    assert "৩ সেকেন্ড" in failed.value.bn
    deadline = time.monotonic() + 5
    while any(pdf._alive(pid) for pid in stuck):  # killed, not left stopped
        assert time.monotonic() < deadline, "the stopped soffice was not killed"
        time.sleep(0.05)
    assert pdf.convert(letter, office_handle=warm.handle, timeout=60).startswith(b"%PDF-")
    assert warm.restarts == restarts + 1


def test_a_killed_libreoffice_is_restarted_for_the_next_conversion(built, warm):
    letter = Path(built["cc-chattogram-2023-24-q1"].outputs[0]).read_bytes()
    pdf.convert(letter, office_handle=warm.handle)
    restarts = warm.restarts
    for pid in soffice_pids(warm):
        os.kill(pid, signal.SIGKILL)
    assert pdf.convert(letter, office_handle=warm.handle, timeout=60).startswith(b"%PDF-")
    assert warm.restarts == restarts + 1
    assert pdf.convert(letter, office_handle=warm.handle, timeout=60).startswith(b"%PDF-")


def _convert_in_worker(handle, docx: bytes, queue) -> None:
    from generator.service import workers

    workers._limit_memory(600)  # as a build worker runs: LibreOffice could not start under this limit
    try:
        queue.put(("ok", pdf.page_count(pdf.convert(docx, office_handle=handle))))
    except pdf.ConversionFailed as e:
        queue.put(("failed", e.en))


@pytest.mark.parametrize("how", ["warm", "cold"])
def test_a_worker_under_a_memory_limit_converts_through_the_handle(built, tmp_path, how):
    need_libreoffice(warm=how == "warm")
    letter = Path(built["egov-mymensingh-2022-23-h1"].outputs[0]).read_bytes()
    with pdf.Office(tmp_path / "office", warm=how == "warm") as o:
        assert o.warm == (how == "warm") and o.wait_ready(120)
        ctx = mp.get_context("spawn")  # a fresh process: a fork of a long test run is already over the limit
        queue = ctx.Queue()
        worker = ctx.Process(target=_convert_in_worker, args=(o.handle, letter, queue))
        worker.start()
        answer = queue.get(timeout=180)
        worker.join(10)
    assert answer == ("ok", 1)


def test_without_an_office_each_conversion_is_cold(built):
    annex = Path(built["grs-rangpur-2023-24-q2"].outputs[1])
    assert pdf.page_count(pdf.convert(annex.read_bytes(), timeout=120)) >= 1


def test_a_cold_conversion_past_its_time_limit_fails_and_leaves_no_libreoffice(built, tmp_path, monkeypatch):
    annex = Path(built["nis-khulna-2021-22-q4"].outputs[1]).read_bytes()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # its profile and files here: other tests run beside it
    with pytest.raises(pdf.ConversionFailed) as failed:
        pdf.convert(annex, timeout=0.3)
    assert failed.value.code == "took-too-long"
    left = subprocess.run(["pgrep", "-a", "-f", f"{tmp_path}/gen-pdf-"], capture_output=True, text=True).stdout
    assert "soffice" not in left


@pytest.mark.parametrize("data", [b"", b"%PDF-1.4 not a docx", b"PK\x03\x04" + b"\0" * 100])
def test_what_is_not_a_document_fails_with_a_message(warm, data):
    with pytest.raises(pdf.ConversionFailed) as failed:
        pdf.convert(data, office_handle=warm.handle, timeout=30, name="x.docx")
    assert failed.value.code in ("not-a-document", "could-not-convert")
    assert "x.docx" in failed.value.bn and "x.docx" in failed.value.en


def test_an_installed_nikosh_is_the_font_of_the_pdf(built, tmp_path, monkeypatch):
    """A clerk's own font folder holds 'Nikosh' (here Noto Serif Bengali renamed Nikosh as fontconfig scans
    it, since Nikosh may not be shipped): the PDF then uses it, not the Noto Sans Bengali stand-in."""
    serif = Path("/usr/share/fonts/truetype/noto/NotoSerifBengali-Regular.ttf")
    if not serif.exists():
        pytest.skip("fonts-noto-core has no Noto Serif Bengali here")
    fonts_dir = tmp_path / "data" / "fonts"
    fonts_dir.mkdir(parents=True)
    (fonts_dir / "Nikosh.ttf").write_bytes(serif.read_bytes())
    config = tmp_path / "config" / "fontconfig"
    config.mkdir(parents=True)
    (config / "fonts.conf").write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><match target="scan"><test name="file" compare="contains"><string>{fonts_dir}/</string></test>
<edit name="family" mode="assign_replace"><string>Nikosh</string></edit></match></fontconfig>""")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    letter = Path(built["cc-chattogram-2023-24-q1"].outputs[0]).read_bytes()
    names = [name for name, _ in fonts(pdf.convert(letter, timeout=120), tmp_path)]
    assert any("NotoSerifBengali" in n for n in names) and not any("NotoSansBengali" in n for n in names), names


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_ctrl_c_or_a_killed_parent_stops_the_whole_libreoffice_process_group(tmp_path, how):
    """Ctrl-C leaves the `with` block; a parent terminated or killed without leaving it takes LibreOffice along."""
    need_libreoffice(warm=True)
    script = (
        "import sys, time; from pathlib import Path; from generator.documents import office, pdf\n"
        "with pdf.Office(Path(sys.argv[1])) as o:\n"
        "    assert o.wait_ready(120)\n"
        "    print(office.read_address(o.home)['pid'], flush=True)\n"
        "    time.sleep(600)\n")
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "office")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2],
                            preexec_fn=terminal_sigint)
    try:
        group = int(proc.stdout.readline())
        assert subprocess.run(["pgrep", "-g", str(group), "-f", "soffice.bin"], capture_output=True).returncode == 0
        proc.send_signal(how)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise AssertionError(f"still running 30 s after signal {how}: {proc.communicate()[1][-3000:]}") from None
        assert how != signal.SIGINT or "KeyboardInterrupt" in proc.stderr.read()
        deadline = time.monotonic() + 10
        while subprocess.run(["pgrep", "-g", str(group), "-r", "R,S,D,T"], capture_output=True).returncode == 0:
            assert time.monotonic() < deadline, "LibreOffice outlived gen"
            time.sleep(0.1)
    finally:
        proc.kill()
        proc.wait()
