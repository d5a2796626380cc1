"""The CSV export of the /review pages, safe to open in a spreadsheet.

A cell that a spreadsheet would read as a formula (text starting with `=`, `+`, `-`, `@`, a tab or a carriage
return, the OWASP list) is written with a leading apostrophe, so a question typed as `=HYPERLINK(...)` shows
as text in every reviewer's spreadsheet instead of running.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["FORMULA_STARTS", "csv_cell", "csv_text"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """`value` as a CSV cell: text that starts like a formula gets a leading `'`; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The CSV document: the header, then every row with each cell passed through `csv_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()
