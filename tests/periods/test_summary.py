"""`gen summary` and /summary: the receiving office's view of a period, over a ledger of several offices'
real builds, with real Word files opened in LibreOffice."""

from __future__ import annotations

import copy
import datetime as dt
import json
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from generator.service import batch
from generator.text import bangla
from generator.periods import summary
from generator.xlsx import filling
from generator.spec.paths import EXAMPLES_DIR, XLSX_DIR
from generator.periods.roster import RosterError, office_key, read as read_roster
from generator.web import create_app
from tests.support.office import pdf_pages, pdf_text, to_pdf
from tests.support.processes import TEST_HOSTS
from tests.support.cli import gen_here

BASE = json.loads((EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json").read_text(encoding="utf-8"))
RANGPUR, KHULNA, MYMENSINGH, SYLHET, BARISHAL, GAZIPUR = (
    "রংপুর সিটি কর্পোরেশন", "খুলনা সিটি কর্পোরেশন", "ময়মনসিংহ সিটি কর্পোরেশন", "সিলেট সিটি কর্পোরেশন",
    "বরিশাল সিটি কর্পোরেশন", "গাজীপুর সিটি কর্পোরেশন")
# Q3 of 2023-24: indicator targets ৪/৩/২ a year are due ৩/২/১; the one workshop a year is not yet due
WORKBOOKS = [  # (file, office, achievements of [১.১.১], [১.২.১], [২.১.১], [২.২.১], received (UTC))
    ("rangpur-first", RANGPUR, ["১", "১", "১", "-"], "2024-04-08T04:00:00+00:00"),
    ("khulna", KHULNA, ["২", "৩", "৩", "-"], "2024-04-15T17:59:00+00:00"),  # 23:59 on the deadline in Dhaka
    ("mymensingh", MYMENSINGH, ["১", "১", "১", "-"], "2024-04-12T04:00:00+00:00"),
    ("sylhet", SYLHET, ["৩", "৩", "৩", "১"], "2024-04-14T04:00:00+00:00"),
    ("barishal", BARISHAL, ["৩", "৩", "২", "-"], "2024-04-15T18:00:00+00:00"),  # 00:00 on 16 April in Dhaka: late
    ("rangpur-again", RANGPUR, ["৩", "৩", "৩", "১"], "2024-04-10T04:00:00+00:00"),  # a corrected report, a new memo
]


def _workbook(folder: Path, name: str, office: str, achieved: list[str]) -> Path:
    letter = dict(BASE["letter"], office_name=office, period="৩য় ত্রৈমাসিক", issue_date="১০/০৪/২০২৪", memo_serial=None)
    rows = copy.deepcopy(BASE["rows"])
    for row, value in zip(rows, achieved):
        row["achieved"] = value
    return filling.fill(XLSX_DIR / "cc.xlsx", folder / f"{name}.xlsx", letter, rows)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    """Six real builds of five offices (one office twice) into one out/state, each a ledger entry, with the
    received times set as the offices delivered them."""
    root = tmp_path_factory.mktemp("summary")
    out, state = root / "out", root / "state"
    for name, office, achieved, _ in WORKBOOKS:  # one at a time: the second Rangpur build gets the higher serial
        path = _workbook(root, name, office, achieved)
        [result] = batch.build_all([path], out_root=out, state_dir=state, jobs=1)
        assert result.status == "built", result.issues
    with sqlite3.connect(state / "register.sqlite3") as db:
        for (name, *_, received) in WORKBOOKS:
            db.execute("UPDATE files SET received_at = ? WHERE name = ?", (received, f"{name}.xlsx"))
    return root, out, state


def _roster(root: Path) -> Path:
    """UTF-16 (Excel's 'Unicode text'), a header line, blank lines, doubled spaces, and a name in NFD."""
    names = ["অফিসের নাম", "", f"  {RANGPUR.replace(' ', '  ')}", KHULNA, unicodedata.normalize("NFD", MYMENSINGH),
             SYLHET, BARISHAL, "", GAZIPUR, ""]
    path = root / "offices.txt"
    path.write_bytes("\r\n".join(names).encode("utf-16"))
    return path


def gen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=180, cwd=cwd)


def test_deadlines_follow_the_apams_calendar():
    fy = bangla.parse_fiscal_year("2023-24")
    due = {p.id: summary.deadline(fy, p) for p in bangla.PERIODS}
    assert due == {"q1": dt.date(2023, 10, 15), "q2": dt.date(2024, 1, 15), "h1": dt.date(2024, 1, 15),
                   "q3": dt.date(2024, 4, 15), "q4": dt.date(2024, 7, 15), "annual": dt.date(2024, 7, 15)}


def test_office_names_match_across_spaces_and_normalization_but_not_spelling():
    assert office_key("  ময়মনসিংহ \u00a0 সিটি\tকর্পোরেশন ") == office_key(unicodedata.normalize("NFD", MYMENSINGH))
    assert office_key("খুলনা সিটি কর্পোরেশন।") != office_key(KHULNA)
    assert office_key("Khulna") != office_key("khulna")


def test_summary_ranks_marks_late_and_missing_and_reads_back(ledger):
    root, out, state = ledger
    run = gen("summary", "--fy", "2023-24", "--period", "q3", "--kind", "cc", "--roster", _roster(root),
              "--state", state, "--out", out, "--date", "2024-04-20", "-o", root / "q3.xlsx")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    wb = load_workbook(root / "q3.xlsx")
    ws = wb["সারসংক্ষেপ"]
    assert ws.freeze_panes == "A5" and ws.auto_filter.ref.startswith("A4:")
    head = [c.value.split("\n")[1] for c in ws[4]]
    rows = [dict(zip(head, (c.value for c in r))) for r in ws.iter_rows(min_row=5)]
    got = [(r["Office"], r["Status"], r["Rank in kind"], r["Percent"]) for r in rows]
    assert got == [
        (RANGPUR, "জমা হয়েছে", 1, 100), (SYLHET, "জমা হয়েছে", 1, 100),  # a tie shares the rank
        (BARISHAL, "বিলম্বে", 3, 97.89), (KHULNA, "জমা হয়েছে", 4, 94.74), (MYMENSINGH, "জমা হয়েছে", 5, 80),
        (GAZIPUR, "জমা হয়নি", None, None),
    ]
    rangpur = rows[0]
    assert rangpur["Memo"].endswith("-৬")  # the corrected report (serial ৬), not the first one (serial ১)
    assert rangpur["Received (Dhaka)"] == dt.datetime(2024, 4, 10, 10, 0)  # a real date, Dhaka time
    assert rangpur["Score"] == 25 and rangpur["Possible"] == 25 and ws.cell(5, 7).data_type == "n"
    assert not Path(rangpur["Documents"]).is_absolute()  # no server path in a file handed to people
    assert (Path(out) / rangpur["Documents"]).is_dir() and "versions" in rangpur["Documents"]
    assert rows[2]["Note"] == "শেষ তারিখের পরে জমা" and rows[3]["Note"] is None
    assert rows[-1]["Warnings"] is None and rows[-1]["Memo"] is None

    per = wb["সূচক cc"]
    head = [c.value.split("\n")[-1] for c in per[4]]
    indicators = {r[0].value: dict(zip(head, (c.value for c in r))) for r in per.iter_rows(min_row=5)}
    # [১.১.১] (weight ১০, ৩ due): Khulna and Mymensingh fell short; as many missed [২.১.১], so plan order decides
    assert [per.cell(r, 1).value for r in (5, 6)] == ["[১.১.১]", "[২.১.১]"]
    assert indicators["[১.১.১]"]["Counted"] == 5 and indicators["[১.১.১]"]["Full marks"] == 3
    assert indicators["[১.১.১]"]["Missed"] == 2 and indicators["[১.২.১]"]["Missed"] == 1
    # the workshop is not yet due: counted only where it was held
    assert indicators["[২.২.১]"]["Counted"] == 2 and indicators["[২.২.১]"]["Missed"] == 0
    workshop = next([c.value for c in r] for r in per.iter_rows(min_row=5) if r[0].value == "[২.২.১]")
    assert workshop[7:].count("-") == 3 and workshop[7:].count(6) == 2  # per office: not counted, or full marks


def test_offices_not_on_the_roster_are_said_so(ledger, tmp_path):
    root, out, state = ledger
    roster = tmp_path / "roster.csv"
    roster.write_text(f"office,district\n{KHULNA},খুলনা\n{SYLHET},সিলেট\n", encoding="utf-8-sig")
    run = gen("summary", "--fy", "2023-24", "--period", "৩য় ত্রৈমাসিক", "--roster", roster, "--state", state,
              "--out", out)
    assert run.returncode == 0, run.stderr
    assert RANGPUR in run.stderr and "not on the roster" in run.stderr  # listed, and the officer told


@pytest.mark.parametrize("content, says", [
    (b"\xef\xbb\xbf" + b"x" * (2 * 2**20), "too large"),
    ("খুলনা".encode("utf-8") + b"\n\xe0\xa6\n", "line 2"),  # a broken UTF-8 sequence on line 2
    (b"\n\n", "names no office"),
    # found by a hostile run: each was read as an office (or two offices as one) and the tally was wrong
    ("PÆMÖvg wmwU K‡c©v‡ikb\n".encode("utf-8"), "line 1: 'PÆMÖvg wmwU K‡c©v‡ikb' looks typed in Bijoy"),
    (f'"{RANGPUR}\n{KHULNA}\n'.encode("utf-8"), "line 1: a name runs over more than one line"),
    (f"ক্রমিক\n১\n{KHULNA}\n".encode("utf-8"), "line 2: '১' is not an office's name"),
])
def test_a_hostile_roster_gets_a_message_not_a_traceback(ledger, tmp_path, content, says):
    root, out, state = ledger
    roster = tmp_path / ("roster.csv" if content.startswith(b'"') else "roster.txt")
    roster.write_bytes(content)
    run = gen("summary", "--fy", "2023-24", "--period", "q3", "--roster", roster, "--state", state, "--out", out,
              "-o", tmp_path / "s.xlsx")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert says in run.stderr and "অফিসের তালিকা" in run.stderr and str(roster) in run.stderr
    assert not (tmp_path / "s.xlsx").exists()


def test_a_unicode_text_roster_is_read_from_its_first_column(tmp_path):
    """Found by a re-attack: Excel's 'Unicode text' (UTF-16, a tab between columns) with a code column read
    'চট্টগ্রাম সিটি কর্পোরেশন ৪১' as the name, so the office that reported was also 'not submitted'."""
    path = tmp_path / "roster.txt"
    path.write_bytes(f"অফিসের নাম\tকোড\r\n{KHULNA}\t৪১\r\n{SYLHET}\t৪২\r\n".encode("utf-16"))
    assert read_roster(path) == [KHULNA, SYLHET]


def test_a_semicolon_csv_and_a_numbered_list_give_the_offices_names(tmp_path):
    """Found by a hostile run: a CSV saved where ',' is the decimal mark (';' between columns) gave
    'খুলনা সিটি কর্পোরেশন;৪১' as a name, a list numbered by hand gave '১. খুলনা…', and a title line 'অফিসের তালিকা:'
    was an office: each printed in the summary letter as an office that did not report."""
    semicolons = tmp_path / "roster.csv"
    semicolons.write_text(f"অফিসের নাম;কোড\n{KHULNA};৪১\n\n{SYLHET};৪২\n", encoding="utf-8")
    assert read_roster(semicolons) == [KHULNA, SYLHET]
    numbered = tmp_path / "roster.txt"
    numbered.write_text(f"অফিসের তালিকা:\n১. {KHULNA}\n(২) {SYLHET}\n3) {RANGPUR}\n১০।{KHULNA}\n", encoding="utf-8")
    assert read_roster(numbered) == [KHULNA, SYLHET, RANGPUR]
    kept = tmp_path / "kept.txt"  # a number that is part of the name stays
    kept.write_text("২ নং ওয়ার্ড কাউন্সিলরের কার্যালয়\n৭. নং ওয়ার্ড কাউন্সিলরের কার্যালয়\n", encoding="utf-8")
    assert read_roster(kept) == ["২ নং ওয়ার্ড কাউন্সিলরের কার্যালয়", "৭. নং ওয়ার্ড কাউন্সিলরের কার্যালয়"]
    # a re-attack: names with a comma in a semicolon CSV, and a ';' in a name of a comma CSV
    commas = tmp_path / "commas.csv"
    commas.write_text(f"অফিসের নাম;জেলা\nজেলা প্রশাসকের কার্যালয়, খুলনা;খুলনা\n{KHULNA};খুলনা\n", encoding="utf-8")
    assert read_roster(commas) == ["জেলা প্রশাসকের কার্যালয়, খুলনা", KHULNA]
    semicolon = tmp_path / "semicolon.csv"
    semicolon.write_text(f"শিক্ষা; গবেষণা কেন্দ্র\n{KHULNA}\n", encoding="utf-8")
    assert read_roster(semicolon) == ["শিক্ষা; গবেষণা কেন্দ্র", KHULNA]


def test_a_roster_workbook_is_read_from_its_first_column(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    for row in (["দপ্তর"], [KHULNA, "x"], [None], [f" {SYLHET} "]):
        wb.active.append(row)
    wb.save(tmp_path / "r.xlsx")
    assert read_roster(tmp_path / "r.xlsx") == [KHULNA, SYLHET]
    for cells, says in ((["দপ্তর", KHULNA, '="সিলেট "&"সিটি কর্পোরেশন"'], "r2.xlsx Sheet!A3: this cell holds a formula"),
                        (["দপ্তর", True], "r2.xlsx Sheet!A2: this cell holds a date or a true/false value")):
        wb = Workbook()  # openpyxl saves a formula without its value, as a program that does not calculate
        for value in cells:
            wb.active.append([value])
        wb.save(tmp_path / "r2.xlsx")
        with pytest.raises(RosterError) as e:
            read_roster(tmp_path / "r2.xlsx")
        assert says in e.value.en and "Sheet!A" in e.value.bn
    wb = Workbook()  # a formula that came to "" as Excel saves it (t="str", an empty <v>): a result, not refused
    for value in ("দপ্তর", KHULNA, '=IF(B3="","",B3)'):
        wb.active.append([value])
    wb.save(tmp_path / "r3.xlsx")
    _rewrite_part(tmp_path / "r3.xlsx", "xl/worksheets/sheet1.xml", b'<c r="A3">', b'<c r="A3" t="str">')
    assert read_roster(tmp_path / "r3.xlsx") == [KHULNA]
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(RosterError) as e:
        read_roster(tmp_path / "bad.xlsx")
    assert "bad.xlsx" in e.value.bn and "bad.xlsx" in e.value.en


def _rewrite_part(path: Path, part: str, old: bytes, new: bytes) -> None:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data.replace(old, new) if info.filename == part else data)
    path.write_bytes(out.getvalue())


def _letter(path: Path, **changes) -> Path:
    letter = {"office_name": "স্থানীয় সরকার বিভাগ", "office_unit": "সিটি কর্পোরেশন-২ শাখা",
              "office_address": "বাংলাদেশ সচিবালয়, ঢাকা।", "memo_prefix": "৪৬.০০.০০০০.০৬৩.১৮.০০১.২৪",
              "issue_date": "২০/০৪/২০২৪", "recipient": "সচিব\nমন্ত্রিপরিষদ বিভাগ\nবাংলাদেশ সচিবালয়, ঢাকা।",
              "signatory_name": "মোঃ রফিকুল ইসলাম", "signatory_designation": "উপসচিব",
              "annex_signatories": "মোঃ রফিকুল ইসলাম, উপসচিব\nনাসরিন আক্তার, সিনিয়র সহকারী সচিব", **changes}
    return filling.fill(XLSX_DIR / "cc.xlsx", path, letter, [])


def test_the_document_is_a_letter_then_a_landscape_annex_and_opens_in_libreoffice(ledger, tmp_path, office):
    root, out, state = ledger
    letter = _letter(tmp_path / "letter.xlsx")
    before = letter.read_bytes()
    run = gen("summary", "--fy", "2023-24", "--period", "q3", "--kind", "cc", "--roster", _roster(root),
              "--state", state, "--out", out, "--letter", letter, "--date", "2024-04-20", "-o", tmp_path / "q3")
    assert run.returncode == 0, run.stderr
    assert letter.read_bytes() == before  # the original is never changed
    assert (tmp_path / "q3.xlsx").exists()
    assert "৪৬.০০.০০০০.০৬৩.১৮.০০১.২৪-১" in run.stdout  # the register's first serial under this prefix
    again = gen("summary", "--fy", "2023-24", "--period", "q3", "--kind", "cc", "--roster", _roster(root),
                "--state", state, "--out", out, "--letter", letter, "--date", "2024-04-20", "-o", tmp_path / "q3b.docx")
    assert "০০১.২৪-১" in again.stdout  # the same summary again keeps its number

    pdf = to_pdf(tmp_path / "q3.docx", tmp_path, office)
    sizes = pdf_pages(pdf)
    assert sizes[0][0] < sizes[0][1] and sizes[-1][0] > sizes[-1][1]  # the letter portrait, the annex landscape
    text = pdf_text(pdf)
    for expected in ("স্থানীয় সরকার বিভাগ", "সমন্বিত সারসংক্ষেপ প্রেরণ প্রসঙ্গে", "৭ বৈশাখ ১৪৩১", "২০ এপ্রিল ২০২৪",
                     "মোট ৬টি প্রতিবেদনের মধ্যে ৪টি যথাসময়ে ও ১টি বিলম্বে জমা হয়েছে এবং ১টি জমা হয়নি",
                     "জমার শেষ তারিখ: ১৫ এপ্রিল ২০২৪", "৯৪.৭৪%", "বিলম্বে", "জমা হয়নি", GAZIPUR, "নাসরিন আক্তার"):
        assert expected in " ".join(text.split()), expected
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) == len(sizes)


