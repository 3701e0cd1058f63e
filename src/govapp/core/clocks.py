"""Provisional clocks after a calendar import: every app that stores deadlines registers its clocks here.

A deadline computed while its year's official arrangement was missing is an estimate. When the State
Council's notice is imported, each registered owner recomputes its open provisional clocks on the new
calendar and returns what changed; every change is written as a ``DeadlineRevision`` (old → new due).
Owners register in their ``AppConfig.ready()``, so core never imports the apps that own the clocks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from govapp.core.calendar import Deadline


@dataclass(frozen=True)
class ClockChange:
    """One open clock recomputed on the imported calendar."""

    owner: str  # "app_label.Model" of the row holding the clock
    object_id: int
    limit: str
    old_due: dt.date
    new_due: dt.date
    provisional: bool  # still partly estimated (a later year is still missing)


ClockOwner = Callable[[frozenset[int]], Iterable[ClockChange]]
_owners: dict[str, ClockOwner] = {}


def register_clock_owner(name: str, recompute: ClockOwner) -> None:
    """Add (or replace, so that a re-run ``ready()`` does not recompute twice) the clocks of ``name``.

    ``recompute(years)`` re-counts and saves the open provisional clocks and returns those whose due date
    or provisional mark changed (it may skip clocks that ``years`` cannot touch).
    """
    if not name or not callable(recompute):
        raise ValueError(f"A clock owner needs a name and a callable, got {name!r} and {recompute!r}")
    _owners[name] = recompute


def clock_owners() -> dict[str, ClockOwner]:
    return dict(_owners)


def recompute_provisional_clocks(*, years: Iterable[int], source: str) -> list[ClockChange]:
    """Recompute every owner's provisional clocks for the imported ``years`` and record each change.

    Runs inside the import's transaction, after the calendar cache has been refreshed.
    """
    from govapp.core.models import DeadlineRevision

    imported = frozenset(years)
    changes: list[ClockChange] = []
    for recompute in _owners.values():
        changes.extend(recompute(imported))
    DeadlineRevision.objects.bulk_create(
        DeadlineRevision(
            owner=change.owner,
            object_id=change.object_id,
            limit=change.limit,
            old_due=change.old_due,
            new_due=change.new_due,
            provisional=change.provisional,
            years=",".join(str(year) for year in sorted(imported)),
            source=source[:300],
        )
        for change in changes
    )
    return changes


def revised(
    *, owner: str, object_id: int, old_due: dt.date, old_provisional: bool, deadline: Deadline
) -> ClockChange | None:
    """The change from a stored clock to ``deadline`` recounted, or None when nothing differs."""
    if deadline.due == old_due and deadline.provisional == old_provisional:
        return None
    return ClockChange(
        owner=owner,
        object_id=object_id,
        limit=deadline.limit,
        old_due=old_due,
        new_due=deadline.due,
        provisional=deadline.provisional,
    )
