"""Supervision's part of the registry's app page: rectification orders and the order form as the action."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from govapp.registry.models import App
from govapp.registry.views.actions import ActionLink

from . import rectification
from .models import RectificationOrder
from .presentation import order_rows


def app_page_section(request: HttpRequest, app: App, links: list[ActionLink]) -> dict[str, Any]:
    """Rectification is ordered with findings and a deadline on its own form
    (an order, not a bare state change), and the app page lists the app's orders."""
    order_new = reverse("supervision:order_new", args=[app.pk])
    orders = RectificationOrder.objects.filter(app=app).select_related("app__unit")
    has_open = orders.open().exists()
    shown: list[ActionLink] = []
    for link in links:
        if link.action.slug == "rectify":
            link = ActionLink(link.action, order_new)
        elif link.action.slug == "accept_rectification" and has_open:
            continue  # accepted order by order on the order page, or open orders would be left dangling
        shown.append(link)
    # The action above appears for filed apps only; an app already rectifying may get further orders.
    further = app.state == app.State.RECTIFYING and rectification.can_issue(request.user, app)
    return {
        "actions": shown,
        "supervision": True,
        "orders": order_rows(orders, timezone.localdate(), limit=None),
        "order_new_url": order_new if further else "",
    }
