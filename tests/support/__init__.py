"""Helpers every test folder shares (no test file imports another)."""
