"""The memo's separator is the office's: `-` or `.` between the file code and the serial, chosen once per prefix
(by its identity key, spec/memo.register_prefix) by the first issue under it, and kept in the register so that
every letter of one sequence prints one form (docs/workbook.md, "Memo numbers").

A later workbook with the same prefix and another separator is built with the register's form and told so
(pipeline: the warning `memo-separator-kept`): a clerk expects the letter to carry the office's number as the
office has always written it, and the report not to be refused for a dot.
"""

from __future__ import annotations

from generator.records import db


def keep(database: db.Database, key: str, separator: str, *, typed: bool, source: str) -> str:
    """The separator the register keeps for the prefix key: the one recorded by the first issue, or `separator`,
    recorded now when there is none. Atomic on both backends (an insert that does nothing on conflict, then a
    read): two first issues at once agree on one form. Call inside a transaction."""
    database.execute(f"INSERT INTO memo_forms (prefix_key, separator, typed, source, chosen_at) "
                     f"VALUES (?, ?, ?, ?, {database.NOW}) ON CONFLICT (prefix_key) DO NOTHING",
                     (key, separator, int(typed), source))
    return kept(database, key) or separator


def forget_if_unused(database: db.Database, key: str) -> None:
    """Take back the choice of a prefix key no memo uses any more (its only serial given back, never issued).
    Call inside the transaction that gave it back, under the prefix's lock."""
    database.execute("DELETE FROM memo_forms WHERE prefix_key = ? AND NOT EXISTS "
                     "(SELECT 1 FROM memos WHERE prefix_key = ?)", (key, key))


def kept(database: db.Database, key: str) -> str | None:
    row = database.execute("SELECT separator FROM memo_forms WHERE prefix_key = ?", (key,)).fetchone()
    return row[0] if row else None


def every(database: db.Database) -> dict[str, str]:
    """prefix key → the separator kept for it."""
    return dict(database.execute("SELECT prefix_key, separator FROM memo_forms ORDER BY prefix_key").fetchall())
