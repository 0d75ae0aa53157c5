"""Blank workbooks: the letter sheet, the plan sheet and the instructions of a kind, styled, protected and
set up to print (`gen template`, `make templates`)."""

from __future__ import annotations

import io

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from generator.spec import kinds
from generator.spec.fonts import BANGLA_FONT
from generator.spec.sheets import GUIDE_SHEET, TEMPLATE_VERSION
from generator.text.bangla import PERIODS, to_bangla_digits
from generator.xlsx import print_setup

BLANK_ROWS = 60
LABEL_WIDTH = 42  # the letter sheet's labels and hints (column B)
GUIDE_WIDTH = 78  # the instructions: one column, as wide as A4 portrait prints without shrinking (LibreOffice: ~6 pt a unit)
FONT = BANGLA_FONT
MAX_PLAN_ROWS = 1000  # the dropdowns reach this far (generator.xlsx.reading reads no more rows)

_thin = Side(style="thin", color="999999")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
_INPUT_FILL = PatternFill("solid", fgColor="FFEB84")  # clearly yellow on screen, light enough to print over
_WRAP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)


def _font(**kw) -> Font:
    return Font(name=FONT, size=kw.pop("size", 12), **kw)


def blank_workbook(kind: kinds.Kind) -> Workbook:
    wb = Workbook()
    _letter_sheet(wb.active, kind)
    _plan_sheet(wb.create_sheet(kind.sheets[1]), kind)
    _guide_sheet(wb.create_sheet(GUIDE_SHEET), kind)
    wb.active = 2
    return wb


def _letter_sheet(ws, kind: kinds.Kind) -> None:
    ws.title = kind.sheets[0]
    ws.sheet_properties.tabColor = "1F4E79"
    for col, width in zip("ABC", (18, LABEL_WIDTH, 70)):
        ws.column_dimensions[col].width = width
    ws.column_dimensions["A"].hidden = True
    ws.append(["key", "বিষয় (Field)", "আপনার তথ্য (Your entry)"])
    for cell in ws[1]:
        cell.font = _font(bold=True)
        cell.fill = _HEAD_FILL
    ws.freeze_panes = "C2"
    period_list = DataValidation(
        type="list", formula1='"' + ",".join(p.name for p in PERIODS if p.id in kind.periods) + '"',
        allow_blank=False, showErrorMessage=True,
        errorTitle="সময়কাল", error="তালিকা থেকে একটি সময়কাল বাছুন। Pick a period from the list.",
    )
    ws.add_data_validation(period_list)
    for title, section in kind.fields:
        if not any(f.belongs_to(kind.columns) for f in section):
            continue
        ws.append(["", title, ""])
        row = ws.max_row
        for cell in ws[row]:
            cell.fill = _SECTION_FILL
            cell.font = _font(bold=True, color="1F4E79")
        for f in section:
            if not f.belongs_to(kind.columns):  # a score field of another kind
                continue
            label = f.label + (" *" if f.required else "") + (f"\n({f.hint})" if f.hint else "")
            ws.append([f.key, label, None])
            row = ws.max_row
            size = 13 if f.required else 12  # bold takes a little more room
            ws.row_dimensions[row].height = max(print_setup.text_height(label, LABEL_WIDTH, size), f.lines * 17 + 6)
            ws.cell(row, 1).font = Font(name="Consolas", size=9, color="808080")
            ws.cell(row, 2).font = _font(bold=f.required)
            ws.cell(row, 2).alignment = _WRAP
            value = ws.cell(row, 3)
            value.font = _font()
            value.alignment = _WRAP
            value.border = _BORDER
            value.number_format = "dd/mm/yyyy" if f.kind == "date" else "@"
            if f.key == "kind":
                value.value = kind.id
            elif f.key == "template_version":
                value.value = TEMPLATE_VERSION
                value.number_format = "0"
            else:
                value.protection = _UNLOCKED
                value.fill = _INPUT_FILL
            if f.kind == "period":
                period_list.add(value)
            if f.key == "fiscal_year":
                print_setup.fiscal_year_list(ws, value)
    print_setup.letter_sheet(ws)
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.formatColumns = False


DROPDOWNS = (  # plan columns with a list to pick from: key, words, title, message on a wrong entry
    ("unit", kinds.UNITS, "একক", "তালিকা থেকে একটি একক বাছুন। Pick a unit from the list."),
    ("counting", kinds.COUNTING, "গণনা পদ্ধতি",
     "তালিকা থেকে একটি গণনা পদ্ধতি বাছুন, অথবা ফাঁকা রাখুন। Pick a counting method from the list, or leave it blank."),
)


