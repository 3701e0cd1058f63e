"""A change filing's N4 rule and effective date: checked on the review step, applied on the effective date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from govapp.registry import services, workflow
from govapp.registry.models import App, Filing
from tests.factories import add_attachment, attach_packages, complete_filing

MONDAY = dt.date(2026, 9, 28)  # N4 = 10 working days across National Day: the earliest date is Oct 16

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _workflow_only(without_technical_test):  # type: ignore[no-untyped-def]
    """The approval guard of the technical test is tested in tests/inspection."""


@pytest.fixture
def today(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(workflow, "today", lambda: MONDAY)
    return MONDAY


def _filed(filer: Any, provincial: Any, national: Any) -> App:
    filing = complete_filing(filer)
    services.filing_submit(filing=filing, actor=filer)
    services.filing_forward(filing=filing, actor=provincial)
    services.filing_approve(filing=filing, actor=national)
    return App.objects.get(pk=filing.app_id)


def _change(app: App, filer: Any, effective: dt.date, **fields: Any) -> Filing:
    change = services.change_start(app=app, actor=filer)
    change.change_description = "更名"
    change.change_effective_date = effective
    for name, value in fields.items():
        setattr(change, name, value)
    change.save()
    add_attachment(change)
    attach_packages(change)
    return change


def _review_page(client: Any, filing: Filing) -> str:
    client.cookies["django_language"] = "en"
    response = client.get(reverse("registry:filing_edit", args=[filing.pk, "review"]))
    assert response.status_code == 200
    return response.content.decode()


def test_review_step_refuses_an_effective_date_too_soon(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer, today, client_for
) -> None:
    change = _change(_filed(filer, provincial_reviewer, national_reviewer), filer, dt.date(2026, 10, 15))
    page = _review_page(client_for(filer), change)
    assert "All required materials are present." not in page
    assert "Choose 2026-10-16 or later." in page
    assert 'disabled aria-disabled="true"' in page


def test_review_step_accepts_the_earliest_effective_date(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer, today, client_for
) -> None:
    change = _change(_filed(filer, provincial_reviewer, national_reviewer), filer, dt.date(2026, 10, 16))
    page = _review_page(client_for(filer), change)
    assert "All required materials are present." in page
    services.filing_submit(filing=change, actor=filer)  # and submit agrees


def _approve(change: Filing, filer: Any, provincial: Any, national: Any) -> None:
    services.filing_submit(filing=change, actor=filer)
    services.filing_forward(filing=change, actor=provincial)
    services.filing_approve(filing=change, actor=national)


def test_an_approved_change_takes_effect_in_the_register_on_its_date(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer, today, monkeypatch
) -> None:
    from govapp.core.scheduler import apply_time_rules
    from govapp.public.queries import record_for
    from govapp.registry.choices import EventAction

    app = _filed(filer, provincial_reviewer, national_reviewer)
    change = _change(app, filer, dt.date(2026, 10, 16), app_name="浙政钉2.0")
    _approve(change, filer, provincial_reviewer, national_reviewer)
    app = App.objects.get(pk=app.pk)
    assert app.state == App.State.FILED
    assert record_for(app.current_number).app_name == "浙政钉"  # approved, not yet in effect
    apply_time_rules(today=dt.date(2026, 10, 15))
    assert App.objects.get(pk=app.pk).name == "浙政钉"
    apply_time_rules(today=dt.date(2026, 10, 16))
    app = App.objects.get(pk=app.pk)
    assert record_for(app.current_number).app_name == "浙政钉2.0"
    assert app.approved_filing_id == change.pk
    event = app.events.get(action=EventAction.CHANGE_EFFECTIVE)
    assert event.filing_id == change.pk and event.data["effective"] == "2026-10-16"
    apply_time_rules(today=dt.date(2026, 10, 17))  # idempotent
    assert app.events.filter(action=EventAction.CHANGE_EFFECTIVE).count() == 1


def test_a_change_approved_on_or_after_its_date_takes_effect_at_once(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer, today, monkeypatch
) -> None:
    app = _filed(filer, provincial_reviewer, national_reviewer)
    change = _change(app, filer, dt.date(2026, 10, 16), app_name="浙政钉2.0")
    services.filing_submit(filing=change, actor=filer)
    services.filing_forward(filing=change, actor=provincial_reviewer)
    monkeypatch.setattr(workflow, "today", lambda: dt.date(2026, 10, 20))  # the review took longer
    services.filing_approve(filing=change, actor=national_reviewer)
    assert App.objects.get(pk=app.pk).name == "浙政钉2.0"


def test_a_second_change_starts_from_the_approved_one_not_yet_in_effect(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer, today
) -> None:
    app = _filed(filer, provincial_reviewer, national_reviewer)
    _approve(_change(app, filer, dt.date(2026, 10, 16), app_name="浙政钉2.0"), filer, provincial_reviewer,
             national_reviewer)  # fmt: skip
    second = services.change_start(app=App.objects.get(pk=app.pk), actor=filer)
    assert second.app_name == "浙政钉2.0"
