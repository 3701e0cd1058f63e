"""The app page: standing in the register, numbers, procedures and the actions after filing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ..models import App, FilingEvent
from .access import explain_denials, visible_app
from .actions import ActionLink, available_actions
from .clock import deregistration_clock, filing_clock
from .presentation import history

AppPageSection = Callable[[HttpRequest, App, list[ActionLink]], dict[str, Any]]

# Contexts above the registry (supervision) add their part of the app page here from their
# AppConfig.ready(): the registry does not import them.
_sections: list[AppPageSection] = []


def register_app_page_section(section: AppPageSection) -> None:
    """Add ``section(request, app, actions) -> context`` to the app page; it may replace ``actions``."""
    if section not in _sections:
        _sections.append(section)


def _sections_context(request: HttpRequest, app: App, links: list[ActionLink]) -> dict[str, Any]:
    context: dict[str, Any] = {"actions": links}
    for section in _sections:
        context.update(section(request, app, context["actions"]))
    return context


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
    context.update(_sections_context(request, app, available_actions(request.user, app)))
    return render(request, "registry/app_detail.html", context)