def _plan_sheet(ws, kind: kinds.Kind) -> None:
    ws.sheet_properties.tabColor = "548235"
    cols = [kinds.COLUMNS[k] for k in kind.columns]
    first = kind.first_row
    last = first + BLANK_ROWS - 1
    for i, col in enumerate(cols, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = col.xlsx_width
        key = ws.cell(1, i, col.key)
        key.font = Font(name="Consolas", size=9, color="808080")
        header = col.header.replace("{{ fy }}", "").strip()
        if col.group:
            header = f"{col.group.replace('{{ fy }}', '').strip()}: {col.header} ({col.subheader})"
        head = ws.cell(2, i, header + (f"\n({col.hint})" if col.hint else ""))
        head.font = _font(bold=True, size=11)
        head.fill = _HEAD_FILL
        head.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        head.border = _BORDER
        if first > 3:  # the annex column it is printed in: the plan's (১)–(১২) are the annex's
            number = kind.annex_number(col.key)
            num = ws.cell(3, i, "–" if number is None else f"({to_bangla_digits(number)})")
            num.font = _font(size=10)
            num.alignment = Alignment(horizontal="center")
            num.border = _BORDER
        for r in range(first, last + 1):
            cell = ws.cell(r, i)
            cell.protection = _UNLOCKED
            cell.alignment = _WRAP
            cell.border = _BORDER
            cell.font = _font(size=11)
            cell.number_format = "@"
    ws.row_dimensions[1].hidden = True
    ws.row_dimensions[2].height = print_setup.header_height(ws, 2, len(cols))
    print_setup.plan_sheet(ws, len(cols), first, last)
    ws.freeze_panes = ws.cell(first, 1)
    for key, words, title, error in DROPDOWNS:
        if key not in kind.columns:
            continue
        letter = get_column_letter(kind.columns.index(key) + 1)
        dropdown = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True,
                                  showErrorMessage=True, errorTitle=title, error=error)
        ws.add_data_validation(dropdown)
        dropdown.add(f"{letter}{first}:{letter}{MAX_PLAN_ROWS}")
    ws.protection.sheet = True
    for option in ("formatCells", "formatRows", "formatColumns", "insertRows", "deleteRows"):
        setattr(ws.protection, option, False)


