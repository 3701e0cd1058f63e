"""The registry's clocks for core: running filing limits and the offline report (see ``core.clocks``)."""

from __future__ import annotations

import datetime as dt

from govapp.core.calendar import deadline_for
from govapp.core.clocks import ClockChange, revised

from .choices import FilingState
from .models import App, Filing


def recompute_provisional_clocks(years: frozenset[int]) -> list[ClockChange]:
    """Recount every running provisional clock; an extended review keeps the date the office chose."""
    changes: list[ClockChange] = []
    filings = Filing.objects.select_for_update().filter(
        clock_provisional=True, clock_due__isnull=False, clock_start__isnull=False, extended=False
    )
    for filing in filings.exclude(clock_limit=""):
        assert filing.clock_due is not None and filing.clock_start is not None
        deadline = deadline_for(filing.clock_limit, filing.clock_start)
        change = revised(owner="registry.Filing", object_id=filing.pk, old_due=filing.clock_due,
                         old_provisional=True, deadline=deadline)  # fmt: skip
        if change is not None:
            Filing.objects.filter(pk=filing.pk).update(
                clock_due=deadline.due, clock_provisional=deadline.provisional
            )
            changes.append(change)
    apps = App.objects.select_for_update().filter(
        state=FilingState.SHUTDOWN_NOTICED,
        deregistration_due_provisional=True,
        deregistration_due__isnull=False,
        offline_date__isnull=False,
    )
    for app in apps:
        assert app.deregistration_due is not None and app.offline_date is not None
        deadline = deadline_for("N5", app.offline_date)
        change = revised(owner="registry.App", object_id=app.pk, old_due=app.deregistration_due,
                         old_provisional=True, deadline=deadline)  # fmt: skip
        if change is not None:
            App.objects.filter(pk=app.pk).update(
                deregistration_due=deadline.due, deregistration_due_provisional=deadline.provisional
            )
            changes.append(change)
    return changes


def running_filing_dues(pks: list[int]) -> dict[int, dt.date]:
    """Filings whose limit still runs (a decision stops the clock)."""
    rows = Filing.objects.filter(pk__in=pks, clock_due__isnull=False).values_list("pk", "clock_due")
    return {pk: due for pk, due in rows if due is not None}


def running_offline_report_dues(pks: list[int]) -> dict[int, dt.date]:
    """Apps that announced a shutdown and have not sent the offline report yet."""
    apps = App.objects.filter(
        pk__in=pks, state=FilingState.SHUTDOWN_NOTICED, deregistration_due__isnull=False
    )
    return {pk: due for pk, due in apps.values_list("pk", "deregistration_due") if due is not None}


PAGES = {"registry:filing_detail": running_filing_dues, "registry:app_detail": running_offline_report_dues}
