"""One memo number has one text, printed on one letter: prefixes that print alike are one sequence, a typed
serial prints as the register's number, and a letter is tied to the date it prints. Each test here was a way,
found by trying, to print one memo on two letters."""

import io
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from generator.records import memos
from generator.spec.memo import register_prefix
from generator.records.register import Register
from generator.records.store import VersionConflict
from generator.service import pipeline
from tests.support.docx import docx_paragraphs, docx_xml
from tests.support.processes import service_env
from tests.support.state import one_memo_one_letter
from tests.support.workbooks import MYMENSINGH, ROWS, fill_cc

PREFIX = "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২"
FILE_NUMBER_2024 = "৩৮.০১.০০০০.০০০.৮০০.৯৯.০০০২.২৫"


def printed_memo(letter: str | Path) -> str:
    (line,) = [p for p in docx_paragraphs(letter) if p.startswith("স্মারক:")]
    return line.removeprefix("স্মারক:").strip()


def build(tmp_path: Path, name: str, state: Path, out: Path, date: str | None = None, **letter) -> pipeline.Result:
    import datetime as dt

    path = fill_cc(tmp_path, dict(MYMENSINGH, **letter), ROWS, name=name)
    return pipeline.build(path, out_root=out, state_dir=state,
                          default_date=dt.date.fromisoformat(date) if date else None)


def with_control_character(path: Path, mark: str, escape: str) -> Path:
    """The workbook with `mark` written as Excel writes a control character (`_x0001_`): openpyxl will not."""
    data = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info).replace(mark.encode(), escape.encode()))
    path.write_bytes(data.getvalue())
    return path


def test_prefixes_that_print_alike_are_one_sequence(tmp_path):
    """Before: a combining grapheme joiner, a variation selector, a Hangul filler, a dot leader or a
    fullwidth dot in the prefix kept its serials apart from the plain prefix's, and five letters printed
    the same-looking memo …২২-১."""
    state, out = tmp_path / "state", tmp_path / "out"
    typed = [PREFIX, PREFIX.replace("৪৬.", "৪৬.\u034f"), PREFIX + "\ufe0f", PREFIX.replace("২১.", "২১\u3164."),
             PREFIX.replace("৬১০০.", "৬১০০\u2024"), PREFIX.replace("০৪৯.", "০৪৯\uff0e")]
    memos = []
    for i, prefix in enumerate(typed):
        result = build(tmp_path, f"w{i}.xlsx", state, out, memo_prefix=prefix, copies=f"{i}")
        assert result.status == "built", result.issues
        memos.append(printed_memo(result.outputs[0]))
    assert memos == [f"{PREFIX}-{n}" for n in "১২৩৪৫৬"]
    with Register(state) as register:
        assert {e.prefix for e in register.entries()} == {PREFIX}
    one_memo_one_letter(state, out)


def test_a_prefix_of_invisible_characters_only_is_refused(tmp_path):
    result = build(tmp_path, "w.xlsx", tmp_path / "state", tmp_path / "out", memo_prefix="\u3164\u200b")
    assert result.status == "rejected"
    assert [f.code for f in result.issues if f.severity == "error"] == ["memo-prefix-malformed"]


def test_a_standard_code_typed_with_an_invisible_mark_is_standard_and_its_serial_is_still_found(tmp_path):
    """Before: the checks read the prefix as typed, so a zero-width space made a standard code 'free-form'
    (its memo then took a dash where the letter printed a dot), and hid a serial typed into the prefix."""
    state, out = tmp_path / "state", tmp_path / "out"
    result = build(tmp_path, "a.xlsx", state, out, memo_prefix=FILE_NUMBER_2024.replace("৩৮.", "৩৮.\u200b"))
    assert result.status == "built" and "memo-prefix-free-form" not in [f.code for f in result.issues]
    assert result.memo == f"{FILE_NUMBER_2024}.১" == printed_memo(result.outputs[0])
    assert Path(result.outputs[0]).parent.name == result.memo
    sneaked = build(tmp_path, "b.xlsx", state, out, memo_prefix=f"{FILE_NUMBER_2024}.\u200b৮", copies="b")
    assert sneaked.status == "rejected" and "memo-prefix-has-serial" in [f.code for f in sneaked.issues]


