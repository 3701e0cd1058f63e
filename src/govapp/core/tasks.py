"""Background tasks of core (django-tasks API; run by `govapp worker`)."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from .scheduler import TICK, claim_period, period_key, run_tick, tick_minutes

log = logging.getLogger(__name__)


@task(queue_name="default")
def run_time_rules(run_id: int | None = None, today: str | None = None) -> dict[str, int]:
    """The periodic tick: apply every time rule once; the counts are the task's result."""
    return run_tick(run_id=run_id, today=dt.date.fromisoformat(today) if today else None)


def enqueue_tick_if_due(now: dt.datetime | None = None) -> bool:
    """Claim the current tick period and enqueue ``run_time_rules`` if this caller won the claim."""
    now = now or timezone.now()
    run_id = claim_period(TICK, period_key(now, tick_minutes()))
    if run_id is None:
        return False
    run_time_rules.enqueue(run_id=run_id)
    log.info("tick enqueued (scheduled run %s)", run_id)
    return True
