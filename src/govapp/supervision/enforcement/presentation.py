"""Rectification orders as rows with their working-day countdown: the app page, the order list and the
home queues show them alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from govapp.core.calendar import countdown
from govapp.registry.views.clock import Clock

from .models import OrderState, RectificationOrder

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
