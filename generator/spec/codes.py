"""Finding codes that the program itself tells apart, or that more than one module raises: defined here once.
A code raised in one place only and never matched stays where it is raised, as a literal (`rules/validate.py`
and friends); `tests/test_codes.py` keeps it so."""

# the workbook cannot be opened, or not safely
TOO_LARGE = "too-large"
ZIP_BOMB = "zip-bomb"
TOO_MANY_PARTS = "too-many-parts"
TOO_MANY_CELLS = "too-many-cells"
BAD_PACKAGE = "bad-package"
FAR_CELL = "far-cell"
COULD_NOT_READ = "could-not-read"

# the build stopped: its time limit, its worker's death
TOOK_TOO_LONG = "took-too-long"
COULD_NOT_PROCESS = "could-not-process"
SERVICE_STOPPED = "service-stopped"  # a build cut short by the service's own stop: built at its next start

# nothing written, not the workbook's fault
COULD_NOT_WRITE = "could-not-write"
STATE_UNAVAILABLE = "state-unavailable"
MEMO_EXISTS = "memo-exists"
OUTPUT_EXISTS = "output-exists"
OUTPUT_IS_A_RECORD = "output-is-a-record"  # a built letter, a register, a kept original: never replaced
OUTPUT_NOT_A_FILE = "output-not-a-file"  # a folder, link, FIFO or device where a file is to be written: never replaced

# the letter sheet
UNKNOWN_KIND = "unknown-kind"
MISSING_FIELD = "missing-field"
BAD_FISCAL_YEAR = "bad-fiscal-year"
BAD_PERIOD = "bad-period"
PERIOD_NOT_FOR_KIND = "period-not-for-kind"
BAD_DATE = "bad-date"
BAD_NUMBER = "bad-number"
MEMO_PREFIX_MALFORMED = "memo-prefix-malformed"
MEMO_SERIAL_TAKEN = "memo-serial-taken"

# the plan sheet
BAD_ACHIEVEMENT = "bad-achievement"
PERCENT_OVER_100 = "percent-over-100"
DUPLICATE_CODE = "duplicate-code"
CODE_NESTING = "code-nesting"

EVIDENCE = "evidence-"  # the prefix of a build refused for its evidence: evidence-wrong-type, evidence-cannot-fit, …

# files that are not opened again to mark them up
UNREADABLE = frozenset({TOO_LARGE, ZIP_BOMB, TOO_MANY_PARTS, TOO_MANY_CELLS, BAD_PACKAGE, FAR_CELL, TOOK_TOO_LONG,
                        COULD_NOT_PROCESS})
LOST = (TOOK_TOO_LONG, COULD_NOT_PROCESS)  # a workbook whose worker died or ran out of time
# the letter-sheet findings that leave a report's year or period unknown
FORMULA_WITHOUT_VALUE = "formula-without-value"
PERIOD_UNKNOWN = (MISSING_FIELD, BAD_FISCAL_YEAR, BAD_PERIOD, PERIOD_NOT_FOR_KIND)
