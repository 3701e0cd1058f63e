"""Who is in a campaign: the filed apps a spot check samples or a self-inspection asks, the check of a
scope, the latest technical test of each app, and the working days left to a campaign's due date.

Shared by ``spot_check`` and ``selfcheck``, which import nothing from each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from govapp.accounts.divisions import BY_CODE
from govapp.accounts.models import UnitLevel
from govapp.core.calendar import CalendarGap, workdays_between
from govapp.inspection.models import Scan
from govapp.registry.choices import AppKind
from govapp.registry.materials import Deficiency
from govapp.registry.models import App

# Apps that hold a filing a spot check can test (a revoked or deregistered app is out of the register).
SAMPLED_STATES = (App.State.FILED, App.State.CHANGE_REVIEW, App.State.RECTIFYING)


def scope_errors(
    *, provinces: Sequence[str], unit_levels: Sequence[str], app_kinds: Sequence[str]
) -> list[Deficiency]:
    """The unknown provinces, unit levels and app kinds of a scope, as form items."""
    items = []
    if bad := [p for p in provinces if p not in BY_CODE]:
        items.append(Deficiency("provinces", _("provinces"), _("Unknown province codes: %(codes)s.")
                                % {"codes": ", ".join(bad)}))  # fmt: skip
    if bad := [level for level in unit_levels if level not in UnitLevel.values]:
        items.append(Deficiency("unit_levels", _("unit levels"), _("Unknown unit levels: %(levels)s.")
                                % {"levels": ", ".join(bad)}))  # fmt: skip
    if bad := [kind for kind in app_kinds if kind not in AppKind.values]:
        items.append(Deficiency("app_kinds", _("app kinds"), _("Unknown app kinds: %(kinds)s.")
                                % {"kinds": ", ".join(bad)}))  # fmt: skip
    return items


def population(*, provinces: Sequence[str], unit_levels: Sequence[str], app_kinds: Sequence[str],
               states: Sequence[str] = SAMPLED_STATES) -> QuerySet[App]:  # fmt: skip
    """Filed apps in scope; an empty list does not restrict its dimension (central units have no province)."""
    apps = App.objects.filter(state__in=states).select_related("unit")
    if provinces:
        apps = apps.filter(unit__province__in=list(provinces))
    if unit_levels:
        apps = apps.filter(unit__level__in=list(unit_levels))
    if app_kinds:
        apps = apps.filter(kind__in=list(app_kinds))
    return apps.order_by("pk")


def latest_scans(app_ids: Iterable[int]) -> dict[int, Scan]:
    """The latest finished scan per app (from its filings and earlier spot checks)."""
    latest: dict[int, Scan] = {}
    scans = (
        Scan.objects.filter(filing__app_id__in=list(app_ids), status=Scan.Status.DONE)
        .select_related("filing")
        .order_by("filing__app_id", "-finished_at", "-id")
    )
    for scan in scans:
        assert scan.filing is not None
        latest.setdefault(scan.filing.app_id, scan)
    return latest


def violation_categories(scan: Scan) -> list[str]:
    """The categories of the violations a scan found, sorted."""
    found = {
        str(f.get("category"))
        for f in scan.report_data.get("findings") or []
        if f.get("status") == "violation"
    }
    return sorted(found)


def working_days_left(today: dt.date, due: dt.date) -> int | None:
    """Working days from today to the due date, or None where the calendar of a year is not loaded."""
    try:
        return workdays_between(today, due)
    except CalendarGap:
        return None  # no reminder on a guessed calendar; the overdue mark still uses the due date
