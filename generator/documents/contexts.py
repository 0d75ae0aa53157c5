"""What fills each Word template: the letter's, the annex's and the minutes' fields, from a checked report,
its scores, its memo and its date, in Bangla as the seeds write it."""

from __future__ import annotations

import datetime as dt
import re

from generator.documents import fit, layout
from generator.documents.measures import BODY_PT, CELL_MARGINS_CM, MEMO_WIDTHS, SIGNATURE_BLOCK_CM, SIGNATURE_SLOTS
from generator.documents.measures import TABLE_PT, MINUTES_CELL_PT, SIGNATURE_PT, SIGNATURE_SLOT_CM, minutes_widths
from generator.documents.runs import Runs
from generator.model import PlanRow, Report
from generator.rules import scoring
from generator.rules.scoring import ScoreCard, score_report
from generator.spec.columns import COLUMNS
from generator.spec.fonts import BANGLA_FONT
from generator.spec import memo as memo_numbers
from generator.spec.fields import COPIES_HEADING, GOVERNMENT_LINE
from generator.spec.kinds import Kind
from generator.text import bangla, identity
from generator.text.values import COUNT_SUFFIXES, NONE_WORDS, format_number

_TOP_LEVEL_COMMA = re.compile(r",(?![^()]*\))")  # a comma not inside parentheses


# Text helpers ---------------------------------------------------------------------------

def bn_text(text: str) -> str:
    """Bangla digits in Bangla running text; Latin-script words, e-mail and web addresses keep theirs
    (the rule: bangla.bangla_digits_in_text)."""
    return bangla.bangla_digits_in_text(text)


# a consonant (not ৎ, which takes no vowel sign), or the nukta NFC writes য়, ড়, ঢ় with (কার্যালয় → কার্যালয়ের)
_CONSONANT = re.compile(r"[\u0995-\u09B9\u09BC\u09DC-\u09DF]")
_VOWEL = re.compile(r"[\u0985-\u0994\u09BE-\u09CC\u09D7]")  # a vowel, or a vowel sign


def genitive(name: str) -> str:
    """চট্টগ্রাম সিটি কর্পোরেশন → …কর্পোরেশনের; a name ending in a vowel or a vowel sign takes র; one ending
    in anything else (a bracket, a digit, a Latin letter: '(বিআরটিএ)', 'অঞ্চল-৫') takes -এর, as seed 000
    writes ')-এর' (a vowel sign there would hang alone, on a dotted circle). A name with a comma in it takes
    -এর too ('জেলা প্রশাসকের কার্যালয়, রংপুর-এর', as seed 003 sets 'রংপুর এর' apart): 'রংপুরের' would make the
    genitive the town's alone."""
    name = name.rstrip("। ")
    if not name:
        return name
    if "," in name:
        return name + "-এর"
    if _CONSONANT.fullmatch(name[-1]):
        return name + "ের"
    return name + ("র" if _VOWEL.fullmatch(name[-1]) else "-এর")


# A half-year's and a year's report are named as the seeds name them, without the genitive ending:
# "২০২২-২৩ এর অর্ধবার্ষিক স্ব-মূল্যায়ন প্রতিবেদন" (seed 001), not "…অর্ধবার্ষিকের…"; a quarter's keeps it
# ("১ম ত্রৈমাসিকের অগ্রগতি প্রতিবেদন", seed 000).
_NAMED_AS_IS = ("h1", "annual")


def period_genitive(period: bangla.Period) -> str:
    return period.name if period.id in _NAMED_AS_IS else period.genitive


def to_date(period: bangla.Period, word: str = "ত্রৈমাসিক") -> str:
    """The quarters a year-to-date figure covers: '১ম ত্রৈমাসিক' for the first, '১ম-২য় ত্রৈমাসিক' for the
    second (the figures are from the start of the fiscal year), the period's name for the half year and year."""
    if period.id in _NAMED_AS_IS:
        return period.name
    last = period.quarters[-1]
    quarters = bangla.ordinal(1) if last == 1 else f"{bangla.ordinal(1)}-{bangla.ordinal(last)}"
    return f"{quarters} {word}"