def test_a_letter_sheet_with_errors_names_the_cell(ledger, tmp_path):
    root, out, state = ledger
    letter = _letter(tmp_path / "letter.xlsx", recipient=None, period="১ম ত্রৈমাসিক")
    run = gen("summary", "--fy", "2023-24", "--period", "q3", "--state", state, "--out", out, "--letter", letter,
              "-o", tmp_path / "s.docx")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "পত্র!C" in run.stderr and "missing-field" in run.stderr and "recipient" in run.stderr.lower()
    assert not (tmp_path / "s.docx").exists()


def test_bad_options_are_usage_errors(ledger, tmp_path):
    root, out, state = ledger
    for args in (["--fy", "2023", "--period", "q3"], ["--fy", "2023-24", "--period", "q5"],
                 ["--fy", "2023-24", "--period", "q3", "--kind", "minutes"],
                 ["--fy", "2023-24", "--period", "q2", "--kind", "egov"],  # e-governance reports h1 and annual only
                 ["--fy", "2023-24", "--period", "annual", "--kind", "nis"]):
        run = gen("summary", *args, "--state", state)
        assert run.returncode == 2 and "Traceback" not in run.stderr and "✘" in run.stderr
    run = gen("summary", "--fy", "2023-24", "--period", "q2", "--kind", "egov", "--state", state)
    assert "period-not-for-kind" in run.stderr or "its periods: h1, annual" in run.stderr, run.stderr


