"""`gen next`: next period's workbook from every example and every period of its kind, built after the clerk's
update (and warned about when left as carried); the command, the web button, and the workbook opened in LibreOffice."""

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from generator.text import bangla
from generator.spec import carried
from generator.xlsx import package
from generator.xlsx import reading
from generator.xlsx.errors import WorkbookError
from generator.spec import kinds
from generator.periods import next_period
from generator.service import pipeline
from generator.spec.paths import EXAMPLES_DIR
from generator.web import create_app
from tests.support.office import soffice
from tests.support.processes import TEST_HOSTS
from tests.support.cli import gen_here

PLAN_EXAMPLES = [p for p in sorted(EXAMPLES_DIR.glob("*.xlsx")) if not p.name.startswith("minutes")]
CASES = [(p, period) for p in PLAN_EXAMPLES
         for period in kinds.get(json.loads(p.with_suffix(".json").read_text())["kind"]).periods]
PLAN_KEYS = ("area_no", "area", "area_weight", "activity_no", "activity", "indicator_no", "indicator", "unit",
             "counting", "weight", "responsible")
LETTER_KEPT = ("office_name", "office_unit", "office_address", "office_website", "office_phone", "office_fax",
               "office_email", "letterhead_slogan", "memo_prefix", "recipient", "attention", "signatory_name",
               "signatory_designation", "signatory_phone", "signatory_email", "copies", "annex_signatories",
               "attachment_count", "attachment_unit", "plan_total")
LETTER_BLANK = ("memo_serial", "issue_date", "reference", "subject", "body", "self_total")
EXPECTED = {"q1": "q2", "q2": "q3", "q3": "q4", "h1": "annual"}


def _letter_row(ws, key):
    return next(r[0].row for r in ws.iter_rows(max_col=1) if r[0].value == key)


def variant(example: Path, period_id: str, tmp_path: Path) -> Path:
    """The example with its period cell set to `period_id`; a cc example, which reports in words, gets the
    80% target as its achievement so that there is something to carry."""
    wb = load_workbook(example)
    letter = wb[wb.sheetnames[0]]
    letter.cell(_letter_row(letter, "period"), 3, bangla.parse_period(period_id).name)
    plan = wb["কর্মপরিকল্পনা"]
    columns = {c.value: c.column for c in plan[1] if c.value}
    if example.name.startswith("cc-"):
        for r in range(4, plan.max_row + 1):
            if plan.cell(r, columns["target_80"]).value:
                plan.cell(r, columns["achieved"], plan.cell(r, columns["target_80"]).value)
    path = tmp_path / f"{example.stem}-{period_id}.xlsx"
    wb.save(path)
    return path


def examined(path: Path):
    e = pipeline.examine(path)
    assert e.report is not None, e.result.issues
    return e


def _text(row, key):
    return row.cells[key].text.strip() if key in row.cells else ""


def _period_end(fy, period):
    return bangla.period_span(period, fy)[1]


def updated(path: Path, made: next_period.Next, source_rows, tmp_path: Path) -> Path:
    """What a clerk does: every carried achievement changed (the first deleted), targets and achievements
    written for a new year, this quarter's achievement written (nis)."""
    wb = load_workbook(path)
    plan = wb["কর্মপরিকল্পনা"]
    columns = {c.value: c.column for c in plan[1] if c.value}
    for n, ref in enumerate(made.carried):
        cell = plan[ref]
        unit = plan.cell(cell.row, columns["unit"]).value if "unit" in columns else ""
        new = None if n == 0 else "৯৭.৫%" if unit == "%" else \
            _period_end(made.fiscal_year, made.period).strftime("%d/%m/%Y") if unit == "তারিখ" else \
            ("১২" if str(cell.value) == "১১" else "১১")
        cell.value = new
    quarter = made.period.quarters[0]
    for i, row in enumerate(source_rows):
        r = 4 + i
        for key, value in row.cells.items():
            if made.rollover and key in next_period.TARGETS + next_period.ACHIEVEMENTS \
                    or key == f"q{quarter}_achieved" and "q1_target" in columns:
                plan.cell(r, columns[key], value.raw)
    out = tmp_path / "updated.xlsx"
    wb.save(out)
    return out


