"""The shared XLSX writer: text stays text, numbers and dates keep their types, sheet names follow Excel."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from govapp.core.spreadsheet import write_xlsx


def test_cells_keep_their_types_and_text_is_never_a_formula() -> None:
    buffer = io.BytesIO()
    rows = [['=HYPERLINK("http://x")', 3, 2.5, dt.date(2026, 12, 4), None, "+86 571"]]
    write_xlsx(buffer, [("Apps: [all]/2026", ["名称", "数量", "比例", "日期", "空", "电话"], rows)])
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = book.worksheets[0]
    assert sheet.title == "Apps   all  2026"  # Excel refuses []:*?/\ in a sheet name
    header, row = list(sheet.iter_rows(values_only=True))
    assert header == ("名称", "数量", "比例", "日期", "空", "电话") and sheet["A1"].font.bold
    assert row[:3] == ('=HYPERLINK("http://x")', 3, 2.5) and sheet["A2"].data_type == "s"
    assert row[3] == dt.datetime(2026, 12, 4) and sheet["D2"].number_format == "yyyy-mm-dd"
    assert row[4] is None and row[5] == "+86 571"


def test_two_sheets_of_the_same_name_get_distinct_names() -> None:
    buffer = io.BytesIO()
    write_xlsx(buffer, [("清单", None, [["a"]]), ("清单", None, [["b"]])])
    assert load_workbook(io.BytesIO(buffer.getvalue())).sheetnames == ["清单", "清单 2"]