def test_the_summary_page_filters_and_offers_both_downloads(ledger):
    root, out, state = ledger
    app = create_app(out_root=out, state_dir=state, token="s3cret", hosts=TEST_HOSTS)
    with TestClient(app) as c:
        assert c.get("/summary?fiscal_year=2023-24&period=q3", follow_redirects=False).status_code == 303
        auth = {"authorization": "Bearer s3cret"}
        page = c.get("/summary?fiscal_year=2023-24&period=q3&kind=cc", headers=auth)
        assert page.status_code == 200
        html = page.text
        for office in (RANGPUR, KHULNA, MYMENSINGH, SYLHET, BARISHAL):
            assert office in html
        assert html.index(RANGPUR) < html.index(BARISHAL) < html.index(KHULNA) < html.index(MYMENSINGH)
        assert "বিলম্বে" in html and "১৫ এপ্রিল ২০২৪" in html
        assert "/summary.xlsx?fiscal_year=2023-24&amp;period=q3&amp;kind=cc" in html
        other = c.get("/summary?fiscal_year=2023-24&period=q1", headers=auth).text
        assert RANGPUR not in other and "No report of this period" in other
        xlsx = c.get("/summary.xlsx?fiscal_year=2023-24&period=q3&kind=cc", headers=auth)
        assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
        assert "summary-2023-24-q3-cc.xlsx" in xlsx.headers["content-disposition"]
        docx = c.get("/summary.docx?fiscal_year=2023-24&period=q3", headers=auth)
        assert docx.status_code == 200 and b"word/document.xml" in docx.content
        assert c.get("/summary.pdf?fiscal_year=2023-24&period=q3", headers=auth).status_code == 404
        assert c.get("/summary.xlsx?fiscal_year=nonsense", headers=auth).status_code == 404


