"""Whose figures a user may see: the national office all provinces, a provincial office its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from govapp.accounts.divisions import BY_CODE
from govapp.accounts.models import Role

# "central" stands for the central departments, which file directly with the national office.
CENTRAL = "central"


@dataclass(frozen=True)
class Scope:
    """The provinces a statistics request covers: ``province`` '' means all (national), else one code."""

    province: str = ""
    national: bool = False

    @property
    def label(self) -> str:
        if not self.province:
            return _("Nationwide")
        return province_label(self.province)


def province_label(code: str) -> str:
    if code in ("", CENTRAL):
        return _("Central departments")
    division = BY_CODE.get(code)
    return str(division.name) if division else code


def scope_for(user: Any, requested: str = "") -> Scope:
    """The scope of ``user``, narrowed to ``requested`` (a drill-down) where the user may see it.

    National reviewers, inspectors and administrators see the nation and may drill down into any
    province; a provincial office sees its own province only. Anyone else is refused.
    """
    if not user.is_authenticated:
        raise PermissionDenied(_("Statistics are for the national office and the provincial offices."))
    requested = (requested or "").strip()
    if user.role in (Role.NATIONAL_REVIEWER, Role.INSPECTOR, Role.ADMIN):
        if requested and requested != CENTRAL and requested not in BY_CODE:
            requested = ""
        return Scope(province=requested, national=True)
    if user.role in (Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_COREVIEWER) and user.unit_id:
        province = user.unit.province
        if province:
            return Scope(province=province, national=False)
    raise PermissionDenied(_("Statistics are for the national office and the provincial offices."))


def can_see_statistics(user: Any) -> bool:
    try:
        scope_for(user)
    except PermissionDenied:
        return False
    return True
