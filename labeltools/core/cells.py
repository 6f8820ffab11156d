"""Text in spreadsheet cells and CSV fields is text: never a formula.

A class name, a file name or a label comes from data. Written into a workbook or a CSV file as it
is, ``=HYPERLINK(...)`` or ``+cmd|...`` would run as a formula when the file is opened. Every
workbook and CSV labeltools writes passes its text through here; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

#: What makes a spreadsheet read a typed or imported text as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: The prefix that keeps such a text a text in a CSV field (what spreadsheets themselves use).
CSV_TEXT_PREFIX = "'"


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would take ``text`` for a formula."""
    return text.startswith(FORMULA_START)


def csv_field(value: Any) -> Any:
    """``value`` for a CSV field: a formula-like text gets a leading ``'``; anything else as is."""
    if isinstance(value, str) and is_formula_like(value):
        return CSV_TEXT_PREFIX + value
    return value


def csv_text_value(field: str) -> str:
    """The text a CSV field written by :func:`csv_field` stands for (the ``'`` removed again)."""
    if field.startswith(CSV_TEXT_PREFIX) and is_formula_like(field[1:]):
        return field[1:]
    return field


def csv_document(rows: Iterable[Iterable[Any]]) -> str:
    """CSV text (``\\n`` line ends) of ``rows``, every text field passed through :func:`csv_field`."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for row in rows:
        writer.writerow([csv_field(value) for value in row])
    return buf.getvalue()


def keep_text(cell: Any) -> Any:
    """Make an openpyxl cell holding a string keep it as text: stored as a string (never a
    formula), and quote-prefixed when it looks like one, so that editing it in Excel keeps it
    text too. Other cells are left as they are. Returns the cell."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if is_formula_like(cell.value):
            cell.quotePrefix = True
    return cell


def keep_sheet_text(sheet: Any) -> None:
    """:func:`keep_text` on every cell of an (ordinary, not write-only) openpyxl worksheet."""
    for row in sheet.iter_rows():
        for cell in row:
            keep_text(cell)
