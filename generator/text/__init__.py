"""Bangla text: digits, the 2019 calendar, dates, number words, Bijoy, and cell values as offices type them."""
