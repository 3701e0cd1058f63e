"""Leases of running tasks: a worker that stops beating loses its task to another worker.

Every `govapp worker` writes a heartbeat row and refreshes it from a thread every
GOVAPP_WORKER_HEARTBEAT_SECONDS, whatever its main thread is doing (a scan may run for minutes).
Any worker, between passes, looks for tasks still marked running whose worker has not beaten for
GOVAPP_WORKER_LEASE_SECONDS: such a worker was killed (SIGKILL, OOM killer, lost machine) and will
never finish them. Each such task is put back in the queue once more, or, after
GOVAPP_TASK_MAX_ATTEMPTS runs, marked failed so that it cannot kill workers for ever. The apps
that own a task are told through ``task_abandoned`` (inspection puts its scan back to "queued").
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.dispatch import Signal
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, TaskResultStatus

from .models import WorkerHeartbeat

log = logging.getLogger("govapp.worker")

# Sent inside the transaction that re-queues or fails the task: task_path, args, kwargs, final
# (True when the task was failed for good instead of re-queued).
task_abandoned = Signal()

LOST_WORKER = "govapp.core.leases.WorkerLost"


class WorkerLost(Exception):
    """The worker running a task stopped beating before the task finished."""


def beat(worker_id: str, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=now)
    if not updated:
        WorkerHeartbeat.objects.create(
            worker_id=worker_id, host=os.uname().nodename[:255], pid=os.getpid(), beat_at=now
        )


def retire(worker_id: str) -> None:
    """A worker that stops in order removes its row: its tasks were finished or handed back."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


class Heartbeat:
    """Beats for ``worker_id`` from a daemon thread with its own database connection."""

    def __init__(self, worker_id: str, interval: float | None = None) -> None:
        self.worker_id = worker_id
        self.interval = float(interval or settings.GOVAPP_WORKER_HEARTBEAT_SECONDS)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{worker_id}", daemon=True)

    def start(self) -> None:
        beat(self.worker_id)  # before the first claim: a fresh task is never taken for abandoned
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    beat(self.worker_id)
                except Exception:  # noqa: BLE001 - a database blip must not stop the beating for good
                    log.warning("heartbeat of %s failed; retrying", self.worker_id, exc_info=True)
                    close_old_connections()
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)


def requeue_abandoned(now: dt.datetime | None = None) -> list[str]:
    """Re-queue (or, past the attempt limit, fail) every running task whose worker stopped beating.

    Returns the ids of the tasks handled. Rows another worker is examining are skipped (SKIP LOCKED),
    so a task is handed back once however many workers look at the same time.
    """
    now = now or timezone.now()
    stale_before = now - dt.timedelta(seconds=settings.GOVAPP_WORKER_LEASE_SECONDS)
    alive = set(WorkerHeartbeat.objects.filter(beat_at__gte=stale_before).values_list("worker_id", flat=True))
    handled: list[str] = []
    with transaction.atomic():
        candidates = (
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(status=TaskResultStatus.RUNNING, started_at__lt=stale_before)
            .order_by("started_at")
        )
        for task in candidates:
            owner = task.worker_ids[-1] if task.worker_ids else ""
            if owner in alive:
                continue
            final = len(task.worker_ids) >= settings.GOVAPP_TASK_MAX_ATTEMPTS
            if final:
                task.status = TaskResultStatus.FAILED
                task.finished_at = now
                task.exception_class_path = LOST_WORKER
                task.traceback = (
                    f"WorkerLost: worker {owner or '(unknown)'} stopped beating; "
                    f"{len(task.worker_ids)} runs, none finished\n"
                )
                task.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
            else:
                task.status = TaskResultStatus.READY
                task.started_at = None
                task.save(update_fields=["status", "started_at"])
            args_kwargs = task.args_kwargs or {}
            task_abandoned.send(
                sender=DBTaskResult, task_path=task.task_path, args=list(args_kwargs.get("args", [])),
                kwargs=dict(args_kwargs.get("kwargs", {})), final=final,
            )  # fmt: skip
            log.warning(
                "task %s (%s) of lost worker %s %s", task.id, task.task_path, owner or "(unknown)",
                "failed after the last attempt" if final else "re-queued",
            )  # fmt: skip
            handled.append(str(task.id))
    WorkerHeartbeat.objects.filter(beat_at__lt=stale_before - dt.timedelta(days=1)).delete()
    return handled
