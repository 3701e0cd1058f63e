"""Exports as XLSX (XlsxWriter in constant-memory mode, streamed from a temporary file) and CSV (UTF-8 with
BOM, streamed).

Headers are Chinese (the offices' spreadsheets), dates are dates. Rows are read in pages of ``CHUNK``, so a
100,000-row export never holds its rows in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import translation

from govapp.core import spreadsheet

XLSX_TYPE = spreadsheet.XLSX_TYPE
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


def write_xlsx(target: Any, sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> None:
    """Write (title, headers, rows) sheets row by row (``core.spreadsheet.write_xlsx``)."""
    spreadsheet.write_xlsx(
        target,
        ((title, headers, ([_text(v) for v in row] for row in rows)) for title, headers, rows in sheets),
    )


def xlsx_response(
    sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]], filename: str
) -> FileResponse:
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after the download
    write_xlsx(spool, sheets)
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX_TYPE, as_attachment=True, filename=filename)
    return response
