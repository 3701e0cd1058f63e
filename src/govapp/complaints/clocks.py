"""Open complaints' handling deadlines for core: recounted after a calendar import, shown while open."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from govapp.core.calendar import deadline_for
from govapp.core.clocks import ClockChange, revised

from .models import Complaint


def recompute_provisional_clocks(years: frozenset[int]) -> list[ClockChange]:
    """Recount the open complaints whose deadline was estimated; a finished case keeps its record."""
    changes: list[ClockChange] = []
    for complaint in Complaint.objects.select_for_update().open().filter(due_provisional=True):
        # The limit runs from the day of receipt (Beijing), as when the complaint came in.
        deadline = deadline_for("COMPLAINT", timezone.localdate(complaint.received_at))
        change = revised(owner="complaints.Complaint", object_id=complaint.pk, old_due=complaint.due,
                         old_provisional=True, deadline=deadline)  # fmt: skip
        if change is not None:
            Complaint.objects.filter(pk=complaint.pk).update(
                due=deadline.due, due_provisional=deadline.provisional
            )
            changes.append(change)
    return changes


def running_complaint_dues(pks: list[int]) -> dict[int, dt.date]:
    return dict(Complaint.objects.open().filter(pk__in=pks).values_list("pk", "due"))


PAGES = {"complaints:detail": running_complaint_dues}
