"""The demo data: every state of both machines, written through the services, with working logins."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.db.models import Count
from django.http import HttpRequest

from govapp.accounts.models import Role, Unit, UnitFunction, UnitLevel
from govapp.portal import demo
from govapp.registry import services
from govapp.registry.choices import EventAction, FilingState
from govapp.registry.models import App, Filing, FilingEvent, FilingNumber

pytestmark = pytest.mark.slow


@pytest.mark.django_db
def test_demo_covers_every_state_and_the_tick_abandons_exactly_the_overdue_supplement() -> None:
    counts = demo.load_demo()

    assert counts["apps"] == App.objects.count() >= 30
    assert set(App.objects.values_list("state", flat=True)) == set(App.State.values)
    filing_states = set(Filing.objects.values_list("state", flat=True))
    assert filing_states >= {
        FilingState.DRAFT, FilingState.PROVINCIAL_REVIEW, FilingState.RETURNED, FilingState.NATIONAL_REVIEW,
        FilingState.AWAITING_SUPPLEMENT, FilingState.FILED, FilingState.ABANDONED, FilingState.WITHDRAWN,
    }  # fmt: skip
    assert Filing.objects.filter(state=FilingState.NATIONAL_REVIEW, extended=True).exists()
    change = Filing.objects.get(app__state=App.State.CHANGE_REVIEW, state=FilingState.PROVINCIAL_REVIEW)
    assert services.material_diff(change.app.approved_filing, change)
    assert FilingEvent.objects.filter(action=EventAction.APPROVE, data__diff__0__field__isnull=False).exists()
    # Every state reached through the services leaves its event; filed apps hold a valid number.
    assert (
        FilingEvent.objects.filter(action=EventAction.REVOKE).count()
        == App.objects.filter(state="revoked").count()
    )
    for app in App.objects.filter(state=App.State.FILED):
        assert app.current_number.status == FilingNumber.Status.ACTIVE
    assert FilingNumber.objects.filter(status=FilingNumber.Status.REVOKED).exists()
    assert FilingNumber.objects.filter(status=FilingNumber.Status.DEREGISTERED).exists()

    overdue = Filing.objects.get(app__name="粤商通")
    assert overdue.state == FilingState.AWAITING_SUPPLEMENT
    assert services.filings_abandon_overdue() == 1
    assert Filing.objects.get(pk=overdue.pk).state == FilingState.ABANDONED
    assert Filing.objects.filter(state=FilingState.AWAITING_SUPPLEMENT).exists()  # the one still in time

    # Stories run over months, never before the Measures were published.
    first = FilingEvent.objects.order_by("at").first()
    assert first is not None and first.at.date() >= demo.EARLIEST
    assert FilingEvent.objects.values("at__date").annotate(n=Count("id")).count() > 20


@pytest.mark.django_db
def test_demo_units_and_logins() -> None:
    demo._create_people()

    levels = set(Unit.objects.values_list("level", flat=True))
    assert levels == set(UnitLevel.values)
    assert Unit.objects.exclude(province="").values("province").distinct().count() >= 3
    functions = set(Unit.objects.values_list("function", flat=True))
    assert functions == set(UnitFunction.values)
    assert Unit.objects.filter(level=UnitLevel.NATIONAL, function=UnitFunction.GOVERNMENT_UNIT).count() >= 2
    for role in Role.values:
        username = next(name for name, (r, _unit, _display) in demo.USERS.items() if r == role)
        # The lockout backend needs the request a sign-in comes with.
        user = authenticate(HttpRequest(), username=username, password=demo.DEMO_PASSWORD)
        assert user is not None and user.role == role
    assert demo.demo_present()
    table = demo.logins_table()
    assert "filer" in table and demo.DEMO_PASSWORD in table and "浙江省委网信办" in table


@pytest.mark.django_db
def test_demo_refuses_a_database_that_has_data() -> None:
    Unit.objects.create(name="某单位", level=UnitLevel.CITY, province="33")

    with pytest.raises(RuntimeError, match="empty"):
        demo.load_demo()
    assert not App.objects.exists()


@pytest.mark.django_db
def test_demo_shows_what_the_technical_test_decides() -> None:
    from govapp.inspection.checks import approval_checks
    from govapp.inspection.models import Scan
    from govapp.inspection.scanning import scan_run

    demo.load_demo()
    for scan_id in Scan.objects.filter(status=Scan.Status.QUEUED).values_list("pk", flat=True):
        scan_run(scan_id)  # what `govapp serve`'s worker does with the queued technical tests
    kinds = {
        filing.app_name: {c.kind for c in approval_checks(filing) if c.blocking}
        for filing in Filing.objects.filter(state=FilingState.NATIONAL_REVIEW)
    }
    assert "identity" in kinds["杭州不动产登记"]
    assert "verdict" in kinds["海珠区网格巡查"]
    assert "conflict" in kinds["南京办事服务"]


def test_demo_is_refused_outside_embedded_mode(db, settings) -> None:  # type: ignore[no-untyped-def]
    import io

    from govapp.portal.management.commands.serve import Command

    settings.GOVAPP_MODE, settings.GOVAPP_DEMO_ALLOWED = "production", False
    with pytest.raises(RuntimeError, match="only in embedded mode"):
        demo.load_demo()
    command = Command(stdout=io.StringIO())
    command._demo(load=True)  # what `govapp serve` does on an empty database
    assert "no demo data is loaded" in command.stdout.getvalue()
    assert not Unit.objects.exists() and not demo.demo_present()


@pytest.mark.django_db
def test_demo_is_consistent_in_time() -> None:
    """Every notification, history entry and clock is computed from its own event date."""
    import re

    from django.utils import timezone

    from govapp.core.calendar import deadline_for
    from govapp.core.models import Notification

    demo.load_demo()
    now = timezone.now()
    assert not FilingEvent.objects.filter(at__gt=now).exists()
    assert not Notification.objects.filter(created_at__gt=now).exists()
    for filing in Filing.objects.exclude(clock_limit=""):
        # The running clock started on the day of the event that started it, and is due N days later.
        started = filing.events.exclude(action=EventAction.EXTEND).latest("at", "pk")
        assert filing.clock_start == timezone.localdate(started.at), filing
        if not filing.extended:
            assert filing.clock_due == deadline_for(filing.clock_limit, filing.clock_start).due, filing
    for note in Notification.objects.exclude(due__isnull=True):
        # A notification's due date is the one its text gives, and never before the day it was sent.
        assert note.due >= timezone.localdate(note.created_at), note.subject
        dates = set(re.findall(r"\d{4}-\d{2}-\d{2}", f"{note.subject} {note.body}"))
        if dates:
            assert note.due.isoformat() in dates, (note.subject, note.body, note.due)
    for filing in Filing.objects.filter(state=FilingState.AWAITING_SUPPLEMENT):
        latest = Notification.objects.filter(url__contains=f"/filings/{filing.pk}/").exclude(due=None)
        if latest.exists():
            assert latest.latest("created_at", "pk").due == filing.clock_due
    # Months of history: events in at least five different months.
    months = {(e.year, e.month) for e in FilingEvent.objects.values_list("at", flat=True)}
    assert len(months) >= 5


@pytest.mark.django_db
def test_demo_shows_a_drifted_app_on_the_national_drift_list() -> None:
    from django.urls import reverse

    from govapp.accounts.models import User
    from govapp.inspection.models import Scan
    from tests.conftest import login
    from tests.factories import PASSWORD

    assert demo.load_demo()["drifted"] == 1
    spot = Scan.objects.get(reason=Scan.Reason.SPOT_CHECK)
    drifted = spot.filing.app
    national = User.objects.get(username="national")
    national.set_password(PASSWORD)
    national.save()
    page = login(national).get(reverse("portal:drift")).content.decode()
    assert drifted.name in page and reverse("portal:drift_order", args=[spot.pk]) in page