def test_two_registers_on_one_output_folder_meet_at_a_2024_file_number_typed_two_ways(tmp_path):
    """Before: the second register's memo took its separator from the prefix as typed (a zero-width space
    made it free-form, '-'), so its version folder was …২৫-১ beside the first's …২৫.১ and the disk check
    did not see that both letters printed …২৫.১."""
    out = tmp_path / "out"
    first = build(tmp_path, "a.xlsx", tmp_path / "s1", out, memo_prefix=FILE_NUMBER_2024)
    other = build(tmp_path, "b.xlsx", tmp_path / "s2", out, memo_prefix=FILE_NUMBER_2024.replace("৩৮.", "৩৮.\u200b"),
                  copies="other content")
    assert first.status == "built" and first.memo == f"{FILE_NUMBER_2024}.১"
    assert other.status == "built" and other.memo == f"{FILE_NUMBER_2024}.২", other.issues
    assert "memo-exists" in [f.code for f in other.issues]  # ১ found on disk, voided, the next one used
    assert printed_memo(first.outputs[0]) != printed_memo(other.outputs[0])


def test_a_serial_typed_with_leading_zeros_is_the_registers_number(tmp_path):
    """Before: a typed ০১ printed …-০১ (and named its folder so) while the register said …-১, and a second
    register on the same output folder printed …-১ beside it: the disk check compared the two texts."""
    out = tmp_path / "out"
    first = build(tmp_path, "a.xlsx", tmp_path / "s1", out)
    typed = build(tmp_path, "b.xlsx", tmp_path / "s2", out, memo_serial="০১", copies="other content")
    assert first.memo == f"{PREFIX}-১" == printed_memo(first.outputs[0])
    assert typed.status == "failed" and [f.code for f in typed.issues if f.severity == "error"] == ["memo-exists"]
    alone = build(tmp_path, "c.xlsx", tmp_path / "s3", tmp_path / "out3", memo_serial="০০৭")
    assert alone.memo == f"{PREFIX}-৭" == printed_memo(alone.outputs[0]) == Path(alone.outputs[0]).parent.name
    with Register(tmp_path / "s3") as register:
        assert [(e.prefix, e.serial) for e in register.entries()] == [(PREFIX, 7)]


def test_one_memo_is_never_printed_with_two_dates(tmp_path):
    """Before: the date a letter prints when its issue_date is blank (--date, or today) was not part of its
    content, so the same workbook built on another date, into another output folder, printed the same memo
    on a letter of another date; into the same folder it silently kept the first letter."""
    state = tmp_path / "state"
    first = build(tmp_path, "w.xlsx", state, tmp_path / "o1", date="2024-01-01")
    again = build(tmp_path, "w.xlsx", state, tmp_path / "o1", date="2024-01-01")
    other_folder = build(tmp_path, "w.xlsx", state, tmp_path / "o2", date="2024-03-03")
    same_folder = build(tmp_path, "w.xlsx", state, tmp_path / "o1", date="2024-03-03")
    assert first.memo == again.memo == f"{PREFIX}-১" and again.memo_reused
    assert other_folder.memo == f"{PREFIX}-২" and same_folder.memo == f"{PREFIX}-২" and same_folder.memo_reused
    dates = {printed_memo(r.outputs[0]): "০১ জানুয়ারি" in " ".join(docx_paragraphs(r.outputs[0]))
             for r in (first, other_folder)}
    assert dates == {f"{PREFIX}-১": True, f"{PREFIX}-২": False}
    versions = {o: sorted(p.name for p in (tmp_path / o).rglob("versions/*")) for o in ("o1", "o2")}
    assert versions == {"o1": [f"{PREFIX}-১", f"{PREFIX}-২"], "o2": [f"{PREFIX}-২"]}


def test_a_control_character_in_a_cell_never_makes_a_letter_that_will_not_open(tmp_path):
    """Before: a control character (Excel's `_x0001_`) in the body reached word/document.xml as it was: the
    letter, built and given a memo, was not XML, and neither Word nor LibreOffice would open it. In the prefix
    (`_x0008_`) it also started a sequence of its own."""
    state, out = tmp_path / "state", tmp_path / "out"
    plain = build(tmp_path, "plain.xlsx", state, out)
    path = fill_cc(tmp_path, dict(MYMENSINGH, body="প্রতিবেদনMARKসংযুক্ত", memo_prefix=PREFIX.replace("২১", "২১TICK"),
                                  copies="other"), ROWS, name="controls.xlsx")
    with_control_character(with_control_character(path, "MARK", "_x0001_"), "TICK", "_x0008_")
    result = pipeline.build(path, out_root=out, state_dir=state)
    assert result.status == "built", result.issues
    warned = [(f.code, f.cell) for f in result.issues if f.code == "control-character-removed"]
    assert len(warned) == 2 and all(cell for _, cell in warned)
    assert result.memo == f"{PREFIX}-২" != plain.memo
    for document in result.outputs:
        etree.fromstring(docx_xml(document).encode())  # well-formed, or this raises
    assert any("প্রতিবেদনসংযুক্ত" in p for p in docx_paragraphs(result.outputs[0]))
    one_memo_one_letter(state, out)


