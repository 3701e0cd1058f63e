"""In headless Chromium: the provincial and the national reviewer's workbench (home queue) with cases
overdue, due within three working days and on a provisional deadline, at desktop (1366×768) and phone
(390×844) width. The countdown texts are read from the page and their boxes measured; screenshots go to
var/screenshots/workbench/ (not committed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from govapp.core.calendar import add_workdays, countdown, subtract_workdays
from govapp.registry import services
from govapp.registry.models import Filing
from tests.factories import complete_filing
from tests.test_browser import _page_for, browser  # noqa: F401 - the shared Chromium fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots" / "workbench"
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
# A deadline in a year whose official arrangement is not loaded: estimated and marked provisional.
PROVISIONAL_DUE = dt.date(timezone.localdate().year + 1, 1, 20)


@pytest.fixture
def official_calendar(transactional_db):  # type: ignore[no-untyped-def]
    """A previous transactional test's flush empties the seeded calendar: install it again."""
    from govapp.core import calendar, calendar_import

    calendar_import.install_seed()
    calendar.clear_cache()


def _cases(filer: Any, provincial_reviewer: Any, *, national: bool) -> dict[str, Filing]:
    """Three cases with the province (or, forwarded, with the national office): overdue, due soon, provisional."""
    today = timezone.localdate()
    dues = {
        "overdue": (subtract_workdays(today, 3), False),
        "soon": (add_workdays(today, 2), False),
        "provisional": (PROVISIONAL_DUE, True),
    }
    cases = {}
    for key, (due, provisional) in dues.items():
        filing = complete_filing(filer, name=f"{'国家' if national else '省级'}{key}应用",
                                 android_package=f"cn.gov.zj.{key}{int(national)}")  # fmt: skip
        services.filing_submit(filing=filing, actor=filer)
        if national:
            services.filing_forward(filing=filing, actor=provincial_reviewer)
        Filing.objects.filter(pk=filing.pk).update(clock_due=due, clock_provisional=provisional)
        cases[key] = filing
    return cases


def _row(page: Any, filing: Filing) -> Any:
    return page.locator(f"table.worklist tr[data-filing='{filing.pk}']")


def _left(filing: Filing) -> int:
    filing.refresh_from_db()
    assert filing.clock_due is not None
    return countdown(filing.clock_due, provisional=filing.clock_provisional).days_left


def _check_workbench(page: Any, base: str, cases: dict[str, Filing], name: str, width: int) -> None:
    page.goto(base + reverse("portal:home"))
    page.wait_for_load_state()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    overdue = _row(page, cases["overdue"])
    assert "row-overdue" in (overdue.get_attribute("class") or "")
    assert _left(cases["overdue"]) == -3
    assert "逾期 3 个工作日" in overdue.locator(".clock").inner_text(), overdue.inner_text()
    soon = _row(page, cases["soon"]).locator(".clock")
    assert "剩余 2 个工作日" in soon.inner_text() and "urgent" in (soon.get_attribute("class") or "")
    provisional = _row(page, cases["provisional"]).locator(".clock")
    assert f"剩余 {_left(cases['provisional'])} 个工作日" in provisional.inner_text()
    assert provisional.locator(".badge.provisional").inner_text() == "暂定"
    for key in cases:
        clock = _row(page, cases[key]).locator(".clock")
        strong = clock.locator("strong").bounding_box()
        assert strong is not None and strong["height"] <= 26, (name, key, strong)  # the countdown on one line
        assert strong["x"] >= 0 and strong["x"] + strong["width"] <= width, (name, key, strong)  # in sight
        due = clock.locator(".clock-due").bounding_box()
        assert due is not None and due["height"] <= 26, (name, key, due)  # the date never breaks at a hyphen
        for badge in clock.locator(".badge").all():
            box = badge.bounding_box()
            assert box is not None and box["height"] <= 24, (name, key, box)  # a badge never breaks
    # The queue may scroll sideways inside its own box, never the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_provincial_workbench_shows_each_deadline(  # type: ignore[no-untyped-def]
    live_server,
    browser,  # noqa: F811
    official_calendar,
    filer,
    provincial_reviewer,
    size: str,
) -> None:
    cases = _cases(filer, provincial_reviewer, national=False)
    width, height = SIZES[size]
    page = _page_for(browser, live_server.url, provincial_reviewer.username, viewport=(width, height))
    _check_workbench(page, live_server.url, cases, f"provincial-{size}", width)
    page.context.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_national_workbench_shows_each_deadline(  # type: ignore[no-untyped-def]
    live_server,
    browser,  # noqa: F811
    official_calendar,
    filer,
    provincial_reviewer,
    national_reviewer,
    size: str,
) -> None:
    cases = _cases(filer, provincial_reviewer, national=True)
    width, height = SIZES[size]
    page = _page_for(browser, live_server.url, national_reviewer.username, viewport=(width, height))
    _check_workbench(page, live_server.url, cases, f"national-{size}", width)
    page.context.close()
