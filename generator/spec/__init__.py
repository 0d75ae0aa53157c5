"""What a report is, as plain data: kinds, columns, fields, memo numbers, the documents a kind makes."""
