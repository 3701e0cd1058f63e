"""Periodic duties: the time rules of the Measures (overdue supplements, …) and the once-per-period claim.

A *time rule* is a function ``fn(*, today: date) -> int`` that applies one deadline of the Measures to
every row that has passed it and returns how many rows it changed. Rules must be idempotent: a second
run on the same day finds nothing left to do. Other apps register theirs with ``register_time_rule``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

log = logging.getLogger(__name__)

TimeRule = Callable[..., int]

_registered: dict[str, TimeRule] = {}

TICK = "tick"


class TimeRulesFailed(RuntimeError):
    """One or more time rules raised; the others still ran. ``counts`` holds what did run."""

    def __init__(self, counts: dict[str, int], failures: dict[str, str]) -> None:
        self.counts = counts
        self.failures = failures
        detail = "; ".join(f"{name}: {message}" for name, message in failures.items())
        super().__init__(f"{len(failures)} time rule(s) failed: {detail}")


def register_time_rule(name: str, fn: TimeRule) -> None:
    """Add (or replace, so that a re-imported module does not run twice) the time rule ``name``."""
    if not name or not callable(fn):
        raise ValueError(f"A time rule needs a name and a callable, got {name!r} and {fn!r}")
    _registered[name] = fn


def time_rules() -> dict[str, TimeRule]:
    """Every time rule in the order it runs: the order of registration, i.e. of INSTALLED_APPS."""
    return dict(_registered)


def apply_time_rules(today: dt.date | None = None) -> dict[str, int]:
    """Run every time rule for ``today`` (default: today in Beijing); returns rows changed per rule.

    A failing rule does not stop the others: each runs on its own, and failures are raised together
    at the end as ``TimeRulesFailed``.
    """
    today = today or timezone.localdate()
    counts: dict[str, int] = {}
    failures: dict[str, str] = {}
    for name, rule in time_rules().items():
        try:
            counts[name] = int(rule(today=today))
        except Exception as exc:  # noqa: BLE001 - one broken rule must not stop the other deadlines
            log.exception("time rule %s failed for %s", name, today)
            failures[name] = f"{type(exc).__name__}: {exc}"
    if failures:
        raise TimeRulesFailed(counts, failures)
    log.info("time rules for %s: %s", today, counts)
    return counts


def tick_minutes() -> int:
    """settings.GOVAPP_TICK_MINUTES, checked again here because tests and callers may override it."""
    raw = settings.GOVAPP_TICK_MINUTES
    try:
        minutes = int(raw)
    except ValueError:
        raise ValueError(f"GOVAPP_TICK_MINUTES must be a whole number of minutes, got {raw!r}") from None
    if minutes < 1:
        raise ValueError(f"GOVAPP_TICK_MINUTES must be at least 1, got {minutes}")
    return minutes


def period_key(now: dt.datetime, minutes: int) -> str:
    """The period ``now`` falls in: the same string on every machine (UTC, aligned to the epoch)."""
    if timezone.is_naive(now):
        raise ValueError("period_key needs an aware datetime")
    seconds = int(now.timestamp())
    start = seconds - seconds % (minutes * 60)
    stamp = dt.datetime.fromtimestamp(start, tz=dt.UTC).strftime("%Y-%m-%dT%H:%MZ")
    return f"{minutes}m@{stamp}"


def claim_period(name: str, period: str) -> int | None:
    """Record that ``name`` runs for ``period``; the id of the new row, or None if another worker won.

    The unique (name, period) constraint decides: the first insert wins on any number of machines.
    """
    from govapp.core.models import ScheduledRun

    try:
        with transaction.atomic():
            return ScheduledRun.objects.create(name=name, period=period).pk
    except IntegrityError:
        return None


def _finish(run_id: int | None, summary: dict[str, object]) -> None:
    from govapp.core.models import ScheduledRun

    if run_id is not None:
        ScheduledRun.objects.filter(pk=run_id).update(finished_at=timezone.now(), summary=summary)


def run_tick(*, run_id: int | None = None, today: dt.date | None = None) -> dict[str, int]:
    """Apply the time rules; the outcome (and any failures) is stored on the ScheduledRun ``run_id``."""
    try:
        counts = apply_time_rules(today)
    except TimeRulesFailed as exc:
        _finish(run_id, {"counts": exc.counts, "failures": exc.failures})
        raise
    _finish(run_id, {"counts": counts})
    return counts
