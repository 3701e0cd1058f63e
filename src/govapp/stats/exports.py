"""Exports as XLSX (openpyxl write-only, streamed from a temporary file) and CSV (UTF-8 with BOM, streamed).

Headers are Chinese (the offices' spreadsheets), dates are dates. Rows are read with ``iterator()`` in
chunks, so a 100,000-row export never holds its rows in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000


class _Echo:
    def write(self, value: str) -> str:
        return value


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (int, float, dt.date)):
        return value
    return str(value)


def _csv_cell(value: Any) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else str(_text(value))
    # A cell that Excel would read as a formula is written as text (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def chinese_headers(labels: Iterable[Any]) -> list[str]:
    with translation.override("zh-hans"):
        return [str(label) for label in labels]


def csv_response(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], filename: str
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(headers)
        for row in rows:
            yield writer.writerow([_csv_cell(value) for value in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _sheet_title(title: str, used: set[str]) -> str:
    """Excel's rules for sheet names: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:28] or "Sheet"
    name, n = base, 1
    while name.lower() in used:
        n += 1
        name = f"{base} {n}"
    used.add(name.lower())
    return name


def write_xlsx(target: Any, sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> None:
    """Write (title, headers, rows) sheets in write-only mode: rows go to disk as they come."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    used: set[str] = set()
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=_sheet_title(title, used))
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            values = []
            for value in row:
                value = _text(value)
                if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                    cell = WriteOnlyCell(sheet, value=dt.datetime.combine(value, dt.time.min))
                    cell.number_format = "yyyy-mm-dd"
                    values.append(cell)
                else:
                    values.append(value)
            sheet.append(values)
    workbook.save(target)


def xlsx_response(
    sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]], filename: str
) -> FileResponse:
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after the download
    write_xlsx(spool, sheets)
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX_TYPE, as_attachment=True, filename=filename)
    return response
