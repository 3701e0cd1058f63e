"""The campaign time rule at scale: the same queries for 10 and 100 open items, rows marked in bulk, one
notification per unit and campaign, and nothing changed by a second run the same day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govapp.core.calendar import workdays_between
from govapp.core.models import Notification
from govapp.registry.choices import AppKind
from govapp.registry.models import App
from govapp.supervision.campaigns import selfcheck
from govapp.supervision.campaigns import spot_check as spot
from govapp.supervision.campaigns.models import (
    CampaignAction,
    CampaignEvent,
    SelfInspectionReturn,
    SpotCheckItem,
)

FIRST = dt.date(2026, 9, 29)  # across the National Day holiday
SECOND = dt.date(2026, 11, 10)


@pytest.fixture
def population(units, filer, other_filer, far_filer) -> dict[str, list[App]]:  # type: ignore[no-untyped-def]
    """10 filed quick apps and 100 filed mini-programs of three units, written in bulk."""
    owners = [filer.unit, other_filer.unit, far_filer.unit]
    made = App.objects.bulk_create(
        App(unit=owners[n % 3], name=f"应用{n:03d}", kind=AppKind.QUICK_APP if n < 10 else AppKind.MINI_PROGRAM,
            state=App.State.FILED)
        for n in range(110)
    )  # fmt: skip
    return {"small": made[:10], "large": made[10:]}


def reminder_day(start: dt.date, due: dt.date, days_left: int) -> dt.date:
    """The first day from ``start`` with at most ``days_left`` working days left to ``due``."""
    day = start
    while workdays_between(day, due) > days_left:
        day += dt.timedelta(days=1)
    return day


def run(rule: Any, today: dt.date) -> tuple[int, int]:
    """Rows changed and queries made by one run of ``rule``."""
    with CaptureQueriesContext(connection) as queries:
        changed = rule(today=today)
    return changed, len(queries)


def spot_ticks(
    national: Any, monkeypatch: Any, *, started: dt.date, kind: str, size: int
) -> list[tuple[int, int]]:
    monkeypatch.setattr(spot, "_today", lambda: started)
    campaign = spot.campaign_create(actor=national, title=f"抽查{size}", size=size, method="random", seed="7",
                                    app_kinds=[kind])  # fmt: skip
    remind = reminder_day(started, campaign.due, 1)
    ticks = [run(spot.spot_check_deadlines, remind), run(spot.spot_check_deadlines, remind)]
    late = campaign.due + dt.timedelta(days=1)
    ticks += [run(spot.spot_check_deadlines, late), run(spot.spot_check_deadlines, late)]
    spot.campaign_close(campaign=campaign, actor=national)
    return ticks


def selfcheck_ticks(national: Any, monkeypatch: Any, *, started: dt.date, kind: str) -> list[tuple[int, int]]:
    monkeypatch.setattr(selfcheck, "_today", lambda: started)
    campaign = selfcheck.selfcheck_launch(actor=national, title=f"自查{kind}", app_kinds=[kind])
    remind = reminder_day(started, campaign.due, 2)
    ticks = [run(selfcheck.selfcheck_deadlines, remind), run(selfcheck.selfcheck_deadlines, remind)]
    late = campaign.due + dt.timedelta(days=1)
    ticks += [run(selfcheck.selfcheck_deadlines, late), run(selfcheck.selfcheck_deadlines, late)]
    selfcheck.selfcheck_close(campaign=campaign, actor=national)
    return ticks


def test_a_spot_check_tick_makes_the_same_queries_for_10_and_100_open_items(  # type: ignore[no-untyped-def]
    population, national_reviewer, monkeypatch
):
    small = spot_ticks(national_reviewer, monkeypatch, started=FIRST, kind=AppKind.QUICK_APP, size=10)
    large = spot_ticks(national_reviewer, monkeypatch, started=SECOND, kind=AppKind.MINI_PROGRAM, size=100)
    # Reminder, the same day again, overdue, the same day again: rows changed and the queries they took.
    assert [changed for changed, _q in small] == [10, 0, 10, 0]
    assert [changed for changed, _q in large] == [100, 0, 100, 0]
    assert [queries for _c, queries in small] == [queries for _c, queries in large]
    assert SpotCheckItem.objects.filter(overdue=True).count() == 110
    assert CampaignEvent.objects.filter(action=CampaignAction.REMIND, spot_check__isnull=False).count() == 110


def test_a_self_inspection_tick_makes_the_same_queries_for_10_and_100_open_returns(  # type: ignore[no-untyped-def]
    population, national_reviewer, monkeypatch
):
    small = selfcheck_ticks(national_reviewer, monkeypatch, started=FIRST, kind=AppKind.QUICK_APP)
    large = selfcheck_ticks(national_reviewer, monkeypatch, started=SECOND, kind=AppKind.MINI_PROGRAM)
    assert [changed for changed, _q in small] == [10, 0, 10, 0]
    assert [changed for changed, _q in large] == [100, 0, 100, 0]
    assert [queries for _c, queries in small] == [queries for _c, queries in large]
    assert SelfInspectionReturn.objects.filter(overdue=True, reminded_on__isnull=False).count() == 110


def test_a_unit_with_several_apps_gets_one_reminder_and_one_overdue_notice_naming_them(  # type: ignore[no-untyped-def]
    population, filer, national_reviewer, monkeypatch
):
    monkeypatch.setattr(spot, "_today", lambda: FIRST)
    campaign = spot.campaign_create(actor=national_reviewer, title="抽查", size=100, method="random", seed="7",
                                    app_kinds=[AppKind.MINI_PROGRAM])  # fmt: skip
    mine = reverse("supervision:campaign_mine")
    own = list(
        campaign.items.filter(app__unit=filer.unit).order_by("position").values_list("app__name", flat=True)
    )
    spot.spot_check_deadlines(today=reminder_day(FIRST, campaign.due, 1))
    spot.spot_check_deadlines(today=campaign.due + dt.timedelta(days=1))
    notices = list(Notification.objects.filter(recipient=filer, url=mine).order_by("pk"))
    assert len(notices) == 2  # one reminder, one overdue notice: not one per app
    assert all(name in notices[1].body for name in own[:30]) and str(len(own)) in notices[1].subject
    # The national office: one notice per unit, linking the campaign.
    assert (
        Notification.objects.filter(
            recipient=national_reviewer, url=reverse("supervision:campaign_detail", args=[campaign.pk])
        ).count()
        == 3
    )


def test_the_population_snapshot_is_kept_apart_from_the_campaign(population, national_reviewer) -> None:  # type: ignore[no-untyped-def]
    campaign = spot.campaign_create(actor=national_reviewer, title="抽查", size=5, method="risk", seed="1",
                                    app_kinds=[AppKind.QUICK_APP])  # fmt: skip
    assert campaign.population_size == 10
    assert sorted(row["id"] for row in campaign.population) == sorted(a.pk for a in population["small"])
    # An item with its campaign: no column of the snapshot in the query.
    with CaptureQueriesContext(connection) as queries:
        SpotCheckItem.objects.select_related("campaign").filter(campaign=campaign).first()
    assert "rows" not in queries[0]["sql"] and 'population"' not in queries[0]["sql"]
    assert spot.sample_reproduces(campaign)