def test_a_register_from_before_keeps_one_sequence_for_prefixes_that_now_print_alike(tmp_path):
    """A state folder whose register kept a prefix with a variation selector apart (before this key): migrated,
    its serials and the plain prefix's are one sequence, the next serial above both, and its first-chosen
    separator kept."""
    state = tmp_path / "state"
    meta = dict(source="old.xlsx", kind="cc", office="o", fiscal_year="2022-23", period="q2")
    with Register(state) as register:
        register.confirm(register.allocate(PREFIX, "h1", **meta)[0])
    db = sqlite3.connect(state / "register.sqlite3")
    with db:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        for serial in (1, 2, 3):
            db.execute("INSERT INTO memos (prefix, serial, content_hash, source, kind, office, fiscal_year, period, "
                       "issued_at, explicit, state, prefix_key) VALUES (?, ?, ?, 'older.xlsx', 'cc', 'o', '2022-23', "
                       "'q2', '2023-01-01', 0, 'issued', ?)", (PREFIX + "\ufe0f", serial, f"old{serial}",
                                                              PREFIX + "\ufe0f"))
        db.execute("INSERT INTO memo_forms (prefix_key, separator, typed, source, chosen_at) "
                   "VALUES (?, '.', 1, 'older.xlsx', 0)", (PREFIX + "\ufe0f",))
        db.execute(f"PRAGMA user_version = {version - 1}")  # as written before the last step
    db.close()
    with Register(state) as register:
        entry, reused = register.allocate(PREFIX, "h-new", **meta)
        assert (entry.serial, reused) == (4, False)
        assert register.keep_separator(PREFIX, None)[0] == "."
    listed = subprocess.run([sys.executable, "-m", "generator.cli", "register", "--state", str(state)],
                            capture_output=True, text=True, env=service_env(), timeout=120)
    assert listed.returncode == 0 and "2 spellings" in listed.stderr


def _register_from_before(state: Path, prefixes: list[str], steps: int) -> None:
    """A register as the release with `steps` migration steps left it: serials 1, 2, … issued under `prefixes`,
    each keyed as it was typed."""
    with Register(state) as register:
        register.entries()
    db = sqlite3.connect(state / "register.sqlite3")
    with db:
        assert db.execute("PRAGMA user_version").fetchone()[0] > steps
        for serial, prefix in enumerate(prefixes, 1):
            db.execute("INSERT INTO memos (prefix, serial, content_hash, source, kind, office, fiscal_year, period, "
                       "issued_at, explicit, state, prefix_key) VALUES (?, ?, ?, 'older.xlsx', 'cc', 'o', '2022-23', "
                       "'q2', '2023-01-01', 0, 'issued', ?)", (prefix, serial, f"old{serial}", prefix))
        db.execute(f"PRAGMA user_version = {steps}")
    db.close()


def test_a_register_from_before_keeps_one_sequence_for_a_prefix_with_khanda_ta_typed_the_old_way(tmp_path):
    """Serials kept under ত, hasanta, joiner (khanda ta before Unicode 4.1) and a new one typed with ৎ: after the
    migration, one sequence."""
    state, old, new = tmp_path / "state", "মৎস্য/উত\u09cd\u200dস/২২", "মৎস্য/উৎস/২২"
    meta = dict(source="old.xlsx", kind="cc", office="o", fiscal_year="2022-23", period="q2")
    _register_from_before(state, [old, old], steps=12)  # step 13 keys ত্‍ as ৎ
    with Register(state) as register:
        entry, reused = register.allocate(new, "h-new", **meta)
        assert (entry.serial, reused) == (3, False)


def _old_key(text, digits="ascii", folded=False):
    """identity.key as it was before this round's last change: NFC, only category Cf dropped."""
    import re
    import unicodedata

    if text is None:
        return ""
    normal = unicodedata.normalize("NFC", str(text))
    normal = unicodedata.normalize("NFC", "".join(c for c in normal if unicodedata.category(c) != "Cf"))
    table = "0123456789" if digits == "ascii" else "০১২৩৪৫৬৭৮৯"
    normal = "".join(table[unicodedata.decimal(c)] if c.isdecimal() else c for c in normal)
    return re.sub(r"\s+", " ", normal).strip()


