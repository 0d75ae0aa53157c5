"""Between periods: next period's workbook and the receiving office's summary of all offices."""
