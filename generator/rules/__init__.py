"""Checks and scores: the letter's fields, the plan table, the scores and the office's own."""
