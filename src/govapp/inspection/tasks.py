"""Background jobs of the technical test, run by the worker (django-tasks, queue "scans")."""

from __future__ import annotations

from django_tasks import task

from .scanning import scan_run


@task(queue_name="scans")
def run_scan(scan_id: int) -> str | None:
    """Run one queued scan; returns its final status for the task result."""
    scan = scan_run(scan_id)
    return scan.status if scan is not None else None
