"""What supervision and complaints put on each role's home queue: counts, rows and working-day clocks.

Read-only; every query goes through the same visibility functions as the pages it links to, so a row on
the home page is never a row the user would get a 404 for.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db.models import QuerySet

from govapp.core.calendar import countdown, covered_years
from govapp.registry.views.clock import Clock

from . import legacy, selfcheck
from .campaign_services import campaign_progress, requests_for
from .campaigns import CampaignStatus, SpotCheckCampaign
from .legacy_models import LEGACY_DEADLINE
from .models import OPEN_ORDER_STATES, OrderState, RectificationOrder, SuspensionNotice, TypicalProblemNotice
from .suspension import visible_notices
from .views import visible_orders

ROWS = 20  # rows per home-queue section; the linked page has the rest
RUNNING = (OrderState.ISSUED, OrderState.REJECTED)


def clock(*, limit: str, due: dt.date, today: dt.date, start: dt.date | None = None,
          days: int | None = None, provisional: bool = False) -> Clock:  # fmt: skip
    """A working-day countdown in the registry's Clock shape, so the home rows read like filing rows."""
    return Clock.running(
        limit=limit, start=start, days=days, countdown=countdown(due, today=today, provisional=provisional)
    )


def order_rows(
    orders: QuerySet[RectificationOrder], today: dt.date, *, limit: int | None = ROWS
) -> list[dict[str, Any]]:
    """Orders, soonest due first, each with its countdown while the unit's deadline runs."""
    rows = []
    for order in orders.order_by("due", "pk")[:limit]:
        running = order.state in RUNNING
        rows.append({
            "order": order,
            "clock": clock(limit="RECTIFY", due=order.due, today=today, start=order.issued_on, days=order.workdays,
                           provisional=order.due_provisional) if running else None,
        })  # fmt: skip
    return rows


def _orders_block(orders: QuerySet[RectificationOrder], today: dt.date) -> dict[str, Any]:
    return {"rows": order_rows(orders, today), "count": orders.count()}


# ---------------------------------------------------------------- complaints


def _complaints_block(user: Any, today: dt.date, *, national: bool) -> dict[str, Any] | None:
    """Open complaints routed to the user's office (national: the ones without a province)."""
    if not apps.is_installed("govapp.complaints") or not user.has_perm("complaints.list_complaints"):
        return None
    from govapp.complaints.services import visible_complaints

    complaints = visible_complaints(user).open()
    complaints = complaints.filter(province="") if national else complaints.exclude(province="")
    rows = [
        {
            "complaint": c,
            "clock": clock(limit="COMPLAINT", due=c.due, today=today, provisional=c.due_provisional),
        }
        for c in complaints.select_related("app").order_by("due", "pk")[:ROWS]
    ]
    return {"rows": rows, "count": complaints.count(), "overdue": complaints.filter(due__lt=today).count()}


# ---------------------------------------------------------------- per role


def filer_items(user: Any, today: dt.date) -> dict[str, Any]:
    """The unit's open rectification orders, campaign requests still unanswered, legacy apps not started."""
    orders = visible_orders(user).filter(state__in=OPEN_ORDER_STATES)
    packages = (
        requests_for(user)
        .filter(campaign__status=CampaignStatus.OPEN, package__isnull=True)
        .order_by("campaign__due", "pk")
    )
    returns = (
        selfcheck.visible_returns(user)
        .filter(campaign__status=CampaignStatus.OPEN, submitted_at__isnull=True)
        .order_by("campaign__due", "pk")
    )
    not_started = legacy.with_status(legacy.visible_legacy(user), user).filter(
        status=legacy.STATUS_NOT_STARTED
    )
    return {
        "orders": _orders_block(orders, today),
        "packages": [
            {
                "item": i,
                "clock": clock(
                    limit="SPOT_PACKAGE",
                    due=i.campaign.due,
                    today=today,
                    start=i.campaign.started_on,
                    provisional=i.campaign.due_provisional,
                ),
            }
            for i in packages[:ROWS]
        ],  # fmt: skip
        "questionnaires": [
            {
                "item": r,
                "clock": clock(
                    limit="SELF_INSPECTION",
                    due=r.campaign.due,
                    today=today,
                    start=r.campaign.started_on,
                    provisional=r.campaign.due_provisional,
                ),
            }
            for r in returns[:ROWS]
        ],  # fmt: skip
        "legacy": {"rows": list(not_started.order_by("name", "pk")[:ROWS]), "count": not_started.count()},
        "legacy_overdue": legacy.overdue_on(today),
        "legacy_deadline": LEGACY_DEADLINE,
    }