def test_an_issued_summary_letter_is_not_written_over(ledger, tmp_path):
    root, out, state = ledger
    letter = _letter(tmp_path / "letter.xlsx")
    target = tmp_path / "s.docx"
    target.write_bytes(b"the letter sent last week")
    run = gen("summary", "--fy", "2023-24", "--period", "q3", "--state", state, "--out", out, "--letter", letter,
              "-o", target)
    assert run.returncode == 2 and "--force" in run.stderr and target.read_bytes() == b"the letter sent last week"


def test_a_summary_made_another_day_is_another_document_with_its_own_memo(ledger, tmp_path):
    """Before: the day a summary is made (--date) was not part of its content when the letter typed its
    issue_date, so the same memo was printed on two documents whose tables said "prepared on" two days."""
    root, out, state = ledger
    letter = _letter(tmp_path / "letter.xlsx", memo_prefix="৪৬.০০.০০০০.০৬৩.১৮.০০২.২৪")
    runs = [gen("summary", "--fy", "2023-24", "--period", "q3", "--kind", "cc", "--roster", _roster(root),
                "--state", state, "--out", out, "--letter", letter, "--date", day, "-o", tmp_path / f"{i}.docx")
            for i, day in enumerate(("2024-04-20", "2024-04-25", "2024-04-20"))]
    assert all(run.returncode == 0 for run in runs), [run.stderr for run in runs]
    assert ["০০২.২৪-১" in runs[0].stdout, "০০২.২৪-২" in runs[1].stdout, "০০২.২৪-১" in runs[2].stdout] == [True] * 3


