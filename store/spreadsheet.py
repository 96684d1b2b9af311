"""Text that goes into spreadsheets (CSV and XLSX exports, validation reports) from user data.

Formula injection: a spreadsheet runs a cell starting with "=", "+", "-" or "@" (some programs also
one starting with a tab or carriage return, or with the full-width forms of those signs) as a formula.
Such text gets a single quote "'" in front, so it stays text: "=HYPERLINK(...)" becomes "'=HYPERLINK(...)".
Control characters that the XLSX format cannot hold are dropped first, so they cannot hide a trigger.
"""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(text: str) -> str:
    """Return text that every spreadsheet shows as text and openpyxl can write."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