def provincial_items(user: Any, today: dt.date) -> dict[str, Any]:
    """Complaints routed to the province, its rectification orders, self-inspections, unfiled legacy apps."""
    unfiled = legacy.with_status(legacy.visible_legacy(user), user).exclude(status=legacy.STATUS_FILED)
    overdue = legacy.overdue_on(today)
    return {
        "complaints": _complaints_block(user, today, national=False),
        "orders": _orders_block(visible_orders(user).filter(state__in=OPEN_ORDER_STATES), today),
        "selfchecks": selfcheck.visible_campaigns(user).filter(status=CampaignStatus.OPEN).count(),
        "legacy_unfiled": unfiled.count(),
        "legacy_not_started": unfiled.filter(status=legacy.STATUS_NOT_STARTED).count(),
        "legacy_overdue": overdue,
        "legacy_deadline": LEGACY_DEADLINE,
    }


def national_items(user: Any, today: dt.date) -> dict[str, Any]:
    """National complaints, orders waiting for a decision or overdue, running spot checks, notice drafts."""
    orders = visible_orders(user)
    campaigns = SpotCheckCampaign.objects.filter(status=CampaignStatus.OPEN).order_by("due", "pk")
    return {
        "complaints": _complaints_block(user, today, national=True),
        "answered": _orders_block(orders.filter(state=OrderState.ANSWERED), today),
        "overdue_orders": _orders_block(orders.filter(state=OrderState.OVERDUE), today),
        "campaigns": _campaign_rows(campaigns, today),
        "drafts": list(TypicalProblemNotice.objects.filter(status=TypicalProblemNotice.Status.DRAFT)[:ROWS]),
    }


def inspector_items(user: Any, today: dt.date) -> dict[str, Any]:
    """Open spot checks with packages received but not yet tested."""
    campaigns = SpotCheckCampaign.objects.filter(status=CampaignStatus.OPEN).order_by("due", "pk")
    rows = [r for r in _campaign_rows(campaigns, today) if r["progress"].waiting]
    return {"campaigns": rows}


def _campaign_rows(campaigns: QuerySet[SpotCheckCampaign], today: dt.date) -> list[dict[str, Any]]:
    return [
        {"campaign": c, "progress": campaign_progress(c),
         "clock": clock(limit="SPOT_PACKAGE", due=c.due, today=today, start=c.started_on,
                        provisional=c.due_provisional)}
        for c in campaigns[:ROWS]
    ]  # fmt: skip


def authority_items(user: Any) -> dict[str, Any]:
    """Suspension notices addressed to the user's IT-approval or O&M-funding authority."""
    notices = visible_notices(user).filter(addressee_id=user.unit_id)
    active = notices.filter(status=SuspensionNotice.Status.ACTIVE)
    return {
        "suspensions": list(active[:ROWS]),
        "suspensions_active": active.count(),
        "suspensions_all": notices.count(),
    }


def admin_items(today: dt.date) -> dict[str, Any]:
    """Which years the official working-day calendar covers, and whether this year and the next are in."""
    years = sorted(covered_years())
    return {
        "calendar_years": years,
        "calendar_missing": [y for y in (today.year, today.year + 1) if y not in years],
    }