GUIDE_TITLE = ("এই ছক কীভাবে পূরণ করবেন", "How to fill this workbook")
# the instructions, numbered as they are written: (Bangla, English, which kinds: all, "plan" (a plan with an annex)
# or "scored"); {letter} and {table} are the kind's two sheets
GUIDE = [
    ("'{letter}' শিটে হলুদ ঘরগুলো পূরণ করুন। * চিহ্নিত ঘর আবশ্যক। প্রতিটি ঘরের বাঁয়ে তার ব্যাখ্যা ও উদাহরণ আছে।",
     "Fill the yellow cells of sheet '{letter}'. Cells marked * are required. Each cell's label, on its left, says "
     "what it takes, with an example.", "all"),
    ("'{table}' শিটে প্রতিটি সূচক (বা সিদ্ধান্ত) একটি সারিতে লিখুন। ক্ষেত্র ও কার্যক্রম একাধিক সারিতে একই হলে শুধু "
     "প্রথম সারিতে লিখুন, নিচের ঘর ফাঁকা রাখুন।",
     "On sheet '{table}' write one row per indicator (or decision). Write an area or activity once, on its first "
     "row; leave the cells below it empty.", "all"),
    ("'{table}' শিটের তৃতীয় সারির (১), (২) … সংযুক্তির কলামের নম্বর: কলামটি সংযুক্তির যে কলামে ছাপা হয় তার নম্বর। "
     "দুটি কলামের একই নম্বর মানে দুটি একই কলামে ছাপা হয় (যেমন কোড ও তার লেখা; অর্জন ও মন্তব্য)। '–' চিহ্নিত কলাম "
     "সংযুক্তিতে আলাদা কলাম হয় না (যেমন গণনা পদ্ধতি)।",
     "The numbers (১), (২) … in the third row of sheet '{table}' are the annex's column numbers: the annex column "
     "each column is printed in. Two columns with one number are printed in one column (a code and its text; the "
     "achievement and the remarks). A column marked '–' has no column of its own in the annex (the counting "
     "method).", "plan"),
    ("সংখ্যা বাংলা বা ইংরেজি অঙ্কে লিখতে পারেন (৪ বা 4); শতাংশ ৮০%; তারিখ ০৪/০৫/২০২৩; না থাকলে -।",
     "Numbers in Bangla or English digits (৪ or 4); percentages as ৮০%; dates as 04/05/2023; a dash for none.", "all"),
    ("লেখা ইউনিকোডে লিখুন (যেমন নিকস ফন্ট)। বিজয়/সুতনি-এমজে ফন্টে লেখা চলবে না।",
     "Type in Unicode Bangla (e.g. the Nikosh font), not Bijoy/SutonnyMJ.", "all"),
    ("স্মারক নম্বর: শেষের ক্রমিক ছাড়া কোডটি লিখুন, যে রূপে অফিস লেখে: ৭ অংশের কোড (৪৬.১১.১৬০০.০০১.১৮.০৪১.২৩), "
     "২০২৪ সালের ২২ অঙ্কের নথি নম্বর (৩৮.০১.০০০০.০০০.৮০০.৯৯.০০০২.২৫) বা অফিসের নিজস্ব কোড "
     "(কেসিসি/সেঃবিঃ/সাঃপ্রঃশাঃ/III-২২৩(অঃকঃসঃ/২)/২২)। কোড ও ক্রমিকের মাঝে ড্যাশ (-) না ডট (.) বসবে, তা পাশের ঘরে "
     "বাছুন; ফাঁকা রাখলে ২০২৪ সালের নথি নম্বরের পরে ডট, অন্য কোডের পরে ড্যাশ। ক্রমিক ফাঁকা রাখলে সার্ভিস রেজিস্টার "
     "থেকে পরের নম্বর দেবে; একই ফাইল আবার দিলে একই নম্বর থাকবে।",
     "Memo number: write the file code without the serial at its end, as the office writes it: a seven-part code "
     "(৪৬.১১.১৬০০.০০১.১৮.০৪১.২৩), the 2024 22-digit file number (৩৮.০১.০০০০.০০০.৮০০.৯৯.০০০২.২৫) or the office's "
     "own code (কেসিসি/সেঃবিঃ/সাঃপ্রঃশাঃ/III-২২৩(অঃকঃসঃ/২)/২২). Choose the dash (-) or the dot (.) between code and "
     "serial in the next cell; blank: a dot after the 2024 file number, a dash after other codes. Leave the serial "
     "blank and the service takes the next number from its register; the same file again keeps its number.", "all"),
    ("সংযুক্তি ও প্রমাণক: সংযুক্তির সংখ্যা ফাঁকা রাখলে পত্রে সংযুক্তির আসল পাতার সংখ্যা বসে। প্রমাণক (স্ক্যান করা "
     "কাগজ, ছবি) PDF, JPG বা PNG ফাইল হিসেবে ওয়েব পাতায় ওয়ার্কবুকের সাথে আপলোড করুন: সেগুলো পত্র ও সংযুক্তির পরে "
     "ই-নথির একটি PDF-এ যুক্ত হয়, প্রতিটি পাতায় কোন প্রমাণক তা লেখা থাকে, আর পত্রের সংযুক্তি লাইনে প্রমাণকের সংখ্যা "
     "আলাদা করে বসে। তাই সংযুক্তির সংখ্যায় প্রমাণক গুনবেন না।",
     "Attachment and evidence: leave the attachment count blank and the letter says how many pages the annex has. "
     "Upload the evidence (scanned papers, photos) as PDF, JPG or PNG files with the workbook on the web page: they "
     "follow the letter and annex in one PDF for e-Nothi, each page saying which evidence it is, and the letter's "
     "attachment line counts them apart. So do not count the evidence in the attachment count.", "plan"),
    ("সারি বা শিটের নাম বদলাবেন না; লুকানো প্রথম কলাম/সারিতে যন্ত্রপাঠ্য কী (key) আছে।",
     "Do not rename sheets; the hidden first column/row holds the machine keys the service reads.", "all"),
    ("পূরণ শেষে ফাইলটি সংরক্ষণ করুন এবং অফিসের শেয়ার্ড ফোল্ডারে রাখুন, অথবা প্রতিবেদনের ওয়েব পাতায় আপলোড করুন। "
     "কয়েক সেকেন্ডের মধ্যে পত্র ও সংযুক্তি তৈরি হবে; কোনো ঘরে ভুল থাকলে কোন ঘরে কী ভুল তা জানানো হবে।",
     "When done, save the file and put it into the office's shared folder, or upload it on the reports web "
     "page. The letter and annex are ready within seconds; if a cell is wrong you are told which one and why.", "all"),
    ("অর্জন কলামে লিখুন অর্থবছরের শুরু থেকে এই সময় পর্যন্ত অর্জন (১ জুলাই থেকে প্রতিবেদনের সময়কালের শেষ দিন পর্যন্ত মোট), "
     "শুধু এই ত্রৈমাসিকের নয়। যেমন: বছরে ৪টি সভার লক্ষ্যমাত্রায় ১ম ত্রৈমাসিকে ১টি ও ২য় ত্রৈমাসিকে ১টি সভা হলে "
     "২য় ত্রৈমাসিকের প্রতিবেদনে লিখুন ২। (শুদ্ধাচার ছকে প্রতিটি কোয়ার্টারের কলামে শুধু সেই কোয়ার্টারের অর্জন।)",
     "In the achievement column write the achievement from the start of the fiscal year to the end of the "
     "period (1 July to the period's last day), not the quarter's alone: with a target of 4 meetings a year, "
     "1 held in Q1 and 1 in Q2, the Q2 report says 2. (The integrity-strategy workbook has a column per quarter: "
     "each holds that quarter's achievement only.)", "scored"),
    ("সমষ্টি পদ্ধতির সূচকে এই সময় পর্যন্ত বার্ষিক লক্ষ্যমাত্রার অংশ দেয়: ১ম ত্রৈমাসিকে ¼, ২য় ত্রৈমাসিক ও অর্ধবার্ষিকে ½, "
     "৩য় ত্রৈমাসিকে ¾, ৪র্থ ত্রৈমাসিক ও বার্ষিকে পুরোটা; সংখ্যা পূর্ণ সংখ্যায় নিচের দিকে ধরা হয় (বছরে ১টি কর্মশালা "
     "৪র্থ ত্রৈমাসিকের আগে দেয় নয়, আগে হয়ে গেলে পূর্ণ নম্বর)।",
     "For a summed (সমষ্টি) indicator the part of the annual target due so far is ¼ by Q1, ½ by Q2 and the "
     "half-year, ¾ by Q3, all of it by Q4 and in the annual report; counts are rounded down to whole events (one "
     "workshop a year is not due before Q4, and earns full marks if already held).", "scored"),
    ("'গণনা পদ্ধতি' কলামে বাছুন: সমষ্টি (ত্রৈমাসিকের অর্জন যোগ হয়), গড় (হার বা শতাংশ, যেমন লেখা তেমন তুলনা), "
     "ক্রমপুঞ্জিভূত (চলমান অবস্থা, যাতে আগের অর্জন ধরা আছে; সব সময় পূর্ণ লক্ষ্যমাত্রার সাথে তুলনা), তারিখ (নির্ধারিত "
     "তারিখের মধ্যে সম্পন্ন)। ফাঁকা রাখলে এককের স্বাভাবিক পদ্ধতি: সংখ্যা → সমষ্টি, % → গড়, তারিখ → তারিখ।",
     "In the column 'গণনা পদ্ধতি' (counting method) pick: সমষ্টি (sum: quarterly achievements add up), গড় "
     "(average: a rate or percentage, compared as written), ক্রমপুঞ্জিভূত (cumulative: a running level that already "
     "includes earlier periods, always compared with the full target), তারিখ (date: done by the date). Blank means "
     "the unit's default: সংখ্যা → sum, % → average, তারিখ → date.", "scored"),
]


