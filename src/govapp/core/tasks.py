"""Background tasks of core (django-tasks API; run by `govapp worker`)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from .scheduler import run_tick


@task(queue_name="default")
def run_time_rules(run_id: int | None = None, today: str | None = None) -> dict[str, int]:
    """The periodic tick: apply every time rule once; the counts are the task's result."""
    return run_tick(run_id=run_id, today=dt.date.fromisoformat(today) if today else None)
