"""Checks on a read workbook: each finding names the sheet and cell, in Bangla with English beneath."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from dataclasses import dataclass, replace

from generator.text import bijoy, clock, clusters, controls, identity, values
from generator.rules import carried
from generator.spec import kinds, memo
from generator import model
from generator.spec.sheets import LETTER_SHEET
from generator.text.bangla import PERIODS, to_ascii_digits, to_bangla_digits, whole_number
from generator.model import RawWorkbook, Report
from generator.findings import Finding, error, warning
from generator.rules.validate_plan import PlanChecks
from generator.spec.sheets import TEMPLATE_VERSION
from generator.spec.codes import BAD_DATE, BAD_FISCAL_YEAR, BAD_NUMBER, BAD_PERIOD, FORMULA_WITHOUT_VALUE, MEMO_PREFIX_MALFORMED, MISSING_FIELD, PERIOD_NOT_FOR_KIND, UNKNOWN_KIND

MAX_MEMO_SERIAL = 999_999  # a register of an office's letters; more is a typing slip
MAX_ATTACHMENTS = 999
MEMO_SERIAL_JUMP = 100  # an explicit serial more than this far ahead of the register is probably a slip

STANDARD_MEMO_SHAPES = memo.STANDARD_SHAPES


@dataclass(frozen=True)
class Checked:
    """A workbook checked: its cells as typed and normalised (Bijoy converted to Unicode: what the content hash
    is taken of), the report made of them as documents print them (validate._printed; None when the kind is
    unusable), and every finding."""

    raw: RawWorkbook
    report: Report | None
    findings: list[Finding]
    printed: RawWorkbook | None = None  # the cells as documents print them, the memo prefix too (`_prefix_printed`)


def check(raw: RawWorkbook, *, today: dt.date | None = None,
          default_issue_date: dt.date | None = None) -> tuple[Report | None, list[Finding]]:
    """The report and the findings; no report when the kind is unusable."""
    checked = examine(raw, today=today, default_issue_date=default_issue_date)
    return checked.report, checked.findings


def examine(raw: RawWorkbook, *, today: dt.date | None = None, default_issue_date: dt.date | None = None) -> Checked:
    """Read the kind, normalise the cells, build the report and check it; `raw` is left as it was."""
    raw, cut = _too_long(raw)
    raw, cleaned = _controls(raw)
    kind, findings = _kind(raw)
    findings = cut + cleaned + findings
    if kind is None:
        return Checked(raw, None, findings)
    raw, converted = _bijoy(raw)
    hashed = raw  # the content as typed: a letter built before the text was printed so keeps its memo when built again
    raw, shown = _printed(raw)
    findings += converted + shown + _stray_signs(raw)
    findings += [error(
        FORMULA_WITHOUT_VALUE,
        "এই ঘরে সূত্র (formula) আছে কিন্তু হিসাব করা মান নেই: ফাইলটি এমন প্রোগ্রামে সংরক্ষিত যা হিসাব করে না। "
        "Excel বা LibreOffice-এ খুলে আবার সংরক্ষণ করুন, অথবা সূত্রের বদলে মান লিখুন।",
        "This cell holds a formula with no computed value: the file was saved by a program that does not "
        "calculate. Open it in Excel or LibreOffice and save it again, or type the value instead.",
        sheet, cell,
    ) for sheet, cell in raw.uncomputed]
    findings += [_error_value(sheet, cell, value, formula) for sheet, cell, value, formula in raw.error_values]
    findings += _columns(raw, kind)
    findings += [_repeated(raw, key, first, again) for key, first, again in raw.repeated]
    report = model.from_workbook(raw, kind)
    today = today or clock.today()
    findings += _fields(raw, report, today)
    findings += PlanChecks(raw, report, today=today, default_issue_date=default_issue_date).run()
    findings += _readings(raw, report)
    findings += carried.unchanged(raw)
    return Checked(hashed, report, findings, _prefix_printed(raw))


def _prefix_printed(raw: RawWorkbook) -> RawWorkbook:
    """`raw` (its cells as printed) with its memo prefix as printed too (`_printed` leaves it to the register): the
    content a memo is kept for, so that two workbooks whose letters print alike are one content."""
    prefix = raw.letter.get("memo_prefix")
    shown = identity.printed(prefix.value) if prefix is not None and isinstance(prefix.value, str) else None
    if prefix is None or shown is None or shown == prefix.value:
        return raw
    return replace(raw, letter={**raw.letter, "memo_prefix": replace(prefix, value=shown)})


def _repeated(raw: RawWorkbook, key: str, first: str, again: str) -> Finding:
    """A machine key written twice down the letter sheet (a row copied, or another's key typed over): only one
    value can go into the letter, and the row whose key was overwritten is lost from it."""
    return error(
        "repeated-key",
        f"'{key}' চাবিটি এই শিটে দুবার আছে ({first} ও {again}); পত্রে কেবল প্রথমটির মান যেত। বাড়তি সারিটি মুছুন, "
        "অথবা এই ঘরে যে চাবি ছিল তা ফিরিয়ে আনুন ('gen template' থেকে নেওয়া ছকের সঙ্গে মিলিয়ে দেখুন)।",
        f"The key '{key}' is in this sheet twice ({first} and {again}); the letter would take only the first one's "
        "value. Delete the extra row, or put back the key this cell held (compare a blank from 'gen template').",
        raw.letter_sheet, again)


def _error_value(sheet: str, cell: str, value: str, formula: bool) -> Finding:
    if formula:
        bn = (f"এই ঘরের সূত্রের ফল এক্সেলের ত্রুটি {value}: সূত্রটি যে ঘর বা মান চায় তা নেই বা ভুল। সূত্রটি ঠিক "
              "করুন, অথবা সূত্রের বদলে মানটি লিখুন।")
        en = (f"This cell's formula gives the Excel error {value}: a cell or value it needs is missing or wrong. "
              "Fix the formula, or type the value instead.")
    else:
        bn = (f"এই ঘরে এক্সেলের ত্রুটি-মান {value} আছে (সম্ভবত ভাঙা শিট থেকে কপি করা), সংখ্যা বা লেখা নয়; "
              "ফাঁকা ধরে নিলে নম্বর বদলে যেত। সঠিক মানটি লিখুন।")
        en = (f"This cell holds the Excel error value {value} (pasted from a broken sheet, most likely), not a "
              "number or text; read as blank it would change the score. Type the right value.")
    return error("error-value", bn, en, sheet, cell)


def _readings(raw: RawWorkbook, report: Report) -> list[Finding]:
    """Entries read one way of two: a plain fraction in a percent row (0.85) is scored and printed as
    85%; say so at the cell, so that nobody reads ০.৮৫ on one side and 85% on the other."""
    out = []
    for row in report.rows:
        for key, v in row.cells.items():
            if v.reading != "fraction" or key not in row.refs:
                continue
            shown, typed = v.display, to_bangla_digits(v.text)
            out.append(warning(
                "percent-as-fraction",
                f"শতাংশের সারিতে '{typed}' লেখা, % চিহ্ন ছাড়া: এটি {shown} হিসেবে পড়া, স্কোর করা ও ছাপা হয়েছে। "
                f"ঠিক থাকলে {shown} লিখুন; {typed}% বোঝালে {typed}% লিখুন।",
                f"'{v.text}' in a percent row, with no % sign: read, scored and printed as "
                f"{to_ascii_digits(shown)}. If that is right, type {to_ascii_digits(shown)}; "
                f"if you meant {v.text}%, type {v.text}%.",
                raw.table_sheet, row.refs[key],
            ))
    return out


def _each_text_cell(raw: RawWorkbook, change: Callable[[str, str, str], tuple[str, Finding | None] | None]
                    ) -> tuple[RawWorkbook, list[Finding]]:
    """Every text cell of both sheets through `change(text, sheet, cell)`, which gives (the new text, a finding
    saying so, or None for a change not worth a word) or None: a new RawWorkbook when any changed, and the findings."""
    out: list[Finding] = []
    changes = 0

    def each(cells: dict, sheet: str) -> dict:
        nonlocal changes
        cells = dict(cells)
        for key, cell in list(cells.items()):
            changed = change(cell.value, sheet, cell.ref) if isinstance(cell.value, str) else None
            if changed is not None:
                cells[key] = replace(cell, value=changed[0])
                changes += 1
                if changed[1] is not None:
                    out.append(changed[1])
        return cells

    letter = each(raw.letter, raw.letter_sheet)
    rows = [(number, each(cells, raw.table_sheet)) for number, cells in raw.plan_rows]
    return (replace(raw, letter=letter, plan_rows=rows) if changes else raw), out


def _printed(raw: RawWorkbook) -> tuple[RawWorkbook, list[Finding]]:
    """The cells' text as documents print it (identity.printed: composed, without what prints nothing), so a letter
    never carries a zero-width space or a direction mark, and one typed in decomposed Bangla is the same content
    as one typed composed. A direction mark is named in a warning at its cell: it could draw the text in another
    order than it was typed. A cell of nothing but such characters is left for the checks to name, and the memo
    prefix to the register, which keys it (the letter prints the memo the register gives)."""
    prefix = raw.letter.get("memo_prefix")

    def change(text: str, sheet: str, cell: str) -> tuple[str, Finding | None] | None:
        if prefix is not None and (sheet, cell) == (raw.letter_sheet, prefix.ref):
            return None
        shown = identity.printed(text)
        if shown == text or (not shown.strip() and text.strip()):
            return None
        marks = [c for c in dict.fromkeys(text) if c in identity.DIRECTION_MARKS]
        if not marks:
            return shown, None
        names = ", ".join(f"U+{ord(c):04X}" for c in marks)
        return shown, warning(
            "direction-mark-removed",
            f"এই ঘরে লেখার দিক বদলানোর অদৃশ্য চিহ্ন ({names}) ছিল, যা লেখাটিকে অন্য ক্রমে দেখাতে পারে; চিহ্নটি বাদ "
            f"দিয়ে লেখাটি যে ক্রমে টাইপ করা সেই ক্রমে ছাপা হলো: '{shown}'। ঠিক আছে কি না দেখুন।",
            f"This cell held an invisible direction mark ({names}), which can show text in another order than it "
            f"was typed; it was removed and the text is printed in its typed order: '{shown}'. Check it.",
            sheet, cell)

    return _each_text_cell(raw, change)


def _stray_signs(raw: RawWorkbook) -> list[Finding]:
    """A warning at each text cell holding a Bangla sign with no letter to sit on (text/clusters.py): the letter
    would print it on a dotted circle (◌ে), and it is most often text typed in visual order (েসবা for সেবা)."""
    out = []
    for sheet, cells in ((raw.letter_sheet, raw.letter), *((raw.table_sheet, c) for _, c in raw.plan_rows)):
        for cell in cells.values():
            words = clusters.stray_signs(cell.value) if isinstance(cell.value, str) else []
            if words:
                shown = "', '".join(w[:40] for w in words[:3])
                out.append(warning(
                    "stray-bangla-sign",
                    f"এই ঘরের '{shown}' শব্দে একটি কার বা চিহ্ন (যেমন ে, ি, ্, ঁ) কোনো বর্ণের পরে নেই, তাই পত্রে তা একটি "
                    "ফোঁটা-বৃত্তের (◌) ওপর ছাপা হবে। লেখাটি সম্ভবত পুরোনো রূপান্তরকারীতে উল্টো ক্রমে এসেছে (যেমন 'সেবা'-র "
                    "বদলে 'েসবা'): শুদ্ধ করে আবার লিখুন।",
                    f"In this cell the word '{shown}' has a vowel sign or mark (such as ে, ি, ্, ঁ) that follows no letter, "
                    "so the letter would print it on a dotted circle (◌). The text most likely came through an old "
                    "converter in visual order (েসবা for সেবা): retype it.",
                    sheet, cell.ref))
    return out


EXCEL_CELL_CHARACTERS = 32_767  # the most Excel lets a cell hold: more was written by another program


def _too_long(raw: RawWorkbook) -> tuple[RawWorkbook, list[Finding]]:
    """A cell longer than Excel allows, refused at its cell (and cut for the checks that still look at it)."""

    def change(text: str, sheet: str, cell: str) -> tuple[str, Finding] | None:
        if len(text) <= EXCEL_CELL_CHARACTERS:
            return None
        return text[:EXCEL_CELL_CHARACTERS], error(
            "cell-too-long",
            f"এই ঘরে {to_bangla_digits(len(text))}টি অক্ষর, Excel একটি ঘরে যত রাখে ({to_bangla_digits(EXCEL_CELL_CHARACTERS)}) "
            "তার চেয়ে বেশি: ফাইলটি অন্য কোনো প্রোগ্রামে লেখা। ঘরের লেখা ছোট করুন।",
            f"This cell holds {len(text)} characters, more than Excel lets a cell hold ({EXCEL_CELL_CHARACTERS}): the "
            "file was written by another program. Shorten the cell's text.",
            sheet, cell)

    return _each_text_cell(raw, change)


def _controls(raw: RawWorkbook) -> tuple[RawWorkbook, list[Finding]]:
    """The cells' text without the characters a Word file cannot hold (text/controls.py), and a warning at
    each cell that held one."""

    def change(text: str, sheet: str, cell: str) -> tuple[str, Finding] | None:
        if not controls.NOT_IN_XML.search(text):
            return None
        names = ", ".join(f"U+{ord(c):04X}" for c in controls.found(text))
        return controls.removed(text), warning(
            "control-character-removed",
            f"এই ঘরে অদৃশ্য নিয়ন্ত্রণ-অক্ষর ({names}) ছিল, যা Word ফাইলে রাখা যায় না (সম্ভবত অন্য প্রোগ্রাম থেকে "
            "কপি করা); সেটি বাদ দেওয়া হয়েছে। লেখাটি ঠিক আছে কি না দেখুন।",
            f"This cell held an invisible control character ({names}) that a Word file cannot hold (pasted from "
            "another program, most likely); it was removed. Check the text.",
            sheet, cell)

    return _each_text_cell(raw, change)


def _bijoy(raw: RawWorkbook) -> tuple[RawWorkbook, list[Finding]]:
    """The cells typed in Bijoy (SutonnyMJ) converted to Unicode, and a warning at each with both texts."""

    def change(text: str, sheet: str, cell: str) -> tuple[str, Finding] | None:
        fixed, changed = bijoy.fix(text)
        if not changed:
            return None
        return fixed, warning(
            "bijoy-converted",
            f"এই ঘরের লেখা বিজয় (সুতনিএমজে) ফন্টে টাইপ করা; ইউনিকোডে রূপান্তর করা হয়েছে: '{text}' → '{fixed}'। "
            "ঠিক আছে কি না দেখুন, এবং পরের বার ইউনিকোডে (যেমন নিকস ফন্টে) লিখুন।",
            f"This cell was typed in Bijoy (SutonnyMJ); converted to Unicode: '{text}' → '{fixed}'. "
            "Check it, and type in Unicode (e.g. the Nikosh font) next time.",
            sheet, cell)

    return _each_text_cell(raw, change)


def _letter_cell(raw: RawWorkbook, key: str) -> str | None:
    cell = raw.letter.get(key)
    return cell.ref if cell else None


def _kind(raw: RawWorkbook) -> tuple[kinds.Kind | None, list[Finding]]:
    if "kind" not in raw.letter:
        return None, [error(
            "not-our-workbook",
            "এটি আমাদের ছক নয়: 'পত্র' শিটে 'kind' চাবি নেই। 'gen template' দিয়ে পাওয়া ছকটি পূরণ করুন।",
            "This is not one of our workbooks: sheet 'পত্র' has no 'kind' key. Fill the workbook from 'gen template'.",
            raw.letter_sheet,
        )]
    text = str(raw.letter["kind"].value or "").strip()
    kind = kinds.get(text)
    if kind is not None:
        return kind, []
    cell = raw.letter["kind"].ref
    known = ", ".join(kinds.KINDS)
    return None, [error(
        UNKNOWN_KIND,
        f"প্রতিবেদনের ধরন '{text}' চেনা যায়নি; হতে পারে: {known}। ঘরটি বদলাবেন না, সঠিক ছক ব্যবহার করুন।",
        f"Unknown report kind '{text}'; expected one of: {known}. Do not edit this cell; use the right template.",
        raw.letter_sheet, cell,
    )]


def _columns(raw: RawWorkbook, kind: kinds.Kind) -> list[Finding]:
    missing = [k for k in kind.columns if k not in raw.plan_columns and not kinds.COLUMNS[k].optional]
    if not missing:
        return []
    return [error(
        "missing-columns",
        f"'{raw.table_sheet}' শিটে এই ধরনের ({kind.id}) ছকের কলাম নেই: {', '.join(missing)}। "
        f"সম্ভবত অন্য ধরনের ছক; 'gen template {kind.id}' দিয়ে পাওয়া ছক ব্যবহার করুন।",
        f"Sheet '{raw.table_sheet}' lacks the columns of a {kind.id} workbook: {', '.join(missing)}. "
        f"It is probably another kind's template; use the one from 'gen template {kind.id}'.",
        raw.table_sheet, "1:1",
    )]


def _fields(raw: RawWorkbook, report: Report, today: dt.date) -> list[Finding]:
    out = []
    for key, field in report.kind.field_map.items():
        value = report.get(key)
        # empty, or only what prints nothing (the memo prefix's own check says that of it, at the same cell)
        if field.required and (not value or (key != "memo_prefix" and not identity.key(value))):
            out.append(error(
                MISSING_FIELD,
                f"আবশ্যক ঘর '{field.label}' ফাঁকা। এখানে লিখুন{': ' + field.hint if field.hint else ''}।",
                f"Required field '{key}' is empty. Fill it in.",
                raw.letter_sheet, _letter_cell(raw, key) or f"C? ({key})",
            ))
    if identity.key(report.get("office_name")) and not report.office:  # the government's line, and nothing else
        out.append(error(
            MISSING_FIELD,
            f"'{report.kind.field_map['office_name'].label}' ঘরে শুধু সরকারের লাইন আছে, অফিসের নিজের নাম নেই। "
            "সরকারের লাইনের নিচের লাইনে অফিসের নাম লিখুন, যেমন: বিভাগীয় কমিশনারের কার্যালয়।",
            "The office_name cell holds only the government's line, not the office's own name. Type the office's "
            "name on the line below it, e.g. বিভাগীয় কমিশনারের কার্যালয়.",
            raw.letter_sheet, _letter_cell(raw, "office_name") or "C? (office_name)",
        ))
    version = to_ascii_digits(report.get("template_version"))
    if version and version != str(TEMPLATE_VERSION):
        number = whole_number(version)
        older = number is not None and number < TEMPLATE_VERSION
        out.append(error(
            "old-template" if older else "unknown-template-version",
            f"ছকের সংস্করণ {to_bangla_digits(version)}, কিন্তু এখন চলছে {to_bangla_digits(TEMPLATE_VERSION)}। "
            f"'gen template {report.kind.id}' দিয়ে নতুন ছক নিয়ে তথ্য কপি করুন।",
            f"Workbook layout version {version}; the current one is {TEMPLATE_VERSION}. "
            f"Get a new one with 'gen template {report.kind.id}' and copy your data into it.",
            raw.letter_sheet, _letter_cell(raw, "template_version"),
        ))
    if report.get("fiscal_year") and report.fiscal_year is None:
        out.append(error(
            BAD_FISCAL_YEAR,
            f"অর্থবছর '{report.get('fiscal_year')}' বোঝা যায়নি। এভাবে লিখুন: ২০২৩-২০২৪ বা ২০২৩-২৪।",
            f"Fiscal year '{report.get('fiscal_year')}' not understood. Write it as 2023-2024 or 2023-24.",
            raw.letter_sheet, _letter_cell(raw, "fiscal_year"),
        ))
    if report.get("period") and report.period is None:
        out.append(error(
            BAD_PERIOD,
            f"সময়কাল '{report.get('period')}' বোঝা যায়নি। তালিকা থেকে বাছুন, যেমন: ১ম ত্রৈমাসিক।",
            f"Period '{report.get('period')}' not understood. Pick one from the list, e.g. ১ম ত্রৈমাসিক (Q1).",
            raw.letter_sheet, _letter_cell(raw, "period"),
        ))
    if report.period and report.period.id not in report.kind.periods:
        allowed = ", ".join(p.name for p in PERIODS if p.id in report.kind.periods)
        out.append(error(
            PERIOD_NOT_FOR_KIND,
            f"এই প্রতিবেদন ({report.kind.report}) '{report.period.name}' সময়ের জন্য হয় না; হতে পারে: {allowed}।",
            f"This report is not made for period '{report.period.id}'; allowed: "
            f"{', '.join(p.id for p in PERIODS if p.id in report.kind.periods)}.",
            raw.letter_sheet, _letter_cell(raw, "period"),
        ))
    out += _memo(raw, report)
    out += _memo_separator(raw, report)
    out += _date(raw, report, today)
    for key, field in report.kind.field_map.items():
        if field.kind == "date" and key not in ("issue_date", "meeting_date") and report.get(key) \
                and report.date(key) is None:
            out.append(error(
                BAD_DATE,
                f"'{field.label}' ঘরের তারিখ '{report.get(key)}' {_not_a_date(report.get(key))[0]} এভাবে লিখুন: ০৭/০৭/২০২২।",
                f"Date '{report.get(key)}' in field '{key}' {_not_a_date(report.get(key))[1]} Write it as 07/07/2022.",
                raw.letter_sheet, _letter_cell(raw, key),
            ))
    count = report.get("attachment_count")
    if count and not 1 <= (whole_number(count) or 0) <= MAX_ATTACHMENTS:
        out.append(error(
            BAD_NUMBER,
            f"সংযুক্তির সংখ্যা '{count}' ১ থেকে {to_bangla_digits(MAX_ATTACHMENTS)} এর মধ্যে একটি পূর্ণ সংখ্যা হতে হবে, যেমন: ১।",
            f"Attachment count '{count}' must be a whole number from 1 to {MAX_ATTACHMENTS}, e.g. 1.",
            raw.letter_sheet, _letter_cell(raw, "attachment_count"),
        ))
    return out


def memo_prefix_shape(prefix: str) -> str:
    """'standard', 'malformed' (dotted digits of the wrong shape) or 'free-form' (of the normalized prefix:
    '৪৬. ১১. ১৬০০…' is read as '৪৬.১১.১৬০০…')."""
    shape = memo.shape(prefix)
    if shape is None:
        return "free-form"
    return "standard" if shape in STANDARD_MEMO_SHAPES else "malformed"


def _memo(raw: RawWorkbook, report: Report) -> list[Finding]:
    out = []
    typed, cell = report.get("memo_prefix"), _letter_cell(raw, "memo_prefix")
    # every check reads the prefix as the register keys it: what prints nothing, or prints alike, changes nothing
    code = identity.key(typed, folded=True)
    prefix = memo.normalize_prefix(code)
    if typed and memo.strip_label(typed)[1]:
        out.append(warning(
            "memo-prefix-label",
            f"স্মারক নম্বরের ঘরে সামনের 'স্মারক নং' লেখাটি বাদ দেওয়া হলো: '{typed}' → '{memo.register_prefix(typed)}'। "
            "এই ঘরে শুধু নথির কোড লিখুন; 'স্মারক নং' পত্রে আপনিই বসে।",
            f"The words 'স্মারক নং' (memo no.) typed in front of the memo prefix were dropped: '{typed}' → "
            f"'{memo.register_prefix(typed)}'. Type only the file code here; the letter prints the label itself.",
            raw.letter_sheet, cell,
        ))
    if typed and not memo.has_content(code):
        return out + [error(
            MEMO_PREFIX_MALFORMED,
            f"স্মারক নম্বর '{typed}' এ কোনো কোড নেই, শুধু চিহ্ন বা অদৃশ্য অক্ষর। নথির কোড লিখুন, যেমন: "
            "৪৬.১১.১৬০০.০০১.১৮.০৪১.২৩।",
            f"Memo prefix '{typed}' holds no code, only punctuation or invisible characters. Type the file code, "
            "e.g. 46.11.1600.001.18.041.23.",
            raw.letter_sheet, cell,
        )]
    serial_typed = memo.trailing_serial(code) if code else None
    if serial_typed:
        code, serial = serial_typed
        return out + [error(
            "memo-prefix-has-serial",
            f"স্মারক নম্বরের ঘরে ক্রমিকসহ পুরো নম্বর লেখা: '{typed}'। এই ঘরে শুধু কোড '{to_bangla_digits(code)}' লিখুন; "
            f"ক্রমিক ({to_bangla_digits(serial)}) ক্রমিকের ঘরে লিখুন অথবা ফাঁকা রাখুন, রেজিস্টার পরের নম্বর দেবে।",
            f"The memo prefix holds a whole memo number, serial included: '{typed}'. Type only the code "
            f"'{to_ascii_digits(code)}' here; put the serial ({to_ascii_digits(serial)}) in memo_serial, or leave that "
            "blank for the register's next number.",
            raw.letter_sheet, cell,
        )]
    if prefix:
        shape = memo_prefix_shape(prefix)
        if shape == "malformed":
            out.append(error(
                MEMO_PREFIX_MALFORMED,
                f"স্মারক নম্বর '{typed}' মানসম্মত কাঠামোর নয়। ৭ অংশ (২.২.৪.৩.২.৩.২ অঙ্ক, যেমন ৪৬.১১.১৬০০.০০১.১৮.০৪১.২৩) "
                "বা ৮ অংশ (২.২.৪.৩.৩.২.৪.২ অঙ্ক) লিখুন; ড্যাশ ও ক্রমিক আলাদা ঘরে।",
                f"Memo prefix '{typed}' has the wrong shape: write 7 segments of 2.2.4.3.2.3.2 digits or "
                "8 segments of 2.2.4.3.3.2.4.2 digits; the dash and serial go in memo_serial.",
                raw.letter_sheet, cell,
            ))
        elif shape == "free-form":
            out.append(warning(
                "memo-prefix-free-form",
                f"স্মারক নম্বর '{typed}' স্থানীয় কোড হিসেবে গ্রহণ করা হলো (মানসম্মত নথি কোড নয়)।",
                f"Memo prefix '{typed}' accepted as a local code (not a standard file code).",
                raw.letter_sheet, cell,
            ))
    serial = report.get("memo_serial")
    if serial and not 1 <= (report.memo_serial or 0) <= MAX_MEMO_SERIAL:
        out.append(error(
            "bad-memo-serial",
            f"স্মারকের ক্রমিক '{to_bangla_digits(serial)}' ১ থেকে {to_bangla_digits(MAX_MEMO_SERIAL)} এর মধ্যে "
            f"শুধু অঙ্কে লিখুন, যেমন: ১৯২; অথবা ঘরটি ফাঁকা রাখুন।",
            f"Memo serial '{serial}' must be a whole number from 1 to {MAX_MEMO_SERIAL}, e.g. 192; "
            "or leave it blank for the register.",
            raw.letter_sheet, _letter_cell(raw, "memo_serial"),
        ))
    return out


def _memo_separator(raw: RawWorkbook, report: Report) -> list[Finding]:
    """`memo_separator`, when given, is '-' or '.': the two forms the seeds write (…০৭-১৯২, …১৭.২৯৯)."""
    typed = report.get("memo_separator").strip()
    if not typed or memo.chosen_separator(typed) is not None:
        return []
    return [error(
        "bad-memo-separator",
        f"কোড ও ক্রমিকের মাঝের চিহ্ন '{typed}' হতে পারে না। শুধু - (ড্যাশ, যেমন …০৭-১৯২) অথবা . (বিন্দু, যেমন "
        "…১৭.২৯৯) লিখুন, অথবা ঘরটি ফাঁকা রাখুন।",
        f"Memo separator '{typed}' is not allowed. Type only - (a dash, as in …07-192) or . (a dot, as in "
        "…17.299), or leave the cell blank.",
        raw.letter_sheet, _letter_cell(raw, "memo_separator"),
    )]


def memo_serial_gap(serial: int, last: int | None, prefix: str, cell: str | None,
                    sheet: str = LETTER_SHEET) -> Finding | None:
    """A warning when an explicit memo_serial runs far ahead of the register's last serial under the same
    prefix (২০২৩ typed, a year, where the register is at ১২): it names the gap the serial would leave, and
    that the register's next number would follow it. None when the register has no serial for the prefix
    yet (an office may start using the service mid-year) or the serial is near."""
    if last is None or serial - last <= MEMO_SERIAL_JUMP:
        return None
    first, end, count = last + 1, serial - 1, serial - last - 1
    return warning(
        "memo-serial-gap",
        f"স্মারকের ক্রমিক {to_bangla_digits(serial)}, কিন্তু রেজিস্টারে {prefix} নথির শেষ ক্রমিক {to_bangla_digits(last)}: "
        f"{to_bangla_digits(first)} থেকে {to_bangla_digits(end)} পর্যন্ত {to_bangla_digits(count)}টি নম্বর ফাঁকা থাকবে, "
        f"এবং রেজিস্টারের পরের নম্বর হবে {to_bangla_digits(serial + 1)}। ভুলে (যেমন সাল) লেখা হলে ক্রমিকের ঘর ঠিক করুন বা ফাঁকা রাখুন।",
        f"Memo serial {serial} is far ahead of the register's last serial {last} under {to_ascii_digits(prefix)}: "
        f"it leaves {count} numbers unused ({first} to {end}), and the register's next number would be {serial + 1}. "
        "If it was typed by mistake (a year, say), correct memo_serial or leave it blank.",
        sheet, cell,
    )


def _not_a_date(text: str) -> tuple[str, str]:
    """Why a date field's text is not a date: a day that does not exist is told so, anything else not understood."""
    trouble = values.date_trouble(text)
    if trouble:
        return f"ক্যালেন্ডারে নেই: {trouble[0]}।", f"does not exist: {trouble[1]}."
    return "বোঝা যায়নি।", "not understood."


def _date(raw: RawWorkbook, report: Report, today: dt.date) -> list[Finding]:
    if report.get("meeting_date") and report.date("meeting_date") is None:
        return [error(
            BAD_DATE,
            f"সভার তারিখ '{report.get('meeting_date')}' {_not_a_date(report.get('meeting_date'))[0]} এভাবে লিখুন: "
            "২২/০৬/২০২৩।",
            f"Meeting date '{report.get('meeting_date')}' {_not_a_date(report.get('meeting_date'))[1]} Write it as "
            "22/06/2023.",
            raw.letter_sheet, _letter_cell(raw, "meeting_date"),
        )]
    cell = _letter_cell(raw, "issue_date")
    if not report.get("issue_date"):
        return []
    if report.issue_date is None:
        return [error(
            BAD_DATE,
            f"তারিখ '{report.get('issue_date')}' {_not_a_date(report.get('issue_date'))[0]} এভাবে লিখুন: ১০/১০/২০২৩।",
            f"Date '{report.get('issue_date')}' {_not_a_date(report.get('issue_date'))[1]} Write it as 10/10/2023.",
            raw.letter_sheet, cell,
        )]
    if report.issue_date > today:
        return [warning(
            "future-date",
            "পত্রের তারিখ ভবিষ্যতের। ঠিক আছে কি না দেখুন।",
            f"The letter's date {report.issue_date.isoformat()} is in the future. Check it.",
            raw.letter_sheet, cell,
        )]
    fy = report.fiscal_year
    if fy and not (fy.first_day <= report.issue_date <= dt.date(fy.end + 1, 6, 30)):
        return [warning(
            "date-outside-year",
            f"পত্রের তারিখ অর্থবছর {fy.label}-এর সময়ের সাথে মেলে না। ঠিক আছে কি না দেখুন।",
            f"The letter's date {report.issue_date.isoformat()} is far from fiscal year {fy.slug}. Check it.",
            raw.letter_sheet, cell,
        )]
    return []