def test_a_summary_letter_made_meanwhile_at_the_same_name_is_never_replaced(ledger, tmp_path):
    """Found by trying: two `gen summary --letter` at once on one -o both passed the "already there?" check made
    before the memo is taken; both memos were issued and one letter replaced the other on disk. Now the letter is
    written only where no file is, and the memo of the one that finds a file goes back to the register."""
    from generator.periods import summarizing
    from generator.periods.summarizing import Unusable
    from generator.records.register import Register

    root, out, state = ledger
    prefix = "৪৬.০০.০০০০.০৬৩.১৮.০০৯.২৪"
    target = tmp_path / "s.docx"
    asked = summarizing.asked("2023-24", "q3", letter=_letter(tmp_path / "letter.xlsx", memo_prefix=prefix),
                              outputs=(target,), today=dt.date(2024, 4, 20))
    found = summarizing.collect(asked, state_dir=state, out_root=out)
    target.write_bytes(b"the other summary's letter, issued a moment ago")  # after the check, before the write
    with pytest.raises(Unusable) as refused:
        summarizing.write(asked, found, state_dir=state)
    assert refused.value.code == "output-exists" and target.read_bytes().startswith(b"the other summary")
    with Register(state) as register:
        assert [e for e in register.entries() if e.prefix == prefix] == []  # its memo went back