def warned(result) -> set[str]:
    return {f.cell for f in result.issues if f.code == "carried-unchanged"}


@pytest.mark.parametrize("example, period_id", CASES, ids=[f"{p.stem}-{q}" for p, q in CASES])
def test_next_from_every_example_and_period(example, period_id, tmp_path):
    source = variant(example, period_id, tmp_path)
    before = source.read_bytes()
    _, made = next_period.write(source, tmp_path / "next.xlsx")
    assert source.read_bytes() == before  # the office's file is only read
    old, new = examined(source).report, examined(tmp_path / "next.xlsx").report
    kind = old.kind

    rollover = period_id not in EXPECTED or EXPECTED[period_id] not in kind.periods
    assert new.kind is kind and made.rollover == rollover
    assert new.period.id == (kind.periods[0] if rollover else EXPECTED[period_id])
    assert new.fiscal_year.start == old.fiscal_year.start + rollover and new.fiscal_year.short == old.fiscal_year.short
    for key in LETTER_KEPT:
        assert new.get(key) == old.get(key), key
    for key in LETTER_BLANK:
        assert new.get(key) == "", key

    assert len(new.rows) == len(old.rows)
    quarter = new.period.quarters[0]
    expected_carried = []
    for a, b in zip(old.rows, new.rows):
        for key in PLAN_KEYS:
            assert _text(b, key) == _text(a, key), (b.row, key)
        for key in ("remarks", "evidence", "self_score"):
            assert key not in b.cells
        for key in next_period.TARGETS:
            assert _text(b, key) == ("" if rollover else _text(a, key)), (b.row, key)
        for q in range(1, 5):
            kept = not rollover and q < quarter
            assert _text(b, f"q{q}_achieved") == (_text(a, f"q{q}_achieved") if kept else ""), (b.row, q)
        assert _text(b, "achieved") == ("" if rollover else _text(a, "achieved"))
        if not rollover and "achieved" in a.cells and a.value("achieved").date is None:
            expected_carried.append(b.refs["achieved"])
    assert made.carried == expected_carried
    if not rollover and kind.id != "nis":
        assert made.carried, "something to carry in every same-year plan example"

    state, out = tmp_path / "state", tmp_path / "out"
    when = _period_end(made.fiscal_year, made.period) + dt.timedelta(days=10)
    if not rollover:
        left = pipeline.build(tmp_path / "next.xlsx", out_root=out, state_dir=state, default_date=when, today=when)
        assert left.status == "built", [(f.code, f.cell) for f in left.issues if f.severity == "error"]
        assert warned(left) == set(made.carried)
        for f in left.issues:
            if f.code == "carried-unchanged":
                assert f.severity == "warning" and f.sheet == "কর্মপরিকল্পনা"
                assert "আগের প্রতিবেদনের অর্জন অপরিবর্তিত" in f.bn and "unchanged" in f.en
    done = pipeline.build(updated(tmp_path / "next.xlsx", made, old.rows, tmp_path), out_root=out, state_dir=state,
                          default_date=when, today=when)
    assert done.status == "built", [(f.code, f.cell, f.en) for f in done.issues if f.severity == "error"]
    assert warned(done) == set() and done.period == new.period.id


def test_the_next_workbook_is_marked_and_records_what_it_carried(tmp_path):
    _, made = next_period.write(EXAMPLES_DIR / "grs-rangpur-2023-24-q2.xlsx", tmp_path / "next.xlsx")
    wb = load_workbook(tmp_path / "next.xlsx")
    plan = wb["কর্মপরিকল্পনা"]
    for ref in made.carried:
        assert plan[ref].fill.fgColor.rgb.endswith("F4B183") and "আগের প্রতিবেদন" in plan[ref].comment.text
        assert "Carried from the previous report" in plan[ref].comment.text
    others = [c for row in plan.iter_rows(min_row=4) for c in row if c.coordinate not in made.carried]
    assert not any(c.fill.fgColor.rgb.endswith("F4B183") for c in others)
    assert wb[carried.CARRIED_SHEET].sheet_state == "veryHidden"
    assert wb.active.title == "কর্মপরিকল্পনা"
    raw = reading.read(tmp_path / "next.xlsx")
    assert len(raw.carried) == len(made.carried) and raw.carried[0].from_period == "2023-24 q2"