def progress_heading(period: bangla.Period) -> str:
    """The heading of the year-to-date progress column: 'অগ্রগতি প্রতিবেদন ১ম কোয়ার্টার' (seed 000),
    'অগ্রগতি প্রতিবেদন ১ম-২য় কোয়ার্টার' for a later quarter, 'অর্ধবার্ষিক অগ্রগতি' (seed 004) and
    'বার্ষিক অগ্রগতি' for the half year and the year."""
    if period.id in _NAMED_AS_IS:
        return f"{period.name} অগ্রগতি"
    return f"অগ্রগতি প্রতিবেদন {to_date(period, 'কোয়ার্টার')}"


def wording_fields(report: Report) -> dict[str, str]:
    kind, fy, period = report.kind, report.fiscal_year, report.period
    assert fy is not None and period is not None  # required fields: a report with either unread is not rendered
    start, end = bangla.period_span(period, fy)
    year_start = dt.date(fy.start, 7, 1)  # a fiscal year runs from July

    def months(fmt: str, first: dt.date | None = None) -> str:
        return " হতে ".join(fmt.format(m=bangla.GREGORIAN_MONTHS_BN[d.month - 1], y=bangla.to_bangla_digits(d.year),
                                       yy=bangla.to_bangla_digits(f"{d.year % 100:02d}"))
                            for d in (first or start, end))

    return {
        "plan": kind.plan,
        "report": kind.report,
        "office": report.office_line,
        "office_genitive": genitive(report.office_line),
        "fy": fy.label,
        "fy_long": fy.long_label,
        "months_short_from_to": months("{m} {yy}"),
        "months_comma_from_to": months("{m}, {y}"),
        "period": period.name,
        "period_genitive": period_genitive(period),
        "period_short": period.short,
        "progress_heading": progress_heading(period),
        "period_to_date": to_date(period),
        # the months a year-to-date figure covers: from the fiscal year's first month to the period's last
        "months_to_date_from_to": months("{m} {y}", year_start),
        "months_to_date_comma_from_to": months("{m}, {y}", year_start),
        "months": bangla.month_range(period, fy),
        "months_from_to": bangla.month_range(period, fy, joiner=" হতে "),
    }


# Contexts -------------------------------------------------------------------------------

def office_parents(report: Report) -> list[str]:
    """The letterhead's lines above the office's name: `office_parents`, one a line, else the government's
    line, unless the office wrote that line into its name already. A line typed twice in a row prints once, and
    so does the office's name typed as the last of them (it prints right under them); a line repeated further
    apart is the office's to say (two offices of one city), and stays."""
    typed = report.lines("office_parents")
    if typed and all(identity.key(line, folded=True).lower() in NONE_WORDS for line in typed):
        return []  # a dash (or নেই): no line over the name, not even the government's
    lines: list[str] = []
    for line in map(bn_text, typed):
        if not lines or _plain(line) != _plain(lines[-1]):
            lines.append(line)
    named = [_plain(bn_text(line)) for line in report.lines("office_name")]
    if lines and named and _plain(lines[-1]) == named[0]:
        lines.pop()
    if lines:
        return lines
    return [] if _plain(GOVERNMENT_LINE) in named else [GOVERNMENT_LINE]


def _plain(text: str) -> str:
    """A line as it prints, for telling repeats (spaces, a danda, joiners, dashes and Unicode forms aside)."""
    return " ".join(identity.key(text, "bangla", folded=True).replace("।", " ").split())


def printed_memo(report: Report, memo: str) -> str:
    """The memo number with the office's own separator (`memo_separator`), as printed; the register's is `memo`."""
    return memo_numbers.printed(memo, report.get("memo_prefix"), report.get("memo_separator"))


MEMO_BESIDE_CM = MEMO_WIDTHS[0] - CELL_MARGINS_CM  # the memo's cell beside the date
MEMO_ALONE_CM = sum(MEMO_WIDTHS) - CELL_MARGINS_CM  # the whole width, in a row of its own
SMALLEST_BESIDE = 11.0  # below this a long code goes over the date rather than shrink further