def test_gen_summary_tells_a_letter_made_meanwhile_at_its_name_without_a_traceback(ledger, tmp_path, monkeypatch,
                                                                                    capsys):
    """The same race through the command line: a message in Bangla and English and exit 2, not a traceback."""
    from generator import cli
    from generator.periods import summarizing

    root, out, state = ledger
    target = tmp_path / "s.docx"
    collect = summarizing.collect

    def collect_then_another_writes(*args, **kwargs):  # the other gen summary writes its letter meanwhile
        found = collect(*args, **kwargs)
        target.write_bytes(b"the other summary's letter")
        return found

    monkeypatch.setattr(summarizing, "collect", collect_then_another_writes)
    code = cli._summary("2023-24", "q3", kind=None, roster=None, state_dir=state, out_root=out,
                        letter=_letter(tmp_path / "letter.xlsx", memo_prefix="৪৬.০০.০০০০.০৬৩.১৮.০০৮.২৪"),
                        today=dt.date(2024, 4, 20), outputs=(target,), force=False)
    err = capsys.readouterr().err
    assert code == 2 and "আগে থেকেই আছে" in err and "already exists" in err
    assert target.read_bytes() == b"the other summary's letter"


def test_a_summary_never_writes_over_a_file_without_force_nor_over_a_record_even_with_it(ledger, tmp_path):
    """Found by a hostile run: without --letter, -o replaced whatever was there, rc 0: the issued summary letter
    (its memo still in the register), a built office letter in versions/, the office's own workbook."""
    root, out, state = ledger
    built = next(out.rglob("versions/*/*-letter.docx"))
    current = next(p for p in out.rglob("*-letter.docx") if "versions" not in p.parts)
    issued = tmp_path / "issued.docx"
    issued.write_bytes(b"the summary letter issued last week")
    register = state / "register.sqlite3"
    kept = {p: p.read_bytes() for p in (built, current, issued, register)}
    beside_register = state / "x.xlsx"
    beside_register.write_bytes(b"x")
    for target, force, record in ((issued, False, False), (built, False, True), (built, True, True),
                                  (current, True, True), (beside_register, True, True)):
        run = gen_here("summary", "--fy", "2023-24", "--period", "q3", "--state", state, "--out", out, "-o", target,
                  *(["--force"] if force else []))
        assert run.returncode == 2 and "Traceback" not in run.stderr, (target, run.stdout, run.stderr)
        said = "not even with --force" if record else "or --force to replace it"
        assert said in run.stderr and "লেখা হয়নি" in run.stderr, (target, run.stderr)
    assert {p: p.read_bytes() for p in kept} == kept and beside_register.read_bytes() == b"x"
    fresh = gen_here("summary", "--fy", "2023-24", "--period", "q3", "--state", state, "--out", out, "-o", tmp_path / "s")
    assert fresh.returncode == 0 and (tmp_path / "s.xlsx").exists() and (tmp_path / "s.docx").exists()
    again = gen_here("summary", "--fy", "2023-24", "--period", "q3", "--state", state, "--out", out, "-o", tmp_path / "s",
                "--force")
    assert again.returncode == 0, again.stderr  # a summary of one's own, replaced when asked


