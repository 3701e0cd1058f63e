"""Supervision's clocks for core: running rectification orders, open campaigns (see ``core.clocks``)."""

from __future__ import annotations

import datetime as dt

from govapp.core.calendar import deadline_for
from govapp.core.clocks import ClockChange, revised

from .campaigns.models import (
    CampaignStatus,
    SelfInspectionCampaign,
    SelfInspectionReturn,
    SpotCheckCampaign,
    SpotCheckItem,
)
from .enforcement.models import RUNNING_ORDER_STATES, RectificationOrder

# Limit names as the services start them (campaign_services.LIMIT, selfcheck.LIMIT, rectification.LIMIT).
CAMPAIGN_LIMITS: tuple[tuple[type[SpotCheckCampaign] | type[SelfInspectionCampaign], str], ...] = (
    (SpotCheckCampaign, "SPOT_PACKAGE"),
    (SelfInspectionCampaign, "SELF_INSPECTION"),
)


def recompute_provisional_clocks(years: frozenset[int]) -> list[ClockChange]:
    """Recount estimated deadlines still running; a due date set by a decision (extension) is not estimated."""
    changes: list[ClockChange] = []
    orders = RectificationOrder.objects.select_for_update().filter(
        state__in=RUNNING_ORDER_STATES, due_provisional=True
    )
    for order in orders:
        deadline = deadline_for("RECTIFY", order.issued_on, days=order.workdays)
        change = revised(owner="supervision.RectificationOrder", object_id=order.pk, old_due=order.due,
                         old_provisional=True, deadline=deadline)  # fmt: skip
        if change is not None:
            RectificationOrder.objects.filter(pk=order.pk).update(
                due=deadline.due, due_provisional=deadline.provisional
            )
            changes.append(change)
    for model, limit in CAMPAIGN_LIMITS:
        owner = f"supervision.{model.__name__}"
        for campaign in model.objects.select_for_update().filter(
            status=CampaignStatus.OPEN, due_provisional=True
        ):
            deadline = deadline_for(limit, campaign.started_on)
            change = revised(owner=owner, object_id=campaign.pk, old_due=campaign.due, old_provisional=True,
                             deadline=deadline)  # fmt: skip
            if change is not None:
                model.objects.filter(pk=campaign.pk).update(
                    due=deadline.due, due_provisional=deadline.provisional
                )
                changes.append(change)
    return changes


def running_order_dues(pks: list[int]) -> dict[int, dt.date]:
    """Orders whose unit still has to answer (issued, or rejected with a new due date)."""
    orders = RectificationOrder.objects.filter(pk__in=pks, state__in=RUNNING_ORDER_STATES)
    return dict(orders.values_list("pk", "due"))


def awaited_package_dues(pks: list[int]) -> dict[int, dt.date]:
    """Spot-check items of an open campaign whose package has not arrived."""
    items = SpotCheckItem.objects.filter(
        pk__in=pks, package__isnull=True, campaign__status=CampaignStatus.OPEN
    )
    return dict(items.values_list("pk", "campaign__due"))


def awaited_return_dues(pks: list[int]) -> dict[int, dt.date]:
    """Self-inspection returns of an open campaign not submitted yet."""
    returns = SelfInspectionReturn.objects.filter(
        pk__in=pks, submitted_at__isnull=True, campaign__status=CampaignStatus.OPEN
    )
    return dict(returns.values_list("pk", "campaign__due"))


PAGES = {
    "supervision:order_detail": running_order_dues,
    "supervision:campaign_item": awaited_package_dues,
    "supervision:selfcheck_return": awaited_return_dues,
}
