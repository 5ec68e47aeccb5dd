"""Spreadsheet formula injection (OWASP "CSV injection"): user text that Excel would run as a formula."""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def inert(text: str) -> str:
    """Text for a CSV cell that Excel shows as typed: a leading apostrophe before a formula trigger."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text