def test_a_mistyped_state_folder_is_told_and_never_starts_a_register(ledger, tmp_path):
    """Before: a --state that did not exist made a fresh register, every office 'not submitted' and the letter
    memo ...-১ issued a second time, rc 0."""
    root, out, state = ledger
    letter = _letter(tmp_path / "letter.xlsx")
    typo = tmp_path / "state-typo"
    run = gen_here("summary", "--fy", "2023-24", "--period", "q3", "--state", typo, "--out", out, "--letter", letter,
              "-o", tmp_path / "s.docx")
    assert run.returncode == 3 and "--state" in run.stderr and "রেজিস্টার নেই" in run.stderr, run.stderr
    assert not typo.exists() and not (tmp_path / "s.docx").exists()
    emptied = tmp_path / "emptied"  # an empty file where the register was (a re-attack: set up as a new one)
    emptied.mkdir()
    (emptied / "register.sqlite3").write_bytes(b"")
    run = gen_here("summary", "--fy", "2023-24", "--period", "q3", "--state", emptied, "--out", out)
    assert run.returncode == 3 and (emptied / "register.sqlite3").stat().st_size == 0


def test_a_letter_asked_without_a_document_to_write_it_to_is_a_usage_error(ledger, tmp_path):
    root, out, state = ledger
    for outputs in ((), ("-o", tmp_path / "only.xlsx")):
        run = gen_here("summary", "--fy", "2023-24", "--period", "q3", "--state", state, "--out", out, "--letter",
                  _letter(tmp_path / "letter.xlsx"), *outputs)
        assert run.returncode == 2 and "give one with -o" in run.stderr and ".docx-এ" in run.stderr, run.stderr
    assert not (tmp_path / "only.xlsx").exists()