def memo_fields(label: str, memo: str) -> dict:
    """The memo line, never wrapped: beside the date at the largest size it fits (14 pt down to 11), else in
    a row of its own over the date at the size it fits there (down to 10 pt)."""
    text = f"{label} {memo}"
    sizes = tuple(s for s in fit.MEMO_SIZES if s >= SMALLEST_BESIDE)
    size = fit.fitting_size(text, MEMO_BESIDE_CM, sizes)
    alone = fit.width_cm(text, size) > MEMO_BESIDE_CM
    if alone:
        size = fit.fitting_size(text, MEMO_ALONE_CM)
    line = Runs(text, size=round(size * 2), font=f"eastAsia:{BANGLA_FONT}")
    return {"memo_beside": "" if alone else line, "memo_alone": line if alone else "", "memo_pt": size}


RECIPIENT_CM = SIGNATURE_BLOCK_CM[0] - CELL_MARGINS_CM - 0.1  # the recipient's cell, the same way
SIGNATURE_CM = SIGNATURE_BLOCK_CM[1] - CELL_MARGINS_CM - 0.1  # the signature's cell, less Word's cell margins
WEB_LINE_CM = 16.5 - 0.2  # the letterhead's line of web and e-mail addresses (A4 less the letter's margins)
NBSP = "\u00a0"
_PARENTHESES = re.compile(r"\([^()]*\)")


def keep_parentheses(text: str) -> str:
    """No line break inside parentheses: the spaces in them made no-break spaces ('(মোঃ আব্দুল করিম)',
    'প্রধান নির্বাহী কর্মকর্তা (অতিরিক্ত দায়িত্ব)')."""
    return _PARENTHESES.sub(lambda m: m.group(0).replace(" ", NBSP), text)


def _unbroken_size(text: str, size: float, room_cm: float, smallest: float = 9.0) -> float:
    """The largest size from `size` down (half points) at which the widest part of `text` a line may not break
    inside (a word, an address, a parenthesis) fits `room_cm`; `smallest` when none does."""
    widest = max(text.split(" "), key=lambda part: fit.width_cm(part, size))
    sizes = [size - 0.5 * i for i in range(int((size - smallest) * 2) + 1)]
    return fit.fitting_size(widest, room_cm, tuple(sizes))


def _kept_or_wrapped(kept: str, plain: str) -> tuple[str, float]:
    """`kept` (no break inside its parentheses) at the largest size down to 10 pt at which its longest unbreakable
    part fits the signature's cell; when none does (a seven-word name), `plain`, wrapped between its words: never
    broken inside one (চৌ|ধুরী)."""
    size = _unbroken_size(kept, BODY_PT, SIGNATURE_CM, 10.0)
    if max(fit.width_cm(part, size) for part in kept.split(" ")) <= SIGNATURE_CM:
        return kept, size
    return plain, _unbroken_size(plain, BODY_PT, SIGNATURE_CM, 10.0)


def _address_lines(label: str, value: str, room_cm: float) -> list[str]:
    """`label value` on one line when it fits the cell at 11 pt; else one line per comma-separated part (phone
    numbers), the label on the first, or on a line of its own when even that does not fit at 8 pt."""
    parts = [p.strip() for p in _TOP_LEVEL_COMMA.split(value) if p.strip()]
    whole = f"{label} {', '.join(parts)}"
    if fit.width_cm(whole, 11) <= room_cm or not parts:
        return [whole]
    parts = [p + ("," if i < len(parts) - 1 else "") for i, p in enumerate(parts)]
    first = f"{label} {parts[0]}"
    return [first, *parts[1:]] if fit.width_cm(first, ADDRESS_SIZES[-1]) <= room_cm else [label, *parts]


ADDRESS_SIZES = (11.0, 10.5, 10.0, 9.5, 9.0, 8.5, 8.0)  # the seeds print phone and e-mail at 11 pt


