"""What became of a workbook: the statuses a build ends with, and those the ledger records besides."""

VALID = "valid"  # checked only (gen validate): no errors
BUILT = "built"
REJECTED = "rejected"  # the workbook (or its evidence) is refused: the clerk corrects it
FAILED = "failed"  # nothing written, not the workbook's fault (disk, permissions, state): tried again
DUPLICATE = "duplicate"  # the same bytes as an earlier submission: nothing new built
PROCESSING = "processing"  # in hand
DONE = "done"  # closed after a crash, the file already moved on
INTERRUPTED = "interrupted"  # its run was stopped before it was built

FINAL = (BUILT, REJECTED, FAILED)  # how a build ends
