"""Statistics through the real pages, checked against hand-built histories across the 2026 National Day
holiday (10-01…10-07 off, Sunday 09-20 and Saturday 10-10 worked)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from govapp.registry.models import Filing

from .builders import approved_on, forwarded_on, returned_on, submitted_on

D = dt.date
PERIOD = "?from=2026-09-01&to=2026-10-31"


@pytest.fixture
def history(filer, provincial_reviewer, national_reviewer, without_technical_test):  # type: ignore[no-untyped-def]
    # N1 5 working days (09-29 → 10-12 over the holiday and the make-up Saturday), N2 8 (→ 10-22).
    first = submitted_on(filer, D(2026, 9, 29), "浙里办")
    first = forwarded_on(first, provincial_reviewer, D(2026, 10, 12))
    approved_on(first, national_reviewer, D(2026, 10, 22))
    # N1 8 (09-21 → 10-09: Mid-Autumn 09-25 off).
    second = submitted_on(filer, D(2026, 9, 21), "浙政钉")
    forwarded_on(second, provincial_reviewer, D(2026, 10, 9))
    # N1 16, past the limit of 10 (09-14 → 10-12: the make-up Sunday 09-20 and Saturday 10-10 count).
    third = submitted_on(filer, D(2026, 9, 14), "浙里检")
    returned_on(third, provincial_reviewer, D(2026, 10, 12))
    return first, second, third


def _times_row(html: str, stage: str) -> str:
    start = html.index('data-table="times"')
    table = html[start : html.index("</table>", start)]
    return table[table.index(stage) :].split("</tr>")[0]


def _cells(row: str) -> list[str]:
    import re

    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in row.split("<td>")[1:]]


def test_processing_times_count_working_days_across_the_holiday(client_for, national_reviewer, history):
    response = client_for(national_reviewer).get("/statistics/" + PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    # Completed, median, p90, within the limit — nearest rank over {5, 8, 16}.
    assert _cells(_times_row(html, "完备性审核（N1）"))[0:5] == ["10", "3", "8", "16", "67%"]
    assert _cells(_times_row(html, "国家网信办审核（N2）"))[0:5] == ["20", "1", "8", "8", "100%"]


def test_national_office_sees_every_province_and_numbers_link_to_their_rows(
    client_for, national_reviewer, history, far_filer
):
    client = client_for(national_reviewer)
    html = client.get("/statistics/" + PERIOD).content.decode()
    assert 'data-table="by_province"' in html
    assert "/statistics/rows/apps/?province=33" in html
    rows = client.get("/statistics/rows/apps/?province=33&state=filed")
    assert rows.status_code == 200
    assert "浙里办" in rows.content.decode() and "浙政钉" not in rows.content.decode()


def test_provincial_office_sees_its_own_province_only(client_for, other_provincial_reviewer, history):
    client = client_for(other_provincial_reviewer)
    html = client.get("/statistics/?province=33").content.decode()
    assert "浙江" not in html.split("<h1>")[1].split("</h1>")[0]
    rows = client.get("/statistics/rows/filings/?province=33").content.decode()
    assert "浙里办" not in rows


@pytest.mark.parametrize("who", ["filer", "anonymous"])
def test_statistics_refuse_the_outsider(client, client_for, filer, who):
    response = (client_for(filer) if who == "filer" else client).get("/statistics/")
    assert response.status_code in (302, 403)
    if who == "filer":
        assert response.status_code == 403


def test_export_xlsx_has_chinese_headers_dates_as_dates_and_the_filters(
    client_for, national_reviewer, history
):
    response = client_for(national_reviewer).get("/statistics/rows/filings/export.xlsx?state=national_review")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "应用名称"
    assert [row[0] for row in rows[1:]] == ["浙政钉"]
    submitted = rows[1][5]
    assert isinstance(submitted, dt.datetime) and submitted.date() == D(2026, 9, 21)


def test_export_csv_is_utf8_with_bom(client_for, national_reviewer, history):
    response = client_for(national_reviewer).get("/statistics/export.csv?table=times&" + PERIOD[1:])
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    assert "16" in body.splitlines()[1]


def test_monthly_report_is_a_pdf(client_for, national_reviewer, history):
    response = client_for(national_reviewer).get("/statistics/report.pdf?month=2026-10")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_public_record_and_api_show_the_dates_and_working_days(client, history):
    first = Filing.objects.get(pk=history[0].pk)
    number = first.app.current_number.number
    data = client.get(f"/api/v1/public/filings/{number}").json()
    assert data["submitted_on"] == "2026-09-29"
    assert data["forwarded_on"] == "2026-10-12"
    assert data["working_days_taken"] == 13  # 5 + 8
    stats = client.get("/api/v1/public/statistics").json()
    n1 = next(stage for stage in stats["stages"] if stage["stage"] == "N1")
    assert n1["completed"] >= 3
    assert "published" in client.get("/statistics/published/").templates[0].name


def test_every_statistics_table_exports_as_one_workbook(client_for, national_reviewer, history):
    response = client_for(national_reviewer).get("/statistics/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(book.sheetnames) == len(set(book.sheetnames)) >= 15
    assert all(":" not in name and len(name) <= 31 for name in book.sheetnames)


def test_every_number_opens_a_list_of_exactly_that_many_rows(client_for, national_reviewer, history):
    import html as html_lib
    import re

    client = client_for(national_reviewer)
    page = client.get("/statistics/" + PERIOD).content.decode()
    links = set(re.findall(r'<a href="(/statistics/rows/[^"]+)">(\d+)</a>', page))
    assert len(links) > 20
    for href, shown in sorted(links):
        listed = client.get(html_lib.unescape(href)).content.decode()
        count = re.search(r"共 (\d+) 条", listed)
        assert count is not None and count.group(1) == shown, href
