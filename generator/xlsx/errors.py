"""Why a file cannot be read as one of our workbooks."""

from __future__ import annotations

from generator.findings import GenError


class WorkbookError(GenError):
    """The file cannot be read as one of our workbooks; `bn` and `en` say why, `sheet` and `cell` where."""


def not_a_workbook(why: str) -> WorkbookError:  # `why` is for the log: the clerk is told what to do
    return WorkbookError(
        "not-a-workbook",
        "ফাইলটি পড়া যাচ্ছে না: এটি .xlsx ওয়ার্কবুক নয় বা নষ্ট হয়ে গেছে। 'gen template' দিয়ে পাওয়া ছকটি পূরণ করে পাঠান।",
        "The file cannot be read: it is not an .xlsx workbook, or it is damaged. "
        "Fill the workbook from 'gen template' and send that.",
    )


def empty_file() -> WorkbookError:
    return WorkbookError(
        "not-a-workbook",
        "ফাইলটি খালি (০ বাইট): সংরক্ষণ শেষ হওয়ার আগে কপি বা পাঠানো হয়েছে। Excel-এ আবার সংরক্ষণ করে পাঠান।",
        "The file is empty (0 bytes): it was copied or sent before it was saved. Save it again in Excel and send it.",
    )


def missing_sheet(name: str) -> WorkbookError:
    return WorkbookError(
        "missing-sheet",
        f"'{name}' নামের শিট পাওয়া যায়নি। 'gen template' দিয়ে পাওয়া ছক ব্যবহার করুন, শিটের নাম বদলাবেন না।",
        f"Sheet '{name}' is missing. Use the workbook from 'gen template' and keep its sheet names.",
        sheet=name,
    )
