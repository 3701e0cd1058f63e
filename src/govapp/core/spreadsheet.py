"""Tables people take away: rows as CSV (for any program) and as an Excel workbook (dates as dates).

Both are written row by row, so a national campaign of 10,000 apps streams through without a second copy.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter
from django.utils import timezone

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def safe_cell(value: Any) -> Any:
    # A text cell starting with "=" would be evaluated as a formula by the reader's spreadsheet program.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def rows_csv(rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(
            ["" if value is None else value.isoformat() if isinstance(value, dt.date) else safe_cell(value)
             for value in row]
        )  # fmt: skip
    # The byte-order mark makes Excel and WPS open the Chinese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sheet_title(title: str, used: set[str]) -> str:
    """Excel's rules for sheet names: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:28] or "Sheet"
    name, n = base, 1
    while name.lower() in used:
        n += 1
        name = f"{base} {n}"
    used.add(name.lower())
    return name


def write_xlsx(
    target: Any, sheets: Iterable[tuple[str, Sequence[str] | None, Iterable[Sequence[Any]]]]
) -> None:
    """Write (title, headers or None, rows) sheets to ``target`` (a path or a binary file) row by row.

    XlsxWriter in constant-memory mode: each row goes to disk as it comes, so 100,000 rows hold no second
    copy. Text is always text (a cell starting with "=" is never a formula), numbers are numbers, dates
    show as yyyy-mm-dd; headers are bold."""
    workbook = xlsxwriter.Workbook(
        target,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
         "strings_to_numbers": False},
    )  # fmt: skip
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    used: set[str] = set()
    for title, headers, rows in sheets:
        sheet = workbook.add_worksheet(_sheet_title(title, used))
        first = 0
        if headers is not None:
            sheet.write_row(0, 0, [str(header) for header in headers], bold)
            first = 1
        for r, row in enumerate(rows, start=first):
            for c, value in enumerate(row):
                _write_cell(sheet, r, c, value, day, moment)
    workbook.close()


def _write_cell(sheet: Any, r: int, c: int, value: Any, day: Any, moment: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, (int, float)):
        sheet.write_number(r, c, value)
    elif isinstance(value, dt.datetime):
        local = timezone.localtime(value).replace(tzinfo=None) if value.tzinfo is not None else value
        sheet.write_datetime(r, c, local, moment)
    elif isinstance(value, dt.date):
        sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time.min), day)
    else:
        sheet.write_string(r, c, str(value))


def rows_xlsx(sheets: Iterable[tuple[str, Iterable[Sequence[Any]]]]) -> bytes:
    """One sheet per (title, rows); date cells keep their type and show as yyyy-mm-dd."""
    buffer = io.BytesIO()
    write_xlsx(
        buffer, ((title, None, ([safe_cell(v) for v in row] for row in rows)) for title, rows in sheets)
    )
    return buffer.getvalue()