def signature_block(report: Report) -> Runs:
    """The letter's signature: the name in parentheses, the designation's lines, phone and e-mail, centred, a
    paragraph each (docxtpl makes a paragraph of each part after an \\a, with the template paragraph's settings).
    Nothing breaks inside parentheses or inside an address or a phone number: the spaces in parentheses are
    no-break spaces and a name or designation line whose longest such part is wider than the cell is set smaller
    (down to 10 pt); a phone or e-mail line is never broken at all: it is set at the size it fits the cell at
    whole (down to 8 pt), else split between its numbers (or after its label) into lines that fit. An address
    wider than the cell even at 8 pt (over about 40 characters) breaks after its dots and @ (address_breaks)."""
    block, first = Runs(), True

    def line(text: str, size: float) -> None:
        nonlocal first
        block.add(("" if first else "\a") + text, size=round(size * 2), font=f"eastAsia:{BANGLA_FONT}")
        first = False

    name = bn_text(report.get("signatory_name"))
    if name:
        line(*_kept_or_wrapped(f"({name})".replace(" ", NBSP), f"({name})"))
    for designation in map(bn_text, report.lines("signatory_designation")):
        line(*_kept_or_wrapped(keep_parentheses(designation), designation))
    phone = bn_text(report.get("signatory_phone"))
    email = report.get("signatory_email").replace(" ", "")
    for label, value in (("ফোন:", phone), ("ই-মেইল:", email)):
        for text in _address_lines(label, value, SIGNATURE_CM) if value else ():
            size = fit.fitting_size(text, SIGNATURE_CM, ADDRESS_SIZES)
            line(address_breaks(text, SIGNATURE_CM, size), size)
    return block


_NUMBER_HYPHEN = re.compile(r"(?<=[0-9০-৯])-(?=[0-9০-৯])")


def unbroken_numbers(text: str) -> str:
    """A phone number's hyphens made non-breaking (U+2011, Word's own no-break hyphen): the letterhead's list
    of numbers breaks between numbers, never inside one ('০১৭১১-' at a line's end, '১২৩৪৫৬' on the next)."""
    return _NUMBER_HYPHEN.sub("\u2011", text)


def web_line(report: Report) -> str:
    """The letterhead's web and e-mail addresses on one line when they fit, else the e-mail on a line of its own:
    never a line broken inside an address (a hyphen or slash in one would otherwise offer a break)."""
    site, email = report.get("office_website"), report.get("office_email")
    parts = [p for p in (site, email and f"ই-মেইল: {email}") if p]
    line = ", ".join(parts)
    return line if fit.width_cm(line, 11) <= WEB_LINE_CM else "\n".join(parts)


def office_place(report: Report) -> str:
    """The office's place under its name on the annex (seed 001: ময়মনসিংহ), from the last line of its address."""
    lines = report.lines("office_address")
    return bn_text(lines[-1].rstrip("। ")) if lines else ""


def attachment_line(report: Report, annex_count: int, annex_pages: int | None = None, evidence_files: int = 0) -> str:
    """What the letter says is attached: the workbook's count, else the annex's real page count when the annex was
    converted to PDF (`annex_pages`), else one annex; then the evidence files the bundle carries, counted apart
    (`২ (দুই) পাতা ও প্রমাণক ৩ (তিন)টি ফাইল`) unless the workbook's unit already names the evidence. A count in
    pages (পাতা, পৃষ্ঠা) that the converted annex contradicts is the annex's real count (the build warns,
    `attachment-pages-differ`): a letter is never issued saying less or more than it carries."""
    count = report.get("attachment_count") or annex_pages or annex_count
    unit = report.get("attachment_unit") or ("পাতা" if annex_pages and not report.get("attachment_count") else "ফর্দ")
    if annex_pages and str(unit).strip() in PAGE_UNITS and typed_count(count) not in (None, annex_pages):
        count = str(annex_pages).zfill(len(str(count).strip()))  # '০১' typed: '০২' printed
    line = bangla.count_phrase(count, unit)
    if evidence_files and "প্রমাণক" not in str(unit):
        line += f" ও প্রমাণক {bangla.count_phrase(evidence_files, '')}টি ফাইল"
    return line


PAGE_UNITS = ("পাতা", "পৃষ্ঠা")


