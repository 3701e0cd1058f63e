"""`govapp worker`: the background worker (django-tasks-db) plus the periodic tick.

Any number of workers may share one database: tasks are claimed with row locks (SKIP LOCKED on
PostgreSQL) and the tick is claimed once per period through ScheduledRun's unique (name, period).
Each worker beats a heartbeat from a thread, and between passes hands back the tasks of workers
that stopped beating (core/leases.py), so a killed worker's scan runs again on another.
"""

from __future__ import annotations

import logging
import os
import time
from argparse import SUPPRESS, ArgumentParser, ArgumentTypeError
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.management.commands.db_worker import Worker

from govapp.core.leases import Heartbeat, requeue_abandoned, retire
from govapp.core.scheduler import period_key, tick_minutes
from govapp.core.tasks import enqueue_tick_if_due

log = logging.getLogger("govapp.worker")

DEFAULT_QUEUES = "default,scans"


def _interval(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise ArgumentTypeError(f"expected a number of seconds, got {value!r}") from None
    if not 0 < seconds <= 3600:
        raise ArgumentTypeError(f"the interval must be between 0 and 3600 seconds, got {value}")
    return seconds


class TickScheduler:
    """Tries to claim each tick period once per process; a locked or failing database retries later."""

    def __init__(self) -> None:
        self.minutes = tick_minutes()
        self.last_period: str | None = None

    def poll(self) -> bool:
        period = period_key(timezone.now(), self.minutes)
        if period == self.last_period:
            return False
        try:
            won = enqueue_tick_if_due()
        except DatabaseError:
            log.warning("could not claim the tick for %s; retrying", period, exc_info=True)
            close_old_connections()
            return False
        self.last_period = period
        return won


class LeaseKeeper:
    """Looks for abandoned tasks at most once per heartbeat interval; a failing database retries later."""

    def __init__(self) -> None:
        self.every = float(settings.GOVAPP_WORKER_HEARTBEAT_SECONDS)
        self.next_at = 0.0

    def poll(self) -> None:
        if time.monotonic() < self.next_at:
            return
        self.next_at = time.monotonic() + self.every
        try:
            requeue_abandoned()
        except DatabaseError:
            log.warning("could not look for abandoned tasks; retrying", exc_info=True)
            close_old_connections()


class Command(BaseCommand):
    help = "Run background tasks (queues default and scans) and the periodic deadline tick."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--queue",
            default=DEFAULT_QUEUES,
            help="Comma-separated queues to work on (default: %(default)s).",
        )
        parser.add_argument(
            "--interval",
            type=_interval,
            default=1.0,
            help="Seconds to wait when no task is ready (default: 1).",
        )
        parser.add_argument(
            "--batch", action="store_true", help="Run what is due now (tick included), then exit."
        )
        parser.add_argument(
            "--no-tick", action="store_true", help="Do not run the periodic tick in this worker."
        )
        parser.add_argument(
            "--worker-id", default="", help="Unique id of this worker (default: host-pid-random)."
        )
        # Set by `govapp serve`: the worker exits when its parent is gone, so no worker outlives the server.
        parser.add_argument("--parent-pid", type=int, default=0, help=SUPPRESS)

    def handle(
        self, *args: Any, queue: str, interval: float, batch: bool, no_tick: bool, worker_id: str, parent_pid: int,
        **options: Any,
    ) -> None:  # fmt: skip
        queues = [name.strip() for name in queue.split(",") if name.strip()]
        known = set(settings.TASKS[DEFAULT_TASK_BACKEND_ALIAS].get("QUEUES", ["default"]))
        unknown = sorted(set(queues) - known)
        if not queues or unknown:
            raise CommandError(
                f"Unknown queue(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(sorted(known))}."
            )
        try:
            scheduler = None if no_tick else TickScheduler()
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        worker = Worker(
            queue_names=queues,
            interval=interval,
            batch=True,  # one pass per loop here, so the tick and the parent check run between passes
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=(worker_id or f"{os.uname().nodename}-{os.getpid()}-{get_random_string(6)}")[:64],
            excluded_queue_names=[],
        )
        worker.configure_signals()
        heartbeat = Heartbeat(worker.worker_id)
        heartbeat.start()
        leases = LeaseKeeper()
        # The reused Worker announces every pass at INFO; one pass a second would drown the task log.
        logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
        logging.getLogger("django_tasks").setLevel(logging.INFO if options["verbosity"] else logging.WARNING)
        log.info("worker %s started: queues %s, tick %s", worker.worker_id, ",".join(queues),
                 "off" if scheduler is None else f"every {scheduler.minutes} min")  # fmt: skip
        try:
            while worker.running:
                leases.poll()
                if scheduler is not None:
                    scheduler.poll()
                worker.run()
                if batch or not worker.running:
                    break
                if parent_pid and os.getppid() != parent_pid:
                    log.warning("parent process %s is gone; worker %s stops", parent_pid, worker.worker_id)
                    break
                time.sleep(interval)
        finally:
            heartbeat.stop()
            try:
                retire(worker.worker_id)
            except DatabaseError:
                log.warning("could not remove the heartbeat of %s", worker.worker_id, exc_info=True)
        log.info("worker %s stopped", worker.worker_id)