def test_a_letter_issued_under_the_old_key_keeps_its_memo_when_built_again(tmp_path, monkeypatch):
    """Before: a register migrated to the new key gave an old letter, built again unchanged, its number keyed
    anew: …০৭-১ without its variation selector, another office's memo to the letter, written in a new folder."""
    from generator.records import state as state_module
    from generator.text import identity

    state, out = tmp_path / "state", tmp_path / "out"
    first = build(tmp_path, "a.xlsx", state, out, issue_date="১০/১০/২০২৩")
    selector = PREFIX.replace("৪৬.", "৪৬.\ufe0f")
    with monkeypatch.context() as old:
        old.setattr(identity, "key", _old_key)
        kept_apart = build(tmp_path, "b.xlsx", state, out, issue_date="১০/১০/২০২৩", office_name="অন্য অফিস",
                           memo_prefix=selector)
    assert first.memo == f"{PREFIX}-১" and kept_apart.memo == f"{selector}-১"
    db = sqlite3.connect(state / "register.sqlite3")
    with db:
        db.execute("INSERT INTO memos (prefix, serial, content_hash, source, kind, office, fiscal_year, period, "
                   "issued_at, explicit, state, prefix_key) VALUES (?, 2, 'never-issued', 'c.xlsx', 'cc', 'o', "
                   "'2022-23', 'q2', '2023-01-01', 0, 'reserved', ?)", (PREFIX + "\u034f", PREFIX + "\u034f"))
        db.execute("INSERT INTO memos (prefix, serial, content_hash, source, kind, office, fiscal_year, period, "
                   "issued_at, explicit, state, prefix_key) VALUES (?, 2, 'issued-2', 'd.xlsx', 'cc', 'o', "
                   "'2022-23', 'q2', '2023-01-01', 0, 'issued', ?)", (PREFIX, PREFIX))
        db.execute(f"PRAGMA user_version = {state_module.SCHEMA_VERSION - 1}")  # as before the new key's step
    db.close()
    folders = sorted(p.relative_to(out) for p in out.rglob("versions/*"))
    again = build(tmp_path, "b.xlsx", state, out, issue_date="১০/১০/২০২৩", office_name="অন্য অফিস",
                  memo_prefix=selector)
    assert again.status == "built" and again.memo == kept_apart.memo and again.memo_reused
    assert sorted(p.relative_to(out) for p in out.rglob("versions/*")) == folders  # nothing written anew
    with Register(state) as register:
        states = {(e.prefix, e.serial): e.state for e in register.entries()}
        assert states[(PREFIX + "\u034f", 2)] == "void"  # its letter would have printed …-২, issued already
        fresh = build(tmp_path, "e.xlsx", state, out, copies="new content")
    assert fresh.memo == f"{PREFIX}-৩"


def test_a_line_break_in_the_signatorys_name_builds(tmp_path):
    """Before: a name typed on two lines (Alt+Enter) failed the text measure (raqm lays out one line), and the
    workbook was refused as one that could not be processed."""
    result = build(tmp_path, "w.xlsx", tmp_path / "state", tmp_path / "out",
                   signatory_name="মোঃ ইউসুফ আলী\nপ্রধান নির্বাহী", annex_signatories="উম্মে হালিমা\u0085সমাজকল্যাণ কর্মকর্তা")
    assert result.status == "built", result.issues


def test_a_control_character_in_the_kind_or_in_a_rejected_workbook_is_told_not_a_crash(tmp_path):
    """Before: the kind was read before control characters were removed (`cc` + U+0001 an unknown kind), and a
    rejected workbook holding one could not be marked up: openpyxl refused to save it, and the workbook came
    back as one that could not be processed."""
    path = fill_cc(tmp_path, dict(MYMENSINGH, body="প্রতিবেদনMARK", fiscal_year="not a year"), ROWS, name="r.xlsx")
    with_control_character(path, "MARK", "_x0001_")
    rejected = pipeline.build(path, out_root=tmp_path / "out", state_dir=tmp_path / "state")
    assert rejected.status == "rejected" and "bad-fiscal-year" in [f.code for f in rejected.issues]
    marked = list((tmp_path / "out").rglob("*.annotated.xlsx"))
    assert len(marked) == 1
    from openpyxl import load_workbook

    letter = load_workbook(marked[0]).worksheets[0]
    texts = [c.value for row in letter.iter_rows() for c in row if isinstance(c.value, str)]
    assert "প্রতিবেদন_x0001_" in texts  # as Excel writes the character: the copy keeps what the workbook held
    kind = fill_cc(tmp_path, dict(MYMENSINGH, copies="k"), ROWS, name="k.xlsx")
    data = io.BytesIO()
    with zipfile.ZipFile(kind) as src, zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info).replace(b">cc<", b">cc_x0001_<"))
    kind.write_bytes(data.getvalue())
    built = pipeline.build(kind, out_root=tmp_path / "out", state_dir=tmp_path / "state")
    assert built.status == "built" and "control-character-removed" in [f.code for f in built.issues]


