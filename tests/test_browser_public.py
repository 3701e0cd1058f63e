"""In headless Chromium: the verification page that an app's QR code opens, on a phone (390×844), and the
page chrome at desktop width (1366×768). Element boxes are measured; screenshots go to var/shots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from govapp.registry import services
from govapp.registry.models import Filing
from tests.factories import complete_filing
from tests.public.builders import number_of
from tests.public.conftest import no_technical_test, register  # noqa: F401 - the public register
from tests.test_browser import _page_for, browser  # noqa: F401 - the shared Chromium fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path(__file__).resolve().parents[1] / "var" / "shots"
PHONE = (390, 844)
DESKTOP = (1366, 768)


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), type="png", full_page=False)


def _box(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box  # type: ignore[no-any-return]


def _nav_boxes(page: Any) -> list[tuple[str, dict[str, float]]]:
    return [(link.inner_text(), link.bounding_box()) for link in page.locator("nav.top-nav a").all()]


def _assert_nav_labels_on_one_line(page: Any) -> None:
    """A label broken one character per line is taller than wide; one line is at most ~40 px high."""
    for label, box in _nav_boxes(page):
        assert box is not None and box["height"] <= 40 and box["width"] >= box["height"], (label, box)


@pytest.mark.django_db(transaction=True)
def test_the_verification_page_on_a_phone(live_server, browser, register) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    number = number_of(register.filed)
    page = _page_for(browser, live_server.url, None, viewport=PHONE)
    page.goto(f"{live_server.url}/verify/{quote(number)}/")
    _shot(page, "verify-phone")
    _assert_nav_labels_on_one_line(page)
    assert _box(page, "header.site-header")["height"] <= PHONE[1] * 0.2
    # The result itself, with what the person checks against the app, is on the first screen.
    for selector in (".verify-status .badge", "dl.facts dd:nth-of-type(1)", "dl.facts dd:nth-of-type(2)",
                     "dl.facts dd:nth-of-type(4)"):  # fmt: skip
        box = _box(page, selector)
        assert box["y"] + box["height"] <= PHONE[1], (selector, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]  # no sideways scrolling
    page.context.close()


@pytest.mark.django_db(transaction=True)
def test_a_revoked_card_on_a_phone_shows_the_date_and_no_qr(live_server, browser, register) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page = _page_for(browser, live_server.url, None, viewport=PHONE)
    page.goto(f"{live_server.url}/verify/{quote(number_of(register.revoked))}/")
    _shot(page, "verify-revoked-phone")
    assert page.locator("[data-date=revoked_on]").is_visible() and page.locator(".qr").count() == 0
    page.context.close()


@pytest.mark.django_db(transaction=True)
def test_the_header_of_a_reviewer_at_desktop_and_phone_width(  # type: ignore[no-untyped-def]
    live_server,
    browser,  # noqa: F811
    filer,
    provincial_reviewer,
    national_reviewer,
    monkeypatch,
):
    monkeypatch.setattr(services, "APPROVAL_CHECKS", [])
    filing = complete_filing(filer, name="浙里审")
    services.filing_submit(filing=filing, actor=filer)
    services.filing_forward(filing=Filing.objects.get(pk=filing.pk), actor=provincial_reviewer)

    page = _page_for(browser, live_server.url, national_reviewer.username, viewport=DESKTOP)
    page.goto(f"{live_server.url}/filings/{filing.pk}/")
    _shot(page, "national-filing-desktop")
    # Two rows: brand and tools, then every area of the navigation on one line.
    tops = {round(box["y"]) for _label, box in _nav_boxes(page)}
    assert len(tops) == 1, _nav_boxes(page)
    brand, tools = _box(page, ".brand"), _box(page, ".header-tools")
    assert abs((brand["y"] + brand["height"] / 2) - (tools["y"] + tools["height"] / 2)) < 8
    assert _box(page, "header.site-header")["height"] <= 100
    # Approve and its refusal differ in colour, not only in wording.
    colours = {
        label: page.locator(".actions a.btn", has_text=label).evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        for label in ("准予备案", "要求补正")
    }
    assert colours["准予备案"] != colours["要求补正"], colours
    page.context.close()

    phone = _page_for(browser, live_server.url, national_reviewer.username, viewport=PHONE)
    phone.goto(f"{live_server.url}/filings/{filing.pk}/")
    _shot(phone, "national-filing-phone")
    _assert_nav_labels_on_one_line(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    phone.context.close()
