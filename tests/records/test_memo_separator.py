"""Issue 23 item 3, the memo's separator is the office's: `-` or `.` chosen once per prefix by its first issue and
kept in the register (both backends); a later workbook typing the other one is built with the register's and
told so at its cell; blank keeps today's default; `gen register` shows it. Attacks: the same prefix in two
Unicode forms, two first issues at once with different separators."""

import datetime as dt
import json
import multiprocessing as mp
import subprocess
import sys
import traceback
import unicodedata
from pathlib import Path

import pytest

from generator.records import state
from generator.records.register import Register
from generator.service import pipeline
from generator.spec.paths import XLSX_DIR
from generator.xlsx import filling
from tests.support.docx import docx_text
from tests.support.workbooks import MYMENSINGH, ROWS

CODE = "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২"
CODE_2024 = "৩৮.০১.০০০০.০০০.৮০০.৯৯.০০০২.২৫"
LOCAL = "কেসিসি/সেঃবিঃ/সিসি-০৭/২০২২"


@pytest.fixture
def state_dir(backend, tmp_path, monkeypatch):
    if isinstance(backend, Path):
        return backend
    monkeypatch.setenv("GEN_STATE_DIR", str(tmp_path / "local"))
    return state.resolve(backend)


def build(tmp_path, state_dir, i: int, prefix: str = CODE, separator: str | None = None):
    fields = dict(MYMENSINGH, memo_prefix=prefix, copies=f"অনুলিপি {i}")
    if separator is not None:
        fields["memo_separator"] = separator
    path = filling.fill(XLSX_DIR / "cc.xlsx", tmp_path / f"w{i}.xlsx", fields, ROWS)
    result = pipeline.build(path, out_root=tmp_path / "out", state_dir=state_dir, default_date=dt.date(2023, 7, 10))
    assert result.status == "built", [f.en for f in result.issues]
    return result


def printed(result) -> str:
    letter = next(p for p in result.outputs if p.endswith("letter.docx"))
    text = docx_text(letter)
    return text[text.index("স্মারক: ") + len("স্মারক: "):].split()[0]


def kept(state_dir) -> dict[str, str]:
    with Register(state_dir) as register:
        return register.separators()


def test_blank_keeps_the_forms_default_and_records_it(tmp_path, state_dir):
    assert printed(build(tmp_path, state_dir, 0)) == f"{CODE}-১"
    assert printed(build(tmp_path, state_dir, 1, prefix=CODE_2024)) == f"{CODE_2024}.১"
    assert kept(state_dir) == {CODE: "-", CODE_2024: "."}


def test_the_first_issue_chooses_and_a_later_other_separator_is_told_and_not_used(tmp_path, state_dir):
    first = build(tmp_path, state_dir, 0, separator=".")
    assert printed(first) == f"{CODE}.১" and not [f for f in first.issues if f.code == "memo-separator-kept"]
    later = build(tmp_path, state_dir, 1, separator="-")
    assert printed(later) == f"{CODE}.২"
    (told,) = [f for f in later.issues if f.code == "memo-separator-kept"]
    assert told.severity == "warning" and told.sheet == "পত্র" and told.cell and told.cell.startswith("C")
    assert "w1.xlsx" in told.bn and "w1.xlsx" in told.en and "'.'" in told.bn and "'-'" in told.en
    blank = build(tmp_path, state_dir, 2)
    assert printed(blank) == f"{CODE}.৩" and not [f for f in blank.issues if f.code == "memo-separator-kept"]
    assert kept(state_dir) == {CODE: "."}
    assert later.memo == f"{CODE}-২"  # the register's own number (ledger, version folder) is unchanged


def test_the_same_content_again_prints_as_it_was_issued(tmp_path, state_dir):
    first = build(tmp_path, state_dir, 0, separator=".")
    again = build(tmp_path, state_dir, 0, separator=".")
    assert again.memo_reused and printed(again) == printed(first) == f"{CODE}.১"


