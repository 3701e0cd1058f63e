"""In headless Chromium: the national office opens the statistics page, sees the charts drawn beside their
tables, follows a number to its list and downloads that list as Excel, which openpyxl reads back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.statistics.builders import approved_on, forwarded_on, submitted_on
from tests.test_browser import _page_for, browser  # noqa: F401 - the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ECHARTS = Path(__file__).resolve().parents[1] / "src/govapp/static/vendor/echarts/echarts.min.js"


@pytest.mark.django_db(transaction=True)
def test_statistics_chart_and_excel_export(  # type: ignore[no-untyped-def]
    live_server,
    browser,  # noqa: F811 - the fixture imported from tests.test_browser
    filer,
    provincial_reviewer,
    national_reviewer,
    without_technical_test,
    tmp_path,
):
    if not ECHARTS.exists():
        pytest.skip("ECharts is not vendored: run `make vendor` (scripts/vendor-echarts.sh)")
    filing = submitted_on(filer, dt.date(2026, 9, 29), "浙里办")
    filing = forwarded_on(filing, provincial_reviewer, dt.date(2026, 10, 12))
    approved_on(filing, national_reviewer, dt.date(2026, 10, 22))
    base = live_server.url
    page = _page_for(browser, base, national_reviewer.username, viewport=(1366, 900))
    page.goto(f"{base}/statistics/?from=2026-09-01&to=2026-10-31")
    chart = page.locator('[data-chart="by_kind"]')
    chart.wait_for(state="visible")
    page.wait_for_selector('[data-chart="by_kind"][data-rendered="true"] svg')
    assert page.locator('[data-chart="times"] svg').count() == 1
    # The table of numbers beside the chart, in Chinese.
    assert "完备性审核（N1）" in page.locator('table[data-table="times"]').inner_text()
    page.locator('table[data-table="by_province"] a', has_text="1").first.click()
    page.wait_for_load_state()
    assert "/statistics/rows/apps/" in page.url and "浙里办" in page.content()
    with page.expect_download() as download_info:
        page.locator("a", has_text="导出 Excel").first.click()
    target = tmp_path / "apps.xlsx"
    download_info.value.save_as(target)
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0][0] == "应用名称" and rows[1][0] == "浙里办"
    assert rows[1][7] == dt.datetime(2026, 10, 22)  # 备案日期, a date cell