def test_an_office_named_with_its_ministrys_line_is_pointed_to_its_roster_name(tmp_path):
    """Found by a hostile run: a ministry line typed into office_name (before office_parents existed) makes
    another office than the roster's; the warning now says which roster office it may be, and where the line
    belongs."""
    path = _workbook(tmp_path, "two-lines", f"স্থানীয় সরকার বিভাগ\n{KHULNA}", ["১", "১", "১", "-"])
    [result] = batch.build_all([path], out_root=tmp_path / "out", state_dir=tmp_path / "state", jobs=1)
    assert result.status == "built", result.issues
    roster = tmp_path / "roster.txt"
    roster.write_text(f"{KHULNA}\n", encoding="utf-8")
    run = gen_here("summary", "--fy", "2023-24", "--period", "q3", "--roster", roster, "--state", tmp_path / "state",
              "--out", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert f"Is it the roster's '{KHULNA}'?" in run.stderr and "office_parents" in run.stderr


def test_a_letter_sheet_refused_leaves_no_workbook_in_the_way_of_the_next_try(ledger, tmp_path):
    """Found by a review: -o q2 --letter with a bad letter sheet wrote q2.xlsx, then failed; the corrected run was
    refused for q2.xlsx, and --force is also what lets an issued letter be replaced."""
    root, out, state = ledger
    bad = _letter(tmp_path / "bad.xlsx", memo_prefix=None)
    run = gen_here("summary", "--fy", "2023-24", "--period", "q3", "--state", state, "--out", out, "--letter", bad,
              "-o", tmp_path / "q2")
    assert run.returncode == 1 and not (tmp_path / "q2.xlsx").exists() and not (tmp_path / "q2.docx").exists()
    again = gen_here("summary", "--fy", "2023-24", "--period", "q3", "--state", state, "--out", out, "--letter",
                _letter(tmp_path / "good.xlsx"), "-o", tmp_path / "q2")
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "q2.xlsx").exists() and (tmp_path / "q2.docx").exists()


def test_khanda_ta_typed_either_way_is_one_office_in_the_summary(tmp_path):
    """Found by a hostile run: an office that typed বিদ্যুৎ (U+09CE) and a roster with ত, hasanta, joiner (khanda
    ta before Unicode 4.1) were one office 'late' and one 'not submitted'."""
    path = _workbook(tmp_path, "khanda", "বিদ্যুৎ বিভাগ", ["১", "১", "১", "-"])
    [result] = batch.build_all([path], out_root=tmp_path / "out", state_dir=tmp_path / "state", jobs=1)
    assert result.status == "built", result.issues
    roster = tmp_path / "roster.txt"
    roster.write_text("বিদ্যুত\u09cd\u200d বিভাগ\n", encoding="utf-8")
    run = gen_here("summary", "--fy", "2023-24", "--period", "q3", "--roster", roster, "--state", tmp_path / "state",
              "--out", tmp_path / "out")
    assert run.returncode == 0 and "not on the roster" not in run.stderr and "জমা হয়নি" not in run.stdout, run


def test_a_roster_of_the_most_offices_may_have_its_header_line(tmp_path):
    """Found by a hostile run: 5000 offices (the most a roster names) under a header line were refused as more
    than 5000; one more office still is."""
    from generator.text.bangla import to_bangla_digits

    names = [f"অফিস নং ক{to_bangla_digits(i)}" for i in range(5000)]
    path = tmp_path / "roster.txt"
    path.write_text("অফিসের নাম\n" + "\n".join(names) + "\n", encoding="utf-8")
    assert read_roster(path) == names
    path.write_text("অফিসের নাম\n" + "\n".join(names + ["অফিস নং খ"]) + "\n", encoding="utf-8")
    with pytest.raises(Exception, match="more than 5000"):
        read_roster(path)


def test_a_summary_letter_whose_separator_the_register_keeps_otherwise_is_told_so(ledger, tmp_path):
    """Found by a hostile run: gen build warns memo-separator-kept when the register keeps another separator for the
    prefix than the one typed; the summary letter printed the register's without a word."""
    from tests.support.docx import docx_text

    root, out, state = ledger
    state_copy = tmp_path / "state"
    import shutil

    shutil.copytree(state, state_copy)
    prefix = "৪৬.০০.০০০০.০৬৩.১৮.০০১.২৯"
    runs = []
    for name, separator in (("dot", "."), ("dash", "-")):
        letter = _letter(tmp_path / f"{name}.xlsx", memo_prefix=prefix, memo_separator=separator)
        runs.append(gen_here("summary", "--fy", "2023-24", "--period", "q3", "--kind", "cc", "--state", state_copy,
                             "--out", out, "--letter", letter, "--date", "2024-04-20", "-o", tmp_path / f"{name}.docx"))
        assert runs[-1].returncode == 0, runs[-1].stderr
    assert "memo-separator-kept" not in runs[0].stderr
    assert "memo-separator-kept" in runs[1].stderr and "dash.xlsx পত্র!C" in runs[1].stderr, runs[1].stderr
    assert f"স্মারক: {prefix}.২" in docx_text(tmp_path / "dash.docx")
