"""End to end in headless Chromium: an anonymous visitor complains on the public (Chinese) form, follows the
case with the receipt code, the provincial office closes it with an outcome, and the visitor sees the
outcome and nothing of the case file."""

from __future__ import annotations

import re

import pytest

from govapp.complaints.models import Complaint
from govapp.complaints.services import find_by_receipt
from govapp.registry import services
from govapp.registry.models import App
from tests.factories import complete_filing
from tests.test_browser import _page_for, browser  # noqa: F401 - the shared Chromium fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESCRIPTION = "街道要求每天早上八点前在应用里打卡签到，未打卡的要在例会上通报。"
OUTCOME = "经核查，该应用存在强制打卡功能，已责令主办单位限期整改。"


@pytest.mark.django_db(transaction=True)
def test_complain_follow_and_see_the_outcome(  # type: ignore[no-untyped-def]
    live_server,
    browser,  # noqa: F811 - the fixture imported above
    filer,
    provincial_reviewer,
    national_reviewer,
    monkeypatch,  # noqa: F811
):
    monkeypatch.setattr(services, "APPROVAL_CHECKS", [])
    filing = complete_filing(filer, name="浙里打卡")
    services.filing_submit(filing=filing, actor=filer)
    services.filing_forward(filing=filing, actor=provincial_reviewer)
    services.filing_approve(filing=filing, actor=national_reviewer)
    app = App.objects.get(pk=filing.app_id)
    base = live_server.url

    # The visitor: the public link in the header leads to the form, in Chinese.
    visitor = _page_for(browser, base, None)
    visitor.goto(f"{base}/")
    visitor.locator("nav.top-nav a", has_text="投诉举报").click()
    visitor.wait_for_load_state()
    assert visitor.url.endswith("/complaints/new/")
    assert "投诉" in visitor.locator("h1").inner_text()
    visitor.fill("input[name=app_name]", app.name)
    visitor.check("input[name=category][value=checkin]")
    visitor.fill("textarea[name=description]", DESCRIPTION)
    visitor.check("input[name=consent]")
    visitor.locator("form.complaint-form button[type=submit]").click()
    visitor.wait_for_load_state()
    receipt = visitor.locator("#receipt").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9-]{8,17}", receipt), receipt
    complaint = find_by_receipt(receipt)
    assert complaint.province == "33" and complaint.app_id == app.pk

    # Follow it on the tracking page: received, no outcome yet.
    visitor.goto(f"{base}/complaints/track/")
    visitor.fill("input[name=receipt]", receipt)
    visitor.locator("main form button[type=submit]").click()
    visitor.wait_for_load_state()
    assert visitor.locator("[data-status]").get_attribute("data-status") == "received"
    assert not visitor.locator(".outcome").count()

    # The provincial cyberspace office closes it with an outcome.
    office = _page_for(browser, base, provincial_reviewer.username)
    office.goto(f"{base}/complaints/work/{complaint.pk}/close/")
    office.fill("textarea[name=outcome]", OUTCOME)
    office.locator("main form button[type=submit]").click()
    office.wait_for_load_state()
    complaint = Complaint.objects.get(pk=complaint.pk)  # a protected status cannot be refreshed in place
    assert complaint.status == "closed" and complaint.outcome == OUTCOME

    # The visitor sees the outcome, and nothing of what was written or who handled it.
    visitor.reload()
    visitor.wait_for_load_state()
    assert visitor.locator("[data-status]").get_attribute("data-status") == "closed"
    assert OUTCOME in visitor.locator(".outcome").inner_text()
    text = visitor.locator("main").inner_text()
    for hidden in (DESCRIPTION, app.name, provincial_reviewer.username, filer.unit.name):
        assert hidden not in text