def typed_count(value: object) -> int | None:
    """A count typed as digits (Bangla or English, '০১'), else None."""
    text = bangla.to_ascii_digits(str(value or "").strip())
    return int(text) if text.isdigit() and text.isascii() else None


def letter_context(report: Report, memo: str, issue_date: dt.date, annex_count: int,
                   annex_pages: int | None = None, evidence_files: int = 0) -> dict:
    """The letter's fields. Its attachment line: attachment_line."""
    kind, words = report.kind, wording_fields(report)
    body_format = kind.body_with_reference if report.get("reference") else kind.body
    contacts = [("ফোন", report.get("office_phone")), ("ফ্যাক্স", report.get("office_fax"))]
    return {
        "letterhead_slogan": bn_text(report.get("letterhead_slogan")),
        "office_parents": office_parents(report),
        "office_name": "\n".join(bn_text(line) for line in report.lines("office_name")),
        "office_unit": bn_text(report.get("office_unit")),
        "office_address": bn_text(report.get("office_address")),
        "web_line": web_line(report),
        "contact_line": ", ".join(f"{label}: {unbroken_numbers(bn_text(value))}" for label, value in contacts if value),
        "memo": printed_memo(report, memo),
        **memo_fields("স্মারক:", printed_memo(report, memo)),
        "date_bangla": bangla.format_bangla_date(issue_date),
        "date_gregorian": bangla.format_gregorian_date(issue_date),
        "subject": bn_text(report.get("subject") or kind.subject.format(**words)),
        "reference": bn_text(report.get("reference")),
        "body": address_breaks(bn_text(report.get("body") or body_format.format(**words)), BODY_ADDRESS_CM, BODY_PT,
                               hyphens=False),
        "attachment": attachment_line(report, annex_count, annex_pages, evidence_files),
        "recipient": [address_breaks(bn_text(line), RECIPIENT_CM, BODY_PT) for line in report.lines("recipient")],
        "block_whole": "1" if len(report.lines("recipient")) + len(report.lines("attention")) <= BLOCK_WHOLE_LINES else "0",
        "attention": address_breaks(bn_text(report.get("attention")), RECIPIENT_CM, BODY_PT),
        "signatory_name": bn_text(report.get("signatory_name")),
        "signatory_designation": bn_text(report.get("signatory_designation")),
        "signatory_phone": bn_text(report.get("signatory_phone")),
        "signatory_email": report.get("signatory_email"),
        "signature": signature_block(report),
        "copies": [f"{bangla.to_bangla_digits(i)}। {bn_text(line)}" for i, line in enumerate(report.lines("copies"), 1)],
        "copies_heading": bn_text(report.get("copies_heading")) or COPIES_HEADING,
    }


_BLANK_ROW = dict.fromkeys(COLUMNS, "")


def _row_context(row: PlanRow, kind: Kind) -> dict:
    cells = {key: _cell_text(key, value) for key, value in row.cells.items()}
    progress = [cells.get("achieved", ""), cells.get("remarks", "")]
    brackets = kind.bracket_codes
    section = cells.get("area", "")
    if cells.get("area_no"):
        section = f"{cells['area_no'].rstrip('.')}. {section}"
    return {
        **_BLANK_ROW,
        **cells,
        "area": _coded(cells.get("area_no", ""), cells.get("area", ""), brackets),
        "activity": _coded(cells.get("activity_no", ""), cells.get("activity", ""), brackets),
        "indicator": _coded(cells.get("indicator_no", ""), cells.get("indicator", ""), brackets),
        "section": section,
        **_pairs(row, cells, kind),
        "progress": "\n".join(p for p in progress if p),
        "area_first": row.area_first,
        "activity_first": row.activity_first,
    }


BLOCK_WHOLE_LINES = 20  # a recipient block up to this many lines is kept whole with the signature; a taller one
# (a distribution list) flows: kept whole, it left a page holding only the attachment line


def _cell_text(key: str, value) -> str:
    """A plan value as the annex prints it; in the narrow numbers' columns every date as '৩১/১২/২৩'."""
    if value.date is not None and key in COLUMNS and COLUMNS[key].numeric:
        return bangla.format_table_date(value.date)
    return address_breaks(breakable(bn_text(value.display)), layout.WHOLE_CM, TABLE_PT, hyphens=False)


