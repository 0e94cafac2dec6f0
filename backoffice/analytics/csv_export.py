"""The analytics tables as CSV that a spreadsheet opens as it is.

UTF-8 with a byte-order mark first: without it Excel reads the file as the machine's legacy code
page and Thai turns into mojibake. A cell that starts like a formula (``=``, ``+``, ``-``, ``@``,
a tab or a carriage return) is prefixed with an apostrophe, so a citizen's message such as
``=HYPERLINK(...)`` is shown as text, never run (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

__all__ = ["BOM", "csv_lines", "safe_cell"]

BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    cell = str(value)
    if isinstance(value, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The BOM and header, then one CSV line per row (a generator, for a streamed response)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield BOM + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(value) for value in row])
        yield buffer.getvalue()
