"""The warning on a cell a clerk left as `gen next` carried it (generator.spec.carried)."""

from __future__ import annotations

from generator.findings import Finding, warning
from generator.model import RawWorkbook
from generator.spec.carried import occurrences, row_key, same
from generator.text.bangla import parse_period, to_ascii_digits, to_bangla_digits
from generator.text.values import whole_text


def unchanged(raw: RawWorkbook) -> list[Finding]:
    """A warning at each carried cell that still holds exactly the value `gen next` put there."""
    if not raw.carried:
        return []
    wanted = {(*row_key(c.indicator_no, c.indicator), c.occurrence, c.column): c for c in raw.carried}
    out = []
    for (_, cells), ((number, text), nth) in zip(raw.plan_rows, occurrences(raw.plan_rows)):
        for column, cell in cells.items():
            record = wanted.get((number, text, nth, column))
            if record is None or record.value is None or not same(cell.value, record.value):
                continue
            shown = whole_text(cell.value) if isinstance(cell.value, (int, float)) else str(cell.value)  # 2, not 2.0
            fy, _, period = record.from_period.partition(" ")
            named = parse_period(period)
            bn_from = f" ({to_bangla_digits(fy)}, {named.name})" if named else ""
            en_from = f" ({record.from_period})" if named else ""
            out.append(warning(
                "carried-unchanged",
                f"আগের প্রতিবেদনের অর্জন অপরিবর্তিত: '{to_bangla_digits(shown)}' আগের প্রতিবেদন{bn_from} থেকে "
                "আনা হয়েছিল, বদলানো হয়নি। অর্থবছরের শুরু থেকে এই সময়কালের শেষ পর্যন্ত অর্জন লিখুন; সত্যিই না বদলে "
                "থাকলে এই সতর্কতা উপেক্ষা করুন।",
                f"Achievement unchanged from the previous report: '{to_ascii_digits(shown)}' was carried from "
                f"the previous report{en_from} and has not been updated. Write the achievement from the start of the "
                "fiscal year to the end of this period; if it really did not change, ignore this warning.",
                raw.table_sheet, cell.ref))
    return out
