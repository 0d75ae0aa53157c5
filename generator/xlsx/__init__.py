"""The workbook file: the package guard, reading cells by key, blank workbooks, filling, marking up."""
