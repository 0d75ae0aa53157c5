"""tests/durations.txt from `pytest --durations=0` output on stdin: the seconds of each test file, heaviest first."""

import re
import sys
from collections import Counter

HEADER = """\
# Seconds each test file took in one `make test` run (pytest --durations=0, summed by file). conftest.py
# starts the heaviest files first; a file not listed counts as quick. Refresh with `make durations`.
"""


def main() -> None:
    took: Counter[str] = Counter()
    for line in sys.stdin:
        if m := re.match(r"([\d.]+)s (?:call|setup|teardown)\s+(\S+?)::", line):
            took[m.group(2)] += float(m.group(1))
    if not took:
        sys.exit("no durations on stdin (did the run pass --durations=0?)")
    sys.stdout.write(HEADER + "".join(f"{t:.0f} {path}\n" for path, t in took.most_common() if t >= 1))


if __name__ == "__main__":
    main()
