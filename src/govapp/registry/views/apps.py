"""The app page: standing in the register, numbers, procedures and the actions after filing."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ..models import FilingEvent
from .access import explain_denials, visible_app
from .actions import ActionLink, available_actions
from .clock import deregistration_clock, filing_clock
from .presentation import history


def _supervision(request: HttpRequest, app: Any, links: list[ActionLink]) -> dict[str, Any]:
    """With supervision installed, rectification is ordered with findings and a deadline on its own form
    (an order, not a bare state change), and the app page lists the app's orders."""
    if not apps.is_installed("govapp.supervision"):
        return {"actions": links}
    from govapp.supervision import home
    from govapp.supervision.enforcement import rectification
    from govapp.supervision.models import RectificationOrder

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
        "orders": home.order_rows(orders, timezone.localdate(), limit=None),
        "order_new_url": order_new if further else "",
    }


@login_required
@explain_denials
@require_http_methods(["GET"])
def app_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = visible_app(request, pk)
    # A reviewer sees the app's submitted procedures only: an unsubmitted draft is the unit's own.
    filings = [
        f
        for f in app.filings.select_related("created_by").order_by("-created_at", "-pk")
        if request.user.has_perm("registry.view_filing", f)
    ]
    context = {
        "app": app,
        "numbers": app.numbers.order_by("-issued_at", "-pk"),
        "procedures": [{"filing": f, "clock": filing_clock(f)} for f in filings],
        "deregistration_clock": deregistration_clock(app),
        "history": history(FilingEvent.objects.filter(app=app, filing__isnull=True)),
        "n4_days": settings.GOVAPP_LIMITS["N4"],
        "n5_days": settings.GOVAPP_LIMITS["N5"],
    }
    context.update(_supervision(request, app, available_actions(request.user, app)))
    return render(request, "registry/app_detail.html", context)