_SLASH = re.compile(r"(?<=[\u0980-\u09e5\u09f0-\u09ffA-Za-z])/(?=[\u0980-\u09e5\u09f0-\u09ffA-Za-z])")  # letters, not digits


_ADDRESS = re.compile(r"www\.|://|@|\.(?:gov|com|org|net|edu|info|bd)\b", re.IGNORECASE)


def breakable(text: str) -> str:
    """A zero-width space after a slash between words ('কর্মশালা/প্রশিক্ষণ/সেমিনার'), so that a narrow
    table column breaks the line there, not inside a letter cluster; never inside a web or e-mail address
    (www.rangpur.gov.bd/site/view/rti stays whole: the annex's column is made as wide as it)."""
    if "/" not in text:
        return text
    return "".join(part if _ADDRESS.search(part) else _SLASH.sub("/\u200b", part)
                   for part in re.split(r"(\s+)", text))


_ADDRESS_BREAK = re.compile(r"(?<=[.@/_-])(?=[^\s.@/_-])")
_ADDRESS_BREAK_NO_HYPHEN = re.compile(r"(?<=[./@_])(?=[^\s./@_])")


def address_breaks(text: str, room_cm: float, size: float, *, hyphens: bool = True) -> str:
    """An e-mail or web address wider than `room_cm` (at `size` points) with a zero-width space after each dot, @,
    slash, underscore and (with `hyphens`) hyphen inside it, so that a line breaks it there ('citizencharter.' /
    'rangpurdiv@' / 'mopa.gov.bd)'), not at any letter where LibreOffice finds no break ('citizencharter.r' /
    'angpurdiv@mo', 'portal.go' / 'v.bd'), nor moves it whole to the next line and stretches a justified one. A PDF
    gives no character for it. Without `hyphens` where the text must read back whole (the annex, the body): a PDF
    reader's text drops a hyphen at a line's end. An address that fits is left as it is."""
    if not _ADDRESS.search(text):
        return text
    after = _ADDRESS_BREAK if hyphens else _ADDRESS_BREAK_NO_HYPHEN
    return "".join(after.sub("\u200b", part) if _ADDRESS.search(part) and fit.width_cm(part, size) > room_cm
                   else part for part in re.split(r"(\s+)", text))


def _coded(code: str, text: str, brackets: bool = True) -> str:
    """'[১.১] text' (or '১.১ text'), unless the text already starts with its code."""
    code = code.strip()
    if not code or text.startswith(code):
        return text
    if brackets and not code.startswith("["):
        code = f"[{code}]"
    return f"{code} {text}" if text else code


def _pairs(row: PlanRow, cells: dict, kind: Kind) -> dict:
    """The target line and the achievement line of an annex with two-line columns (r.q1_t, r.q1_a, r.total_t, …)."""
    if not any(COLUMNS[key].two_lines for key in kind.annex_columns):
        return {}
    unit = scoring.unit_of(row) if row.text("unit") else scoring.COUNT
    target, _ = scoring.quarter_totals(row, unit, range(1, 5))
    _, got = scoring.quarter_totals(row, unit, range(1, 5))
    fmt = (lambda x: format_number(x * 100) + "%") if unit == scoring.PERCENT else format_number
    out = {"pair_label_t": "লক্ষ্যমাত্রা", "pair_label_a": "অর্জন",
           "total_t": "" if target is None or unit == scoring.DATE else fmt(target) + _suffix(row, "target"),
           "total_a": "" if got is None or unit == scoring.DATE else fmt(got) + _suffix(row, "achieved")}
    for q in range(1, 5):
        out[f"q{q}_t"], out[f"q{q}_a"] = cells.get(f"q{q}_target", ""), cells.get(f"q{q}_achieved", "")
    return out


_SUFFIX = re.compile(r"[0-9০-৯.]\s*(" + "|".join(COUNT_SUFFIXES) + r")\s*$")