def guide_lines(kind: kinds.Kind) -> list[tuple[str, str]]:
    """The kind's instructions, numbered: (Bangla, English) each."""
    wanted = {"all": True, "plan": kind.first_row > 3, "scored": kind.scored}
    lines = [(bn, en) for bn, en, which in GUIDE if wanted[which]]
    return [(f"{to_bangla_digits(n)}. {bn}", f"{n}. {en}") for n, (bn, en) in enumerate(lines, 1)]


def _guide_sheet(ws, kind: kinds.Kind) -> None:
    """One column of wrapped text, each row as tall as its lines, printed on A4 portrait one page wide."""
    ws.sheet_properties.tabColor = "7F6000"
    ws.column_dimensions["A"].width = GUIDE_WIDTH
    _wrapped = Alignment(wrap_text=True, vertical="top")

    def line(text: str, font: Font, space: float = 0) -> None:
        ws.append([text])
        cell = ws.cell(ws.max_row, 1)
        cell.font, cell.alignment = font, _wrapped
        ws.row_dimensions[ws.max_row].height = print_setup.text_height(text, GUIDE_WIDTH, font.sz) + space

    line(f"{kind.plan} — {kind.report}", _font(bold=True, size=14), 4)
    line(GUIDE_TITLE[0], _font(bold=True, size=12))
    line(GUIDE_TITLE[1], _font(size=10, italic=True, color="505050"), 4)
    for bn, en in guide_lines(kind):
        bn, en = (t.format(letter=kind.sheets[0], table=kind.sheets[1]) for t in (bn, en))
        line(bn, _font(size=12))
        line(en, _font(size=10, italic=True, color="505050"), 6)
    print_setup.guide_sheet(ws)


def template_bytes(kind: kinds.Kind) -> bytes:
    """The blank workbook of `kind`, as the bytes of an .xlsx."""
    buffer = io.BytesIO()
    blank_workbook(kind).save(buffer)
    return buffer.getvalue()


def write_template(kind: kinds.Kind, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(template_bytes(kind))
    return path


