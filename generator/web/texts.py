"""What the web page says and how it names things: error messages, statuses, times in Bangladesh, file names
for downloads, the messages of the command line as a clerk on the page reads them."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from urllib.parse import quote

from generator.records import store
from generator.spec.paths import as_sent
from generator.service import intake
from generator.text import bangla, clock

MB = 1024 * 1024
ERRORS = {
    400: "অনুরোধটি বোঝা যায়নি। / The request could not be understood.",
    403: "অনুমতি নেই। / Not allowed.",
    404: "পাওয়া যায়নি: ঠিকানাটি ভুল, বা এমন কোনো জমা নেই। / Not found: the address is wrong, or there is no such submission.",
    405: "এভাবে এই পাতা খোলা যায় না। / This page cannot be opened this way.",
    500: "সার্ভারে একটি ত্রুটি হয়েছে। আবার চেষ্টা করুন; আবারও হলে প্রশাসককে জানান। / "
         "Something went wrong on the server. Try again; if it happens again, tell the administrator.",
    503: "সার্ভার তার রেকর্ড (স্টেট ফোল্ডার) পড়তে বা লিখতে পারছে না: ডিস্ক ভর্তি, শুধু-পড়ার, বা ব্যস্ত। এই পাতা দেখানো "
         "যায়নি; কিছুক্ষণ পরে আবার চেষ্টা করুন এবং প্রশাসককে জানান। / The server cannot read or write its records (the "
         "state folder): the disk is full, read-only or busy. This page could not be shown; try again shortly and "
         "tell the administrator.",
}
RETRY_S = 15  # a page that could not reach the records database tries again by itself this often
DATABASE_DOWN = (
    "সার্ভার এই মুহূর্তে প্রতিবেদনের রেকর্ড-ডেটাবেসে (PostgreSQL) পৌঁছাতে পারছে না। এই পাতা দেখানো যায়নি; পাতাটি প্রতি "
    f"{bangla.to_bangla_digits(RETRY_S)} সেকেন্ডে নিজে থেকে আবার চেষ্টা করবে। বেশিক্ষণ চললে প্রশাসককে জানান। / The server cannot reach the "
    f"records database (PostgreSQL) just now. This page could not be shown; it tries again by itself every {RETRY_S} "
    "seconds. If it lasts, tell the administrator.")
DATABASE_DOWN_SENT = (
    "সার্ভার এই মুহূর্তে প্রতিবেদনের রেকর্ড-ডেটাবেসে (PostgreSQL) পৌঁছাতে পারছে না, তাই এই অনুরোধটি করা যায়নি। এক মিনিট পরে "
    "আবার পাঠান; বেশিক্ষণ চললে প্রশাসককে জানান। / The server cannot reach the records database (PostgreSQL) just now, "
    "so this request was not carried out. Send it again in a minute; if it lasts, tell the administrator.")
SCHEMA_NEWER = (
    "প্রতিবেদনের রেকর্ড-ডেটাবেস এই সার্ভারের চেয়ে নতুন একটি সংস্করণ হালনাগাদ করেছে; এই সার্ভারটি হালনাগাদ না হওয়া পর্যন্ত "
    "এটি কিছু দেখাবে না। প্রশাসককে জানান; অন্য সার্ভার দিয়ে কাজ চালিয়ে যেতে পারেন। / The records database was brought "
    "up to date by a newer release than this server's; this server shows nothing until it is updated. Tell the "
    "administrator; another server may serve you meanwhile.")
STATUS_BN = {"built": "তৈরি", "rejected": "বাতিল", "duplicate": "আগেও জমা পড়েছিল", "processing": "তৈরি হচ্ছে",
             "done": "সম্পন্ন", "failed": "লেখা যায়নি", "interrupted": "থেমে গেছে"}
STATUS_EN = {"built": "built", "rejected": "rejected", "duplicate": "sent before", "processing": "building",
             "done": "done", "failed": "not written", "interrupted": "stopped"}


def too_large(cap: int) -> tuple[str, str]:
    mb = f"{cap / MB:g}"
    return (f"ফাইলটি খুব বড়: সর্বোচ্চ {bangla.to_bangla_digits(mb)} MB গ্রহণ করা হয়। ছবি বা অপ্রয়োজনীয় শিট মুছে আবার দিন।",
            f"The file is too large: at most {mb} MB is accepted. Delete pictures or sheets that are not needed "
            "and submit again.")


def try_again(seconds: int, wrong: bool) -> tuple[str, str]:
    """A refused credential: what happened and when the clerk may try again (in Dhaka time as well)."""
    at = (dt.datetime.now(clock.DHAKA) + dt.timedelta(seconds=seconds)).strftime("%H:%M:%S")
    bn = "টোকেন সঠিক নয়। " if wrong else "অনেকবার ভুল টোকেন দেওয়া হয়েছে। "
    en = "Wrong token. " if wrong else "Too many wrong tokens. "
    return (bn + f"আবার চেষ্টা করুন {bangla.to_bangla_digits(seconds)} সেকেন্ড পরে ({bangla.to_bangla_digits(at)}-এ)।",
            en + f"Try again in {seconds} s (at {at}, Dhaka time).")


def earlier(record) -> int | None:
    """The submission a duplicate repeats."""
    found = re.search(r"same content as ledger entry (\d+)", record.note or "") if record.status == "duplicate" else None
    return int(found.group(1)) if found else None


def download_name(record, path: Path) -> str:
    """A download's name: the office, the memo and the day it was submitted before the file's own name (which
    names the kind, the year and the period: 'cc-2023-24-q1-letter.pdf'), so that several offices' letters, PDFs and e-Nothi bundles can be
    told apart in a Downloads folder; the upload tag never shows."""
    own = as_sent(path.name)
    if not (record.office and record.memo) or record.status not in ("built", "duplicate"):
        return own
    memo = store.safe_name(record.memo, "memo")
    day = dhaka_time(record.received_at)[:10].replace("/", "-")  # the day it was submitted, Dhaka time
    # never cut: the office name gives way; with a memo so long that the office would be gone, the day too
    rest = f" {memo} {day} {own}" if len(f"{memo} {day} {own}".encode()) <= 160 else f" {memo} {own}"
    return intake.fit(store.safe_name(record.office), rest)


def for_web(text: str) -> str:
    """A message written for the command line, as a clerk on the web page reads it."""
    return (text.replace("'gen template' দিয়ে পাওয়া ছক", "এই সাইটের 'ফাঁকা ছক' পাতার ছক")
                .replace("'gen template' থেকে নেওয়া", "এই সাইটের 'ফাঁকা ছক' পাতা থেকে নেওয়া")
                .replace("the workbook from 'gen template'", "a workbook from this site's Blank workbooks page")
                .replace("from 'gen template'", "from this site's Blank workbooks page")
                .replace("'gen template'", "the Blank workbooks page"))


def content_disposition(name: str) -> str:
    """An attachment header that is safe for any file name, Bangla included (RFC 6266 / RFC 5987); the
    plain-ASCII name for old clients keeps the ASCII words only."""
    ascii_name = re.sub(r"_*[^A-Za-z0-9._-]+_*", "_", name).strip("_.-") or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def is_workbook(data: bytes) -> bool:
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "xl/workbook.xml" in z.namelist()
    except zipfile.BadZipFile:
        return False


def dhaka_time(stamp: str | None, seconds: bool = False) -> str:
    """A ledger time (UTC, ISO 8601) as a clerk in Bangladesh reads it: '২৩/১১/২০২৬ ১৩:৫৯'."""
    if not stamp:
        return ""
    when = dt.datetime.fromisoformat(stamp)
    when = (when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)).astimezone(clock.DHAKA)
    return bangla.to_bangla_digits(when.strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M"))


def period_bn(value: str | None) -> str:
    """'q4' → '৪র্থ ত্রৈমাসিক'; a fiscal year or a meeting date in Bangla digits."""
    period = bangla.parse_period(value or "")
    return period.name if period else bangla.to_bangla_digits(value or "")
