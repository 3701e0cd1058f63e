"""Which apps and filings a user may see (deny by default)."""

from __future__ import annotations

from typing import Any

from govapp.accounts.models import Role

from .models import App, Filing


def visible_apps(user: Any) -> Any:
    """The apps a user may see (deny by default)."""
    if not user.is_authenticated:
        return App.objects.none()
    if user.role in (Role.NATIONAL_REVIEWER, Role.INSPECTOR):
        return App.objects.all()
    if (
        user.role in (Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_COREVIEWER)
        and user.unit_id
        and user.unit.province
    ):
        return App.objects.filter(unit__province=user.unit.province)
    if user.role == Role.FILER and user.unit_id:
        return App.objects.filter(unit_id=user.unit_id)
    return App.objects.none()


def visible_filings(user: Any) -> Any:
    return Filing.objects.filter(app__in=visible_apps(user)).select_related("app__unit")