def test_two_registers_on_one_output_folder_never_print_one_memo_on_two_reports(tmp_path):
    """Before: the disk check looked only inside one report's folder, so a second register (another --state, a
    container with a state of its own) printed …-১ on the same office's next quarter beside the first's …-১."""
    out = tmp_path / "out"
    first = build(tmp_path, "q2.xlsx", tmp_path / "s1", out)
    other = build(tmp_path, "q3.xlsx", tmp_path / "s2", out, period="৩য় ত্রৈমাসিক")
    third = build(tmp_path, "q4.xlsx", tmp_path / "s3", out, period="৪র্থ ত্রৈমাসিক", office_name="অন্য অফিস")
    assert first.memo == f"{PREFIX}-১" and other.memo == f"{PREFIX}-২" and third.memo == f"{PREFIX}-৩"
    assert "memo-exists" in [f.code for f in other.issues] and "memo-exists" in [f.code for f in third.issues]
    assert len({printed_memo(r.outputs[0]) for r in (first, other, third)}) == 3
    with Register(tmp_path / "s2") as register:  # the memo another register printed is voided in this one
        assert [(e.serial, e.state) for e in register.entries()] == [(1, "void"), (2, "issued")]
    again = build(tmp_path, "q3.xlsx", tmp_path / "s2", out, period="৩য় ত্রৈমাসিক")
    assert again.memo == other.memo and again.memo_reused and again.outputs == other.outputs


def test_an_output_folder_from_before_memos_were_claimed_is_claimed_from_its_letters(tmp_path):
    out = tmp_path / "out"
    first = build(tmp_path, "q2.xlsx", tmp_path / "s1", out)
    shutil.rmtree(out / ".memos")  # as an output folder written before claims were kept
    other = build(tmp_path, "q3.xlsx", tmp_path / "s2", out, period="৩য় ত্রৈমাসিক")
    assert (first.memo, other.memo) == (f"{PREFIX}-১", f"{PREFIX}-২")
    assert build(tmp_path, "q2.xlsx", tmp_path / "s1", out).memo_reused  # its own letter still builds again


def _claims_folder(root: str, go, told) -> None:
    go.wait(timeout=60)
    try:
        memos._folder(Path(root))
        told.put("made")
    except OSError as e:
        told.put(repr(e))