def test_the_hidden_record_does_not_change_the_content_hash_and_the_memo_is_reused(tmp_path, state, out):
    next_period.write(EXAMPLES_DIR / "rti-rangpur-2023-24-q2.xlsx", tmp_path / "next.xlsx")
    wb = load_workbook(tmp_path / "next.xlsx")
    del wb[carried.CARRIED_SHEET]
    wb.save(tmp_path / "plain.xlsx")
    with_record, without = reading.read(tmp_path / "next.xlsx"), reading.read(tmp_path / "plain.xlsx")
    assert with_record.carried and not without.carried
    assert pipeline.content_hash(with_record) == pipeline.content_hash(without)
    when = dt.date(2024, 4, 10)
    first = pipeline.build(tmp_path / "next.xlsx", out_root=out, state_dir=state, default_date=when, today=when)
    again = pipeline.build(tmp_path / "plain.xlsx", out_root=out, state_dir=state, default_date=when, today=when)
    assert first.status == again.status == "built" and again.memo == first.memo and again.memo_reused
    assert warned(first) and not warned(again)  # the record alone tells what was carried


def _with_record(tmp_path, name, rows):
    next_period.write(EXAMPLES_DIR / "grs-rangpur-2023-24-q2.xlsx", tmp_path / "next.xlsx", force=True)
    wb = load_workbook(tmp_path / "next.xlsx")
    ws = wb[carried.CARRIED_SHEET]
    for row in rows:
        for ref, value in row.items():
            ws[ref] = value
    wb.save(tmp_path / name)
    return tmp_path / name


def test_a_hostile_record_is_ignored_or_refused_never_a_crash(tmp_path):
    junk = _with_record(tmp_path, "junk.xlsx", [
        {"A2": 42, "D2": -5, "E2": "x" * 30000}, {"A3": "achieved", "B3": None, "C3": None, "D3": 10**9},
        {"A4": "achieved", "B4": "[৯.৯.৯]", "C4": "no such row", "D4": 1, "E4": 1}, {"D5": "one"}])
    result = pipeline.examine(junk).result
    assert result.status == "valid" and warned(result) == {"P8", "P9"}  # the two records left as gen wrote them
    no_header = _with_record(tmp_path, "header.xlsx", [{"A1": "something else"}])
    assert not warned(pipeline.examine(no_header).result)
    far = _with_record(tmp_path, "far.xlsx", [{"XFD1048576": "far"}])
    with pytest.raises(WorkbookError) as e:
        package.check(far)
    assert e.value.code == "far-cell"
    refused = pipeline.examine(far).result
    assert refused.status == "rejected" and refused.issues[0].code == "far-cell"