def _suffix(row: PlanRow, part: str) -> str:
    """The count word the office wrote after its quarterly figures ('৪০জন', '২টি'), kept on their total
    ('৮০জন'), when every figure that has one has the same; else nothing."""
    found = set()
    for q in range(1, 5):
        m = _SUFFIX.search(row.text(f"q{q}_{part}"))
        if m:
            found.add(m.group(0)[1:] if m.group(0)[1:2].isspace() else m.group(1))
    return found.pop() if len(found) == 1 else ""


def signature_lines(entries: list[str], office: str, signed_on: dt.date | None = None) -> list[str]:
    """Signatories side by side under the annex, three to a line, each as name / designation / office (the
    office added only when the entry does not already name it; every part an entry gives is printed), then
    the signing date when given."""
    people = []
    for entry in entries:
        parts = [p.strip() for p in _TOP_LEVEL_COMMA.split(entry) if p.strip()]
        if len(parts) < 3 and not any(_names(part, office) for part in parts):
            parts += [office]
        people.append([line for part in parts
                       for line in _wrapped(bn_text(part), SIGNATURE_SLOT_CM - 0.6, SIGNATURE_PT)])
    depth = max([3] + [len(p) for p in people])
    dated = ["তারিখ: " + bangla.to_bangla_digits(signed_on.strftime("%d/%m/%Y"))] if signed_on else []
    # the last lines of everyone's block side by side
    people = [[""] * (depth - len(parts)) + parts + dated for parts in people]
    depth = max((len(p) for p in people), default=0)
    lines: list[str] = []
    for start in range(0, len(people), SIGNATURE_SLOTS):
        group = people[start:start + SIGNATURE_SLOTS]
        slots = {1: [2], 2: [0, 2], 3: [0, 1, 2]}[len(group)]
        if lines:
            lines += ["", ""]
        for i in range(depth):
            cells = [""] * SIGNATURE_SLOTS
            for slot, person in zip(slots, group):
                cells[slot] = person[i] if i < len(person) else ""
            lines.append("\t" + "\t".join(cells))
    return lines


def _wrapped(text: str, room_cm: float, size: float) -> list[str]:
    """`text` in lines no wider than `room_cm`, broken between words: a long office name under one of three
    signatures would otherwise run into its neighbour's ('…চট্টগ্রামনির্বাহী প্রকৌশলীর…')."""
    if fit.width_cm(text, size) <= room_cm:
        return [text]
    lines: list[str] = []
    for word in text.split():
        if lines and fit.width_cm(f"{lines[-1]} {word}", size) <= room_cm:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _names(part: str, office: str) -> bool:
    """Whether a signature line already names the office ('খুলনা সিটি কর্পোরেশন।' names 'খুলনা সিটি কর্পোরেশন')."""
    def norm(text: str) -> str:
        return " ".join(text.replace("।", " ").split())
    return bool(norm(office)) and norm(office) in norm(part)


KEPT_LINES = 14  # an activity up to about half an annex page is kept on one page; a taller one may break
_LINE_CHARS = 30  # letters a line of the annex's widest text columns holds, roughly
_TEXT_COLUMNS = ("activity", "indicator", "progress", "remarks", "evidence")


