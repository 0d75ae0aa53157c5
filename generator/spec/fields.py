"""The key/value fields of a workbook's first sheet (the letter's, or the meeting's), in their sections."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    hint: str = ""
    required: bool = False
    lines: int = 1  # how many lines the value usually takes
    kind: str = "text"  # text, date, period, number
    needs_column: str = ""  # a plan column the field belongs with: a kind without it has no such field

    def belongs_to(self, columns: tuple[str, ...]) -> bool:
        """Whether a kind whose plan has `columns` has this field (its blank workbook shows it)."""
        return not self.needs_column or self.needs_column in columns

Section = tuple[str, tuple[Field, ...]]  # a heading and its fields

COPIES_HEADING = "অনুলিপি: সদয় অবগতির জন্য"  # a blank copies_heading
GOVERNMENT_LINE = "গণপ্রজাতন্ত্রী বাংলাদেশ সরকার"  # a blank office_parents: the line over every office's name
# letterhead lines that name the government, not the office: not part of an office's identity
GOVERNMENT_LINES = (GOVERNMENT_LINE, "Government of the People's Republic of Bangladesh")
MEMO_SEPARATORS = ("-", ".")  # what may stand between the file code and the serial (memo_separator)

LETTER: tuple[Section, ...] = (
    ("প্রতিবেদন (Report)", (
        Field("kind", "প্রতিবেদনের ধরন", "পরিবর্তন করবেন না", True),
        Field("template_version", "ছকের সংস্করণ", "পরিবর্তন করবেন না", True, kind="number"),
        Field("fiscal_year", "অর্থবছর", "যেমন: ২০২৩-২০২৪ বা ২০২৩-২৪", True),
        Field("period", "প্রতিবেদনের সময়কাল",
              "তালিকা থেকে বাছুন; অর্জন লিখুন অর্থবছরের শুরু থেকে এই সময় পর্যন্ত", True, lines=2, kind="period"),
    )),
    ("অফিস (Office, letterhead)", (
        Field("office_parents", "অফিসের নামের উপরের লাইন",
              "ঐচ্ছিক; প্রতি লাইনে একটি (Alt+Enter): সরকার, মন্ত্রণালয়/বিভাগ, ঊর্ধ্বতন অফিস। "
              f"ফাঁকা রাখলে: {GOVERNMENT_LINE}", lines=2),
        Field("office_name", "অফিসের নাম", "যেমন: চট্টগ্রাম সিটি কর্পোরেশন; একাধিক লাইন হলে প্রতিটি ছাপা হবে", True),
        Field("office_unit", "শাখা / বিভাগ", "ঐচ্ছিক, যেমন: সমাজকল্যাণ বিভাগ"),
        Field("office_address", "ঠিকানা", "শহর / ঠিকানা, যেমন: চট্টগ্রাম।", True),
        Field("office_website", "ওয়েবসাইট", "ঐচ্ছিক"),
        Field("office_phone", "ফোন", "ঐচ্ছিক"),
        Field("office_fax", "ফ্যাক্স", "ঐচ্ছিক"),
        Field("office_email", "ই-মেইল", "ঐচ্ছিক"),
        Field("letterhead_slogan", "স্লোগান", "ঐচ্ছিক; প্রতি লাইনে একটি (Alt+Enter)", lines=2),
    )),
    ("স্মারক ও তারিখ (Memo and date)", (
        Field("memo_prefix", "স্মারক নম্বর (ক্রমিকের আগের অংশ)",
              "শেষের ক্রমিক ছাড়া, যেভাবে অফিস লেখে। যেমন: ৪৬.১১.১৬০০.০০১.১৮.০৪১.২৩ (৭ অংশের কোড); "
              "৩৮.০১.০০০০.০০০.৮০০.৯৯.০০০২.২৫ (২০২৪ সালের ২২ অঙ্কের নথি নম্বর); "
              "অথবা অফিসের নিজস্ব কোড, যেমন: কেসিসি/সেঃবিঃ/সাঃপ্রঃশাঃ/III-২২৩(অঃকঃসঃ/২)/২২", True, lines=2),
        Field("memo_separator", "কোড ও ক্রমিকের মাঝের চিহ্ন",
              "ঐচ্ছিক: ড্যাশ (-) অথবা ডট (.), যেমন …০৭-১৯২ বা …২২.১৬১। ফাঁকা রাখলে ২০২৪ সালের নথি নম্বরের পরে ডট, "
              "অন্য কোডের পরে ড্যাশ। এই কোডের প্রথম পত্রে যা বসে, পরের পত্রগুলোতেও তা-ই থাকে"),
        Field("memo_serial", "স্মারকের ক্রমিক (শেষ অংশ)", "ফাঁকা রাখলে রেজিস্টার থেকে পরের নম্বর বসবে"),
        Field("issue_date", "পত্রের তারিখ", "ফাঁকা রাখলে তৈরির দিনের তারিখ; যেমন: ১০/১০/২০২৩", kind="date"),
    )),
    ("পত্র (Letter)", (
        Field("subject", "বিষয়", "ফাঁকা রাখলে মানসম্মত বিষয় বসবে", lines=2),
        Field("reference", "সূত্র", "ঐচ্ছিক: পূর্বের স্মারক নম্বর ও তারিখ", lines=2),
        Field("body", "পত্রের মূল অংশ", "ফাঁকা রাখলে মানসম্মত অনুচ্ছেদ বসবে", lines=4),
        Field("attachment_count", "সংযুক্তির সংখ্যা",
              "ঐচ্ছিক; ফাঁকা রাখলে সংযুক্তির আসল পাতার সংখ্যা বসবে। প্রমাণক ফাইল এখানে গুনবেন না: সেগুলো "
              "পত্রে আলাদা করে গোনা হয়", kind="number", lines=2),
        Field("attachment_unit", "সংযুক্তির একক", "ঐচ্ছিক; যেমন: পাতা, পৃষ্ঠা বা ফর্দ। ফাঁকা রাখলে: পাতা (PDF ছাড়া তৈরি হলে: ফর্দ)"),
    )),
    ("মূল্যায়ন (Scores)", (
        Field("plan_total", "কর্মপরিকল্পনার মোট মান", "ঐচ্ছিক; সব সূচকের মানের যোগফল, যেমন: ৫০", kind="number",
              needs_column="weight"),
        Field("self_total", "অফিসের হিসাবে মোট প্রাপ্ত স্কোর", "ঐচ্ছিক; স্ব-মূল্যায়নে অফিস যে মোট লিখেছে",
              kind="number", needs_column="self_score"),
    )),
    ("প্রাপক (Recipient)", (
        Field("recipient", "প্রাপক", "পদবি, অফিস, ঠিকানা; প্রতি লাইনে একটি (Alt+Enter)", True, lines=4),
        Field("attention", "দৃষ্টি আকর্ষণ", "ঐচ্ছিক", lines=2),
    )),
    ("স্বাক্ষর (Signature)", (
        Field("signatory_name", "স্বাক্ষরকারীর নাম", "", True),
        Field("signatory_designation", "স্বাক্ষরকারীর পদবি", "প্রতি লাইনে একটি", True, lines=2),
        Field("signatory_phone", "ফোন", "ঐচ্ছিক"),
        Field("signatory_email", "ই-মেইল", "ঐচ্ছিক"),
        Field("copies", "অনুলিপি", "ঐচ্ছিক; প্রতি লাইনে একজন প্রাপক", lines=4),
        Field("copies_heading", "অনুলিপির শিরোনাম", "ফাঁকা রাখলে: অনুলিপি: সদয় অবগতির জন্য"),
        Field("annex_signatories", "সংযুক্তিতে স্বাক্ষরকারী", "প্রতি লাইনে একজন: নাম, পদবি (চাইলে শেষে অফিস), যেমন: মোঃ করিম, প্রোগ্রামার", lines=3),
        Field("annex_signed_on", "সংযুক্তিতে স্বাক্ষরের তারিখ", "ঐচ্ছিক; দিলে প্রতিটি স্বাক্ষরের নিচে বসবে, যেমন: ০৭/০৭/২০২২",
              kind="date"),
    )),
)
MINUTES: tuple[Section, ...] = (
    ("কার্যবিবরণী (Minutes)", (
        Field("kind", "ধরন", "পরিবর্তন করবেন না", True),
        Field("template_version", "ছকের সংস্করণ", "পরিবর্তন করবেন না", True, kind="number"),
    )),
    ("অফিস (Office)", (
        Field("office_name", "অফিসের নাম", "প্রতি লাইনে একটি (যেমন: গণপ্রজাতন্ত্রী বাংলাদেশ সরকার / বিভাগীয় কমিশনারের কার্যালয়)", True, lines=2),
        Field("office_unit", "শাখা", "ঐচ্ছিক, যেমন: সাধারণ শাখা"),
        Field("office_address", "ঠিকানা", "যেমন: রংপুর বিভাগ, রংপুর।", True),
    )),
    ("সভা (Meeting)", (
        Field("title", "শিরোনাম", "যেমন: সেবা প্রদান প্রতিশ্রুতি বাস্তবায়নে … ৪র্থ ত্রৈমাসিক সভার কার্যবিবরণী", True, lines=2),
        Field("chair", "সভাপতি", "নাম ও পদবি", True, lines=2),
        Field("chair_designation", "সভাপতির পদবি", "স্বাক্ষরের নিচে", True),
        Field("meeting_date", "সভার তারিখ", "যেমন: ২২/০৬/২০২৩", True, kind="date"),
        Field("meeting_time", "সভার সময়", "যেমন: সকাল ১০:৩০ টা", True),
        Field("venue", "স্থান", "", True),
        Field("attendance", "উপস্থিতি", "যেমন: পরিশিষ্ট 'ক' (স্বাক্ষরের ক্রমানুসারে)", True),
        Field("opening", "সূচনা", "সভার শুরুর অনুচ্ছেদ", True, lines=5),
        Field("closing", "সমাপ্তি", "ফাঁকা রাখলে মানসম্মত সমাপ্তি বাক্য", lines=2),
    )),
    ("স্মারক ও বিতরণ (Memo and copies)", (
        Field("memo_prefix", "স্মারক নম্বর (ক্রমিকের আগের অংশ)",
              "শেষের ক্রমিক ছাড়া। যেমন: ০৫.৪৭.০০০০.০০৫.১২.০০২.১৭ (৭ অংশের কোড); "
              "৩৮.০১.০০০০.০০০.৮০০.৯৯.০০০২.২৫ (২০২৪ সালের ২২ অঙ্কের নথি নম্বর); অথবা অফিসের নিজস্ব কোড", True, lines=2),
        Field("memo_separator", "কোড ও ক্রমিকের মাঝের চিহ্ন",
              "ঐচ্ছিক: ড্যাশ (-) অথবা ডট (.), যেমন …১৭-২৯৯ বা …১৭.২৯৯। ফাঁকা রাখলে ২০২৪ সালের নথি নম্বরের পরে ডট, "
              "অন্য কোডের পরে ড্যাশ। এই কোডের প্রথম পত্রে যা বসে, পরের পত্রগুলোতেও তা-ই থাকে"),
        Field("memo_serial", "স্মারকের ক্রমিক", "ফাঁকা রাখলে রেজিস্টার থেকে পরের নম্বর বসবে"),
        Field("issue_date", "জারির তারিখ", "ফাঁকা রাখলে তৈরির দিনের তারিখ", kind="date"),
        Field("copies", "অনুলিপি", "প্রতি লাইনে একজন প্রাপক", lines=4),
        Field("copies_heading", "অনুলিপির শিরোনাম", "ফাঁকা রাখলে: অনুলিপি: সদয় অবগতির জন্য"),
        Field("issuer_name", "জারিকারী কর্মকর্তার নাম", "", True),
        Field("issuer_designation", "জারিকারী কর্মকর্তার পদবি", "", True),
    )),
)

LETTER_FIELDS = {f.key: f for _, section in LETTER for f in section}  # a plan report's key/value sheet, by key