def test_first_builds_at_once_into_a_new_output_folder_all_find_its_claims_folder(tmp_path):
    """Three builds at once into an output folder without `.memos` each make one in a `.tmp-memos-…` folder and
    rename it; the look for older letters walked into another's, gone by then, and that build failed with
    "could not write" (found in tests/records/test_memo_separator.py: 47 of 900 such builds, none with this fix)."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    failed = []
    for i in range(100):
        root = tmp_path / f"out{i}"
        go, told = ctx.Barrier(3), ctx.Queue()
        procs = [ctx.Process(target=_claims_folder, args=(str(root), go, told)) for _ in range(3)]
        for p in procs:
            p.start()
        failed += [t for t in (told.get(timeout=60) for _ in procs) if t != "made"]
        for p in procs:
            p.join(30)
        assert (root / ".memos").is_dir() and not list(root.glob(".tmp-memos-*"))
    assert failed == []


def test_a_claim_whose_letter_was_not_written_is_given_back(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(OSError):
        with memos.claimed(out, f"{PREFIX}-১", "2022-23/office/cc-q2"):
            raise OSError("disk full")
    with memos.claimed(out, f"{PREFIX}-১", "2022-23/office/cc-q3"):
        pass
    with pytest.raises(VersionConflict) as refused:
        with memos.claimed(out, f"{PREFIX}-১", "2022-23/office/cc-q2"):
            pass
    assert "cc-q3" in str(refused.value.path) and refused.value.code == "memo-exists"


def test_two_registers_building_into_one_output_folder_at_once_print_each_memo_once(tmp_path):
    """Two `gen build`s at the same moment, each with its own register (its own --state), each numbering six
    reports of one prefix from ১: every memo printed once, whichever process claimed it first."""
    periods = ["১ম ত্রৈমাসিক", "২য় ত্রৈমাসিক", "৩য় ত্রৈমাসিক", "৪র্থ ত্রৈমাসিক", "অর্ধবার্ষিক", "বার্ষিক"]
    for side in "ab":
        (tmp_path / side).mkdir()
        for n, period in enumerate(periods):
            fill_cc(tmp_path / side, dict(MYMENSINGH, period=period, office_name=f"অফিস {side}"), ROWS,
                    name=f"{n}.xlsx")
    runs = [subprocess.Popen([sys.executable, "-m", "generator.cli", "build", str(tmp_path / side), "--out",
                              str(tmp_path / "out"), "--state", str(tmp_path / f"state-{side}"), "--json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=service_env())
            for side in "ab"]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    letters = sorted((tmp_path / "out").rglob("versions/*/*-letter.docx"))
    printed = [printed_memo(p) for p in letters]
    assert len(letters) == 12 and len(set(printed)) == 12, printed


def test_a_fresh_register_on_an_output_folder_of_many_letters_skips_their_run_at_once(tmp_path):
    """A container started with a state of its own (a fresh register) on an output folder where five letters
    of the prefix are printed: its first build voids ১, skips through ৫ in one step and prints ৬."""
    out = tmp_path / "out"
    periods = ["১ম ত্রৈমাসিক", "২য় ত্রৈমাসিক", "৩য় ত্রৈমাসিক", "৪র্থ ত্রৈমাসিক", "অর্ধবার্ষিক"]
    for n, period in enumerate(periods):
        assert build(tmp_path, f"{n}.xlsx", tmp_path / "s1", out, period=period).status == "built"
    fresh = build(tmp_path, "annual.xlsx", tmp_path / "s2", out, period="বার্ষিক")
    assert fresh.status == "built" and fresh.memo == f"{PREFIX}-৬" == printed_memo(fresh.outputs[0])
    with Register(tmp_path / "s2") as register:
        assert [(e.serial, e.state) for e in register.entries()] == [(1, "void"), (5, "void"), (6, "issued")]


def test_a_claim_left_by_a_killed_build_is_taken_over_only_by_its_own_register(tmp_path):
    """A build killed after its claim leaves it with no letter: its own register, which gave the serial again,
    takes it over once the killed build's lease ran out by that register's clock (the register decides who
    confirms); never another register, nor its own while that lease lives, nor a register that does not know the
    owner (a copied state that shares the register's identity)."""
    out, memo = tmp_path / "out", f"{PREFIX}-১"
    with memos.claimed(out, f"{PREFIX}-৯", "2022-23/office/cc-q1", "register-a"):
        pass  # the output folder's .memos/ made
    claim = out / ".memos" / memos._name(memo)
    claim.write_text("2022-23/office/cc-q2\nregister-a\nkilled")  # as a killed build of register a left it
    for register, ran_out in (("register-b", lambda owner: True), ("register-a", lambda owner: False)):
        with pytest.raises(VersionConflict):
            with memos.claimed(out, memo, "2022-23/other/cc-q2", register, "mine", ran_out):
                pass
    with memos.claimed(out, memo, "2022-23/other/cc-q2", "register-a", "mine", lambda owner: owner == "killed"):
        pass
    assert claim.read_text() == "2022-23/other/cc-q2\nregister-a\nmine"


def test_another_register_writing_the_same_reports_letter_under_the_memo_is_refused_before_it_writes(tmp_path):
    """Before: the claim of the same report was taken as this build's own whichever register made it; both staged,
    and the loser learnt only at the rename, after its register had confirmed the memo for a letter never shown."""
    out, memo, report = tmp_path / "out", f"{PREFIX}-১", "2022-23/office/cc-q2"
    with memos.claimed(out, memo, report, "register-a", "a"):
        with pytest.raises(VersionConflict):
            with memos.claimed(out, memo, report, "register-b", "b"):
                pass
        with memos.claimed(out, memo, report, "register-a", "a-again"):
            pass  # its own register's build of the same report (the register decides between them)


def test_a_build_that_took_over_an_issued_memos_claim_and_failed_leaves_the_claim(tmp_path):
    """Found by reading the diff: C, a build of the same content as A (stopped after its memo was issued, its lease
    run out), took A's claim over and then failed (its evidence refused); its give-back removed the claim, another
    register could claim the memo, and A, woken, would put its letter in place under it: one memo, two letters.
    A memo issued to this content keeps its claim; one only reserved is still given back."""
    memo, report = f"{PREFIX}-১", "2022-23/office/cc-q2"
    for issued in (True, False):
        out = tmp_path / f"out-{issued}"
        with memos.claimed(out, memo, report, "register-a", "a"):
            pass  # A's claim, made before it was stopped
        with pytest.raises(RuntimeError):
            with memos.claimed(out, memo, report, "register-a", "c", lambda owner: owner == "a", issued=issued):
                raise RuntimeError("its evidence refused")
        if issued:
            with pytest.raises(VersionConflict):  # another register's letter under it: refused
                with memos.claimed(out, memo, "2022-23/other/cc-q2", "register-b", "b"):
                    pass
        else:  # only reserved: given back, the serial free for its register to give again
            with memos.claimed(out, memo, "2022-23/other/cc-q2", "register-b", "b"):
                pass


def test_an_owner_ran_out_only_when_this_state_knows_it(tmp_path):
    from generator.records.owners import Owners

    with Owners(tmp_path / "state") as owners:
        live, ended = owners.claim("build", "x"), owners.claim("build", "y")
        owners.end(ended)
        assert (owners.ran_out(live.id), owners.ran_out(ended.id), owners.ran_out("f" * 32)) == (False, True, False)


def test_a_stalled_build_that_fails_never_gives_back_the_claim_its_register_gave_another(tmp_path):
    """A build stalled past its lease whose serial its register gave to another build: that build took the claim
    over; when the stalled one then fails, it must not remove the claim it no longer holds."""
    out, memo = tmp_path / "out", f"{PREFIX}-১"
    with pytest.raises(RuntimeError):
        with memos.claimed(out, memo, "2022-23/office/cc-q1", "register-a", "stalled"):
            with memos.claimed(out, memo, "2022-23/office/cc-q2", "register-a", "next", lambda o: o == "stalled"):
                pass  # the other build took it over (its letter about to be renamed into place)
            raise RuntimeError("the stalled build's confirmation is refused")
    assert (out / ".memos" / memos._name(memo)).read_text() == "2022-23/office/cc-q2\nregister-a\nnext"


def test_a_build_whose_lease_ran_out_leaves_its_claim_when_it_fails_and_a_live_one_gives_it_back(tmp_path):
    """Its register may already have handed the claim on (taken over once that lease ran out): a build gives a
    claim back only while its own lease has a while to run, by the state's clock. Left, the claim is a gap, never
    a memo on two letters; its own register takes it over."""
    from generator.records.owners import Owners
    from generator.records.stores import Folder

    out, state, report = tmp_path / "out", tmp_path / "state", "2022-23/office/cc-q2"
    with Owners(state) as owners:
        live, ended = owners.claim("build", "live"), owners.claim("build", "ended")
        owners.end(ended)

    def refused():
        raise RuntimeError("the confirmation is refused")

    for owner, memo in ((live, f"{PREFIX}-১"), (ended, f"{PREFIX}-২")):
        with pytest.raises(RuntimeError):
            Folder(out, state, owner.id).write_version(report, memo, "ab" * 32, {"l.docx": b"x"}, commit=refused,
                                                       register="register-a")
    assert not (out / ".memos" / memos._name(f"{PREFIX}-১")).exists()
    assert (out / ".memos" / memos._name(f"{PREFIX}-২")).read_text() == f"{report}\nregister-a\n{ended.id}"
    assert [p.name for p in (out / ".memos").iterdir() if p.name.startswith(".")] == []  # nothing set aside left


def test_a_claim_taken_over_is_put_back_on_a_share_without_hard_links(tmp_path, monkeypatch):
    """Found by a review: the give-back moved another build's claim aside and put it back with a bare os.link; on
    a share without hard links (which link_new already writes around) the link failed quietly and the claim was
    gone, leaving the memo free for another register while its letter was being written."""
    import errno
    import os

    out, memo = tmp_path / "out", f"{PREFIX}-১"
    with memos.claimed(out, memo, "2022-23/office/cc-q2", "register-a", "next"):
        pass  # the claim another build of the register holds now
    claim = out / ".memos" / memos._name(memo)
    claim.write_text("2022-23/office/cc-q2\nregister-a\nnext")

    def no_links(*_args, **_kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    memos._give_back(claim, b"2022-23/office/cc-q1\nregister-a\nstalled")  # the stalled build's own text
    assert claim.read_text() == "2022-23/office/cc-q2\nregister-a\nnext"
    assert [p.name for p in claim.parent.iterdir() if p.name.startswith(".")] == []


def test_a_register_from_before_keeps_one_sequence_for_prefixes_typed_with_other_dashes_or_idle_joiners(tmp_path):
    """Found by a hostile run: `…/২২–২৩` (en dash), `…/২২−২৩` (minus) and `…/২২-২৩` were three sequences, and
    so were `উৎক্‌/` and `উৎক্/` (a joiner after a hasanta before no letter prints nothing): four letters printed
    `…/২২-২৩-১` to the eye. Serials kept before under each spelling continue one sequence after the migration."""
    state = tmp_path / "state"
    spellings = ["কেসিসি/উৎক্\u200c/২২\u2013২৩", "কেসিসি/উৎক্/২২\u2212২৩", "কেসিসি/উৎক্\u200d/২২\u2012২৩"]
    meta = dict(source="new.xlsx", kind="cc", office="o", fiscal_year="2022-23", period="q2")
    _register_from_before(state, spellings, steps=13)  # step 14 keys them alike
    with Register(state) as register:
        entry, reused = register.allocate("কেসিসি/উৎক্/২২-২৩", "h-new", **meta)
        assert (entry.serial, reused) == (4, False)
        assert {register_prefix(e.prefix) for e in register.entries()} == {"কেসিসি/উৎক্/২২-২৩"}


@pytest.mark.parametrize("depth", ["report", "versions"])
def test_a_report_folder_linked_out_of_the_output_folder_gets_no_memo_and_no_letter(tmp_path, depth):
    """Found by a hostile run: a link planted on the output share (OUT/<year>/<office> → a folder elsewhere) took
    the letter, its memo was issued and the page said built, but every download was refused (it lies outside OUT).
    Now nothing is written there, no number is given, and once the link is gone the same workbook builds."""
    state, out = tmp_path / "state", tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    first = build(tmp_path, "probe.xlsx", tmp_path / "probe-state", tmp_path / "probe-out")
    letter = Path(first.outputs[0]).relative_to(tmp_path / "probe-out")
    link = out / (letter.parents[2] if depth == "report" else letter.parents[1])  # a re-attack: the versions folder
    link.parent.mkdir(parents=True)
    link.symlink_to(elsewhere, target_is_directory=True)
    linked = build(tmp_path, "w.xlsx", state, out)
    assert linked.status == "failed" and not linked.memo and not list(elsewhere.iterdir()), linked
    assert [f.code for f in linked.issues if f.severity == "error"] == ["could-not-write"]
    assert "link" in linked.issues[-1].en
    with Register(state) as register:
        assert [e for e in register.entries() if e.state == "issued"] == []
    link.unlink()
    again = build(tmp_path, "w.xlsx", state, out)
    assert again.status == "built" and again.memo == first.memo, again


@pytest.mark.parametrize("typed", [
    "৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২\u200b",  # a zero-width space, where pasting left it
    "\ufeff৪৬.২১.৬১০০.০৪৯.১৮.০০১.২২",  # a byte-order mark
    "৪৬.২১.৬১\u200c০০.০৪৯.১৮.০০১.২২",  # a joiner that joins nothing
])
def test_a_letter_that_prints_alike_keeps_its_one_memo_whatever_invisible_was_typed(tmp_path, typed):
    """helper-44: the same workbook with its prefix typed with an invisible character (or in another form) got a
    new serial each time, on both registers: the letters differed only in their serials. The content is the letter
    as printed: one memo."""
    state, out = tmp_path / "state", tmp_path / "out"
    plain = build(tmp_path, "plain.xlsx", state, out, memo_prefix=PREFIX)
    same = build(tmp_path, "same.xlsx", state, out, memo_prefix=typed)
    again = build(tmp_path, "again.xlsx", state, out, memo_prefix=typed, body="সংযুক্ত\u200b প্রতিবেদন প্রেরণ করা হলো।")
    other = build(tmp_path, "other.xlsx", state, out, memo_prefix=PREFIX, body="সংযুক্ত প্রতিবেদন প্রেরণ করা হলো।")
    assert plain.status == same.status == again.status == other.status == "built"
    assert same.memo == plain.memo and same.memo_reused
    assert again.memo == other.memo and plain.memo != again.memo  # (the body differs from the plain one's)
    one_memo_one_letter(state, out)


def test_a_letter_built_before_as_typed_keeps_its_memo_when_built_again(tmp_path, monkeypatch):
    """Before, the content was the text as typed: a letter built so keeps its memo (its version found as it was
    stamped), though the content is now the text as printed."""
    from generator.rules import validate

    state, out = tmp_path / "state", tmp_path / "out"
    typed = PREFIX + "\u200b"
    with monkeypatch.context() as m:  # as the content was kept before: the cells as typed
        m.setattr(validate, "_prefix_printed", lambda raw: None)
        before = build(tmp_path, "a.xlsx", state, out, memo_prefix=typed, body="সংযুক্ত\u200b প্রতিবেদন।")
    now = build(tmp_path, "a.xlsx", state, out, memo_prefix=typed, body="সংযুক্ত\u200b প্রতিবেদন।")
    assert before.status == now.status == "built" and now.memo == before.memo and now.memo_reused
    assert now.outputs == before.outputs
    twin = build(tmp_path, "twin.xlsx", state, out, memo_prefix=PREFIX, body="সংযুক্ত প্রতিবেদন।")  # typed plainly
    assert twin.memo != before.memo  # (before, the typed text was the content: the twin is new content there)
    again = build(tmp_path, "a.xlsx", state, out, memo_prefix=typed, body="সংযুক্ত\u200b প্রতিবেদন।")
    assert again.memo == before.memo  # its own memo, not the twin's that prints alike
    one_memo_one_letter(state, out)