def _keep_activities_together(rows: list[dict]) -> None:
    """`activity_continues` on each row: whether it is kept on the page of the activity's next row. Only an
    activity that fits on part of a page is kept whole. LibreOffice moves rows kept together to a new page when
    they do not fit where they are, even when they fill a page: a tall activity kept would leave the annex's
    first page holding only its title, and send the signatures (kept with the last row) alone to a page of
    their own, under the table's header repeated over nothing."""
    start = 0
    for end in range(1, len(rows) + 1):
        if end < len(rows) and not rows[end]["activity_first"]:
            continue
        group = rows[start:end]
        lines = sum(max(1, *(-(-len(row.get(key) or "") // _LINE_CHARS) for key in _TEXT_COLUMNS)) for row in group)
        for ctx in group:
            ctx["activity_continues"] = ctx is not group[-1] and lines <= KEPT_LINES
        start = end


def annex_context(report: Report, card: ScoreCard | None = None) -> dict:
    # the annex writes the fiscal year one way throughout, in full (২০২২-২০২৩), as every seed's annex does;
    # the letter keeps the form the office typed
    words = wording_fields(report)
    words["fy"] = words["fy_long"]
    card = card or score_report(report)
    rows = [_row_context(row, report.kind) for row in report.rows]
    for ctx, scored in zip(rows, card.rows):
        ctx["score"] = ctx["earned"] = "-" if scored.score is None else format_number(scored.score)
        ctx["serial"] = ctx.get("area_no", "")
    _keep_activities_together(rows)
    return {
        "annex_heading": f"{report.kind.plan} {words['fy']}",
        "office_name": bn_text(report.office_line),
        "office_place": office_place(report),
        "annex_title": report.kind.annex_title.format(**words),
        "fy": words["fy"],
        "progress_header": report.kind.progress_header.format(**words),
        "rows": rows,
        "total": format_number(card.total),
        "possible": format_number(card.possible),
        "percent": "-" if card.percent is None else format_number(card.percent) + "%",
        "signature_lines": signature_lines(report.lines("annex_signatories"), report.office_line,
                                           report.date("annex_signed_on")),
    }


MINUTES_CLOSING = "সভায় আর কোন আলোচ্যসূচী না থাকায় সভাপতি উপস্থিত সকলকে ধন্যবাদ জানিয়ে সভার সমাপ্তি ঘোষণা করেন।"


def minutes_context(report: Report, memo: str, issue_date: dt.date) -> dict:
    meeting = report.date("meeting_date")
    rooms = {key: cm - MINUTES_PADDING_CM for key, cm in minutes_widths(report.kind).items()}
    return {
        "office_lines": [bn_text(line) for key in ("office_name", "office_address", "office_unit")  # as seed 003
                         for line in report.lines(key)],
        "title": bn_text(report.get("title")),
        "chair": bn_text(report.get("chair")),
        "chair_designation": bn_text(report.get("chair_designation")),
        "meeting_date": bangla.format_gregorian_date(meeting) if meeting else bn_text(report.get("meeting_date")),
        "meeting_time": bn_text(report.get("meeting_time")),
        "venue": bn_text(report.get("venue")),
        "attendance": bn_text(report.get("attendance")),
        "opening": bn_text(report.get("opening")),
        "closing": bn_text(report.get("closing") or MINUTES_CLOSING),
        "decisions": [{k: _decision_text(k, row, rooms) for k in report.kind.columns} for row in report.rows],
        "memo": printed_memo(report, memo),
        **memo_fields("স্মারক নম্বর:", printed_memo(report, memo)),
        "date_bangla": bangla.format_bangla_date(issue_date),
        "date_gregorian": bangla.format_gregorian_date(issue_date),
        "copies": [f"{bangla.to_bangla_digits(i)}) {bn_text(line)}" for i, line in enumerate(report.lines("copies"), 1)],
        "copies_heading": bn_text(report.get("copies_heading")) or COPIES_HEADING,
        "issuer_name": bn_text(report.get("issuer_name")),
        # a phone number or an e-mail typed under the designation (the minutes have no key for them) is broken
        # between numbers and after an address's dots, never inside one ('+৮৮০-' / '১৭৩৩-…')
        "issuer_designation": address_breaks(unbroken_numbers(bn_text(report.get("issuer_designation"))),
                                             ISSUER_CM, MINUTES_PT),
    }


BODY_ADDRESS_CM = 4.0  # an address in the letter's body wider than this may break after its dots and slashes
ISSUER_CM = 7.0 - CELL_MARGINS_CM - 0.1  # the minutes' signature cell (templates._signature), less its margins
MINUTES_PT = 13  # the minutes' text (templates.build_minutes)
MINUTES_PADDING_CM = 0.16 + 0.12  # a cell's margins (0.08 cm each side) and a little air for the editors


def _decision_text(key: str, row: PlanRow, rooms: dict[str, float]) -> str:
    text = breakable(bn_text(row.value(key).display))
    return address_breaks(text, rooms[key], MINUTES_CELL_PT) if key in rooms else text
