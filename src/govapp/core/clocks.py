"""The working-day clocks that other apps store, as core needs to know them without importing those apps.

Every app that stores deadlines registers as a clock owner in its ``AppConfig.ready()``:
- ``recompute``: a deadline computed while its year's official arrangement was missing is an estimate;
  when the State Council's notice is imported, each owner recounts its open provisional clocks and returns
  what changed, and every change is written as a ``DeadlineRevision`` (old → new due).
- ``pages``: for the pages a notification links to (by URL name), the due date of the clock still running
  there; the inbox counts down only those, so a finished step stops counting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
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
# pks of the objects a page shows -> the due date of each one whose clock still runs.
RunningDues = Callable[[list[int]], Mapping[int, dt.date]]
_owners: dict[str, ClockOwner] = {}
_pages: dict[str, RunningDues] = {}


def register_clock_owner(
    name: str, recompute: ClockOwner, *, pages: Mapping[str, RunningDues] | None = None
) -> None:
    """Add (or replace, so that a re-run ``ready()`` does not recompute twice) the clocks of ``name``.

    ``recompute(years)`` re-counts and saves the open provisional clocks and returns those whose due date
    or provisional mark changed. ``pages`` maps a URL name ("registry:filing_detail", taking ``pk``) to the
    running due dates of the objects it shows.
    """
    if not name or not callable(recompute):
        raise ValueError(f"A clock owner needs a name and a callable, got {name!r} and {recompute!r}")
    _owners[name] = recompute
    _pages.update(pages or {})


def clock_owners() -> dict[str, ClockOwner]:
    return dict(_owners)


def page_clocks(urls: Iterable[str]) -> dict[str, dt.date | None]:
    """For each URL of a page with a registered clock: the due date if that clock still runs, else None.

    URLs of pages that no owner knows are left out (their notification's own due date is all there is).
    """
    from django.urls import Resolver404, resolve

    wanted: dict[str, dict[int, list[str]]] = {}
    for url in set(urls):
        try:
            match = resolve(url.split("?", 1)[0])
        except Resolver404:
            continue
        pk = match.kwargs.get("pk")
        if match.view_name in _pages and isinstance(pk, int):
            wanted.setdefault(match.view_name, {}).setdefault(pk, []).append(url)
    clocks: dict[str, dt.date | None] = {}
    for view_name, by_pk in wanted.items():
        running = _pages[view_name](sorted(by_pk))
        for pk, page_urls in by_pk.items():
            for url in page_urls:
                clocks[url] = running.get(pk)
    return clocks


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
            years=_years_text(imported),
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


def _years_text(years: Iterable[int]) -> str:
    """The imported years as stored (at most 40 characters): "2027", "2026,2027" or "2004–2027"."""
    ordered = sorted(years)
    text = ",".join(str(year) for year in ordered)
    return text if len(text) <= 40 else f"{ordered[0]}–{ordered[-1]}"