def _gen(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "generator.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_the_command(tmp_path):
    done = _gen("next", EXAMPLES_DIR / "rti-rangpur-2023-24-q2.xlsx", "-o", tmp_path / "q3.xlsx")
    assert done.returncode == 0 and "৩য় ত্রৈমাসিক" in done.stdout and "P4" in done.stdout
    assert examined(tmp_path / "q3.xlsx").report.period.id == "q3"
    default = _gen("next", EXAMPLES_DIR / "nis-khulna-2021-22-q4.xlsx", cwd=tmp_path)
    assert default.returncode == 0 and (tmp_path / "nis-2022-23-q1.xlsx").is_file()
    assert "নতুন অর্থবছর" in default.stdout and "A new fiscal year" in default.stdout

    minutes = _gen("next", EXAMPLES_DIR / "minutes-rangpur-2023-06-22.xlsx", "-o", tmp_path / "m.xlsx")
    assert minutes.returncode == 1 and "no-next-period" in minutes.stdout and not (tmp_path / "m.xlsx").exists()
    assert "সভার কার্যবিবরণীর" in minutes.stdout and "A minutes workbook has no reporting period" in minutes.stdout

    (tmp_path / "notes.xlsx").write_text("not a workbook")
    broken, validated = _gen("next", tmp_path / "notes.xlsx"), _gen("validate", tmp_path / "notes.xlsx")
    assert broken.returncode == validated.returncode == 1
    assert validated.stdout.splitlines()[1:] == broken.stdout.splitlines()[1:]  # the same findings, word for word
    for run in (minutes, broken):
        assert "Traceback" not in run.stdout + run.stderr

    copy = tmp_path / "mine.xlsx"
    copy.write_bytes((EXAMPLES_DIR / "grs-rangpur-2023-24-q2.xlsx").read_bytes())
    same = _gen("next", copy, "-o", copy)
    assert same.returncode == 1 and "same-file" in same.stdout
    assert copy.read_bytes() == (EXAMPLES_DIR / "grs-rangpur-2023-24-q2.xlsx").read_bytes()

    flawed = _gen("next", EXAMPLES_DIR / "rejected" / "egov-khulna-2022-23-h1.xlsx", "-o", tmp_path / "e.xlsx")
    assert flawed.returncode == 0 and "area-weight-mismatch" in flawed.stdout
    assert "২টি ত্রুটি" in flawed.stdout and "has 2 error(s)" in flawed.stdout


def test_a_workbook_without_a_readable_period_is_refused_at_the_cell(tmp_path):
    source = variant(EXAMPLES_DIR / "grs-rangpur-2023-24-q2.xlsx", "q2", tmp_path)
    wb = load_workbook(source)
    ws = wb["পত্র"]
    ws.cell(_letter_row(ws, "period"), 3, "পঞ্চম ত্রৈমাসিক")
    wb.save(source)
    with pytest.raises(next_period.Refused) as e:
        next_period.make(source)
    assert [(f.code, f.cell) for f in e.value.findings] == [("bad-period", f"C{_letter_row(ws, 'period')}")]


@pytest.fixture
def client(tmp_path):
    with TestClient(create_app(out_root=tmp_path / "out", state_dir=tmp_path / "state", hosts=TEST_HOSTS)) as c:
        yield c


def _upload(client, name, data):
    from tests.support.web import upload

    return upload(client, name, data)  # followed past the page that says it is building


def test_the_button_on_a_built_submission_downloads_the_next_workbook(client, tmp_path):
    where = _upload(client, "grs.xlsx", (EXAMPLES_DIR / "grs-rangpur-2023-24-q2.xlsx").read_bytes()).headers["location"]
    page = client.get(where)
    assert "পরবর্তী সময়ের ওয়ার্কবুক" in page.text and f'action="{where}/next.xlsx"' in page.text
    response = client.get(f"{where}/next.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert "grs-2023-24-q3.xlsx" in response.headers["content-disposition"]
    (tmp_path / "got.xlsx").write_bytes(response.content)
    got = pipeline.examine(tmp_path / "got.xlsx")
    assert got.report.period.id == "q3" and warned(got.result)

    from generator.records.ledger import Ledger

    with Ledger(tmp_path / "state") as ledger:
        archived = Path(ledger.get(int(where.rsplit("/", 1)[1])).moved_to)
    archived.unlink()
    note = client.get(where).text  # no button: a note instead, in the clerk's words, never a command
    assert "আবার আপলোড করুন" in note and "gen next" not in note
    gone = client.get(f"{where}/next.xlsx")
    assert gone.status_code == 410 and "সার্ভারে আর রাখা নেই" in gone.text and "no longer kept on the server" in gone.text
    assert "gen next" not in gone.text

    minutes = _upload(client, "m.xlsx", (EXAMPLES_DIR / "minutes-rangpur-2023-06-22.xlsx").read_bytes())
    assert "next.xlsx" not in client.get(minutes.headers["location"]).text
    assert client.get(minutes.headers["location"] + "/next.xlsx").status_code == 404


def _orange_pixels(ppm: bytes) -> int:
    """Pixels of the carried fill (F4B183) in a binary PPM."""
    header = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", ppm)
    data = memoryview(ppm)[header.end():]
    return sum(1 for i in range(0, len(data) - 2, 3)
               if abs(data[i] - 0xF4) < 12 and abs(data[i + 1] - 0xB1) < 12 and abs(data[i + 2] - 0x83) < 12)


def test_the_carried_fill_shows_in_libreoffice(tmp_path):
    exe = soffice()
    if not exe:
        pytest.skip("LibreOffice (soffice) is not installed")
    _, made = next_period.write(EXAMPLES_DIR / "rti-rangpur-2023-24-q2.xlsx", tmp_path / "next.xlsx")
    subprocess.run([exe, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "next.xlsx")], capture_output=True, timeout=180)
    pdf = tmp_path / "next.pdf"
    if not pdf.exists():
        if os.environ.get("GEN_REQUIRE_LIBREOFFICE"):
            pytest.fail("LibreOffice Calc is required here (libreoffice-calc-nogui) but made no PDF of the workbook")
        pytest.skip("LibreOffice Calc is not installed")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "৩য় ত্রৈমাসিক" in text and "তথ্য অধিকার" in text
    subprocess.run(["pdftoppm", "-r", "60", str(pdf), str(tmp_path / "page")], check=True)
    orange = {p.name: _orange_pixels(p.read_bytes()) for p in sorted(tmp_path.glob("page-*.ppm"))}
    cells = [n for n in orange.values() if n]
    # one page holds the column, all filled (the plan sheet prints one page wide, so cells are small)
    assert len(cells) == 1 and cells[0] > 50 * len(made.carried), orange


def test_an_existing_file_is_not_written_over_without_force(tmp_path):
    """The default name is what a clerk's filled-in next workbook is likely called: never replaced silently."""
    filled = tmp_path / "cc-2023-24-q2.xlsx"
    filled.write_bytes(b"the clerk's own work")
    run = subprocess.run([sys.executable, "-m", "generator.cli", "next", str(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.xlsx")],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 1 and "output-exists" in run.stdout and "--force" in run.stdout
    assert filled.read_bytes() == b"the clerk's own work"
    forced = subprocess.run([sys.executable, "-m", "generator.cli", "next", str(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.xlsx"),
                             "--force"], capture_output=True, text=True, cwd=tmp_path)
    assert forced.returncode == 0 and filled.read_bytes().startswith(b"PK")


def test_force_never_writes_the_next_workbook_over_the_register_a_built_letter_or_a_kept_original(tmp_path):
    """Found by a hostile run: `gen next -o STATE/register.sqlite3 --force` replaced the register (every memo
    gone), and -o on a built letter replaced it with a workbook, rc 0."""
    source = EXAMPLES_DIR / "grs-rangpur-2023-24-q2.xlsx"
    built = pipeline.build(source, out_root=tmp_path / "out", state_dir=tmp_path / "state")
    assert built.status == "built"
    report = Path(built.outputs[0]).parent.parent.parent
    archive = tmp_path / "inbox" / "archive" / "2024-01-10"
    archive.mkdir(parents=True)
    (tmp_path / "inbox" / ".gen-watch.lock").write_text("pid 1 on here\n")  # as a watcher leaves its inbox
    workbooks = [archive / "grs.xlsx", tmp_path / "state" / "mine.xlsx", report / "grs.xlsx"]
    for kept_workbook in workbooks:  # a submitted original, anything in a state folder or beside CURRENT.txt
        kept_workbook.write_bytes(source.read_bytes())
    others = [tmp_path / "state" / "register.sqlite3", Path(built.outputs[0]),
              *(p for p in report.glob("*.docx"))]
    kept = {p: p.read_bytes() for p in workbooks + others}
    for target in workbooks:
        run = gen_here("next", source, "-o", target, "--force")
        assert run.returncode == 3 and "output-is-a-record" in run.stdout, (target, run.stdout, run.stderr)
        assert "not even with --force" in run.stdout and "Traceback" not in run.stdout + run.stderr
    for target in others:
        run = gen_here("next", source, "-o", target, "--force")
        assert run.returncode == 1 and "output-not-xlsx" in run.stdout, (target, run.stdout, run.stderr)
    assert {p: p.read_bytes() for p in kept} == kept
    for name in ("q3", "q3.docx"):  # a workbook under another name than .xlsx
        run = gen_here("next", source, "-o", tmp_path / name)
        assert run.returncode == 1 and "output-not-xlsx" in run.stdout and not (tmp_path / name).exists()
    fresh = gen_here("next", source, "-o", tmp_path / "q3.xlsx")
    again = gen_here("next", source, "-o", tmp_path / "q3.xlsx", "--force")
    assert (fresh.returncode, again.returncode) == (0, 0), again.stdout  # the clerk's own workbook, replaced
    own = tmp_path / "archive" / "versions" / "q3.xlsx"  # a clerk's own folders with those names: not records
    own.parent.mkdir(parents=True)
    own.write_bytes(b"x")
    assert gen_here("next", source, "-o", own, "--force").returncode == 0 and own.read_bytes() != b"x"


def test_a_fiscal_year_that_is_a_formula_without_a_value_is_told_as_such(tmp_path):
    """Found by a hostile run: only 'the fiscal year is empty' was said, not why (gen validate says why)."""
    source = variant(EXAMPLES_DIR / "grs-rangpur-2023-24-q2.xlsx", "q2", tmp_path)
    wb = load_workbook(source)
    ws = wb["পত্র"]
    ws.cell(_letter_row(ws, "fiscal_year"), 3, '="2023-"&"24"')  # openpyxl saves no computed value
    wb.save(source)
    with pytest.raises(next_period.Refused) as e:
        next_period.make(source)
    assert "formula-without-value" in [f.code for f in e.value.findings]


def test_a_submitted_file_that_cannot_be_read_and_a_folder_at_o_are_told_as_the_docs_say(cc_example, tmp_path):
    """Found by a new user following docs/next.md: a missing file was called 'not an .xlsx workbook, or damaged'
    (gen validate says could-not-read), and a folder at -o with --force was click's usage error (exit 2), not
    output-not-a-file (exit 3)."""
    import generator
    from tests.support.cli import gen_here

    for missing in (tmp_path / "gone.xlsx", tmp_path):
        with pytest.raises(generator.GenError) as refused:
            generator.next_workbook(missing, tmp_path / "n.xlsx")
        assert refused.value.code == "could-not-read" and str(missing) in refused.value.en
    (tmp_path / "d.xlsx").mkdir()
    for args in (("next", cc_example, "-o", tmp_path / "d.xlsx", "--force"),
                 ("template", "cc", "-o", tmp_path / "d.xlsx", "--force")):
        run = gen_here(*args)
        assert run.returncode == 3 and "is not an ordinary file" in run.stdout + run.stderr, run.stdout + run.stderr
    assert not any((tmp_path / "d.xlsx").iterdir())


def test_carried_cells_are_found_whatever_form_the_indicators_are_typed_in_and_told_as_whole_numbers(tmp_path):
    """Found by a hostile run: with the checks reading cells as printed (no zero-width space, composed), a carried
    cell whose indicator was typed decomposed, with a no-break space and a zero-width space, was no longer found, and
    its warning was lost; and a whole number carried was told as '২.০' / '2.0'."""
    import copy
    import unicodedata

    from tests.support.workbooks import MYMENSINGH, ROWS, fill_cc

    rows = copy.deepcopy(ROWS)
    for row in rows:
        if row.get("indicator"):
            row["indicator"] = unicodedata.normalize("NFD", row["indicator"]).replace(" ", "\u00a0 ") + "\u200b"
        if row.get("indicator_no"):
            row["indicator_no"] = row["indicator_no"].replace("১", "1")
    source = fill_cc(tmp_path, dict(MYMENSINGH, period="১ম ত্রৈমাসিক"), rows, "q1.xlsx")
    _, made = next_period.write(source, tmp_path / "q2.xlsx")
    assert made.carried
    result = pipeline.build(tmp_path / "q2.xlsx", out_root=tmp_path / "out", state_dir=tmp_path / "state",
                            default_date=dt.date(2022, 10, 10), today=dt.date(2022, 10, 10))
    told = [f for f in result.issues if f.code == "carried-unchanged"]
    assert {f.cell for f in told} == set(made.carried), [(f.code, f.cell) for f in result.issues]
    assert not [f for f in told if ".0'" in f.en or ".০'" in f.bn], [f.en for f in told]
    assert any("'2'" in f.en and "'২'" in f.bn for f in told), [f.en for f in told]
