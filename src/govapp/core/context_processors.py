from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from govapp import __version__


def site(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"govapp_version": __version__}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["unread_count"] = user.notifications.filter(read_at__isnull=True).count()
    return context