def test_one_prefix_typed_in_two_unicode_forms_keeps_one_separator(tmp_path, state_dir):
    build(tmp_path, state_dir, 0, prefix=LOCAL, separator=".")
    other = "\u200b" + unicodedata.normalize("NFD", LOCAL).replace("০", "0")
    later = build(tmp_path, state_dir, 1, prefix=other, separator="-")
    assert printed(later) == f"{LOCAL}.২" and [f for f in later.issues if f.code == "memo-separator-kept"]
    assert kept(state_dir) == {LOCAL: "."}


def _first_issue(tmp: str, state_dir: str, i: int, separator: str, go, results) -> None:
    try:
        go.wait(timeout=120)
        result = build(Path(tmp), Path(state_dir), i, separator=separator)
        results.put((separator, printed(result), [f.code for f in result.issues]))
    except BaseException:  # said to the test at once, not left for its two-minute wait
        results.put(("failed", traceback.format_exc(), []))


def test_two_first_issues_at_once_with_other_separators_agree_on_one(tmp_path, state_dir):
    ctx = mp.get_context("spawn")
    go, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_first_issue, args=(str(tmp_path), str(state_dir), i, sep, go, results))
             for i, sep in enumerate(("-", "."))]
    for p in procs:
        p.start()
    got = [results.get(timeout=120) for _ in procs]
    assert not [told for typed, told, _ in got if typed == "failed"]
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    (chosen,) = kept(state_dir).values()
    assert sorted(memo[len(CODE)] for _, memo, _ in got) == [chosen, chosen]
    assert [typed != chosen for typed, _, _ in got] == ["memo-separator-kept" in codes for _, _, codes in got]


def test_gen_register_shows_the_kept_separator(tmp_path, state_dir, backend):
    build(tmp_path, state_dir, 0, separator=".")
    where = str(backend)
    run = subprocess.run([sys.executable, "-m", "generator.cli", "register", "--state", where],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert f"{CODE}.১" in run.stdout and f"{CODE}: কোড ও ক্রমিকের মাঝের চিহ্ন '.'" in run.stdout
    assert "memo separator '.'" in run.stdout
    listed = subprocess.run([sys.executable, "-m", "generator.cli", "register", "--state", where, "--json"],
                            capture_output=True, text=True, timeout=120)
    assert [json.loads(line)["separator"] for line in listed.stdout.splitlines()] == ["."]


def test_the_receiving_offices_summary_letter_keeps_the_prefixs_separator(tmp_path, state_dir, backend):
    """The summary letter (`gen summary --letter`) takes its memo from the same register: a report issued under
    the prefix with '.' first, the summary's letter under the same prefix, its cell blank, prints '.' too."""
    build(tmp_path, state_dir, 0, separator=".")
    letter = filling.fill(XLSX_DIR / "cc.xlsx", tmp_path / "letter.xlsx", dict(MYMENSINGH, memo_prefix=CODE), [])
    run = subprocess.run([sys.executable, "-m", "generator.cli", "summary", "--fy", "2022-23", "--period", "q2",
                          "--state", str(backend), "--out", str(tmp_path / "out"), "--letter", str(letter),
                          "--date", "2023-07-10", "-o", str(tmp_path / "s.docx")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"স্মারক: {CODE}.২" in docx_text(tmp_path / "s.docx")


def test_a_letter_that_is_never_issued_keeps_no_separator(state_dir):
    """The first workbook under a code types `.` and is refused after its serial was reserved (its evidence, a
    full disk, a killed worker): nothing was issued, so nothing is kept, and the next letter's own choice holds."""
    from generator.records.register import Register

    prefix = "কেসিসি/সেঃবিঃ/২২"
    with Register(state_dir) as register:
        with pytest.raises(RuntimeError):
            with register.reserved(prefix, None, "a" * 64, separator=".", source="first.xlsx", kind="cc",
                                   office="অফিস", fiscal_year="2023-24", period="q1") as held:
                assert held.separator == "."
                raise RuntimeError("refused after the reservation")
        assert register.separators() == {}
        with register.reserved(prefix, None, "b" * 64, separator="-", source="second.xlsx", kind="cc",
                               office="অফিস", fiscal_year="2023-24", period="q1") as held:
            assert (held.separator, held.entry.serial) == ("-", 1)
        assert list(register.separators().values()) == ["-"]
