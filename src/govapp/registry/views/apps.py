"""The app page: standing in the register, numbers, procedures and the actions after filing."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ..models import FilingEvent
from .access import explain_denials, visible_app
from .actions import available_actions
from .clock import deregistration_clock, filing_clock
from .presentation import history


@login_required
@explain_denials
@require_http_methods(["GET"])
def app_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = visible_app(request, pk)
    filings = app.filings.select_related("created_by").order_by("-created_at", "-pk")
    context = {
        "app": app,
        "numbers": app.numbers.order_by("-issued_at", "-pk"),
        "procedures": [{"filing": f, "clock": filing_clock(f)} for f in filings],
        "actions": available_actions(request.user, app),
        "deregistration_clock": deregistration_clock(app),
        "history": history(FilingEvent.objects.filter(app=app, filing__isnull=True)),
        "n4_days": settings.GOVAPP_LIMITS["N4"],
        "n5_days": settings.GOVAPP_LIMITS["N5"],
    }
    return render(request, "registry/app_detail.html", context)
