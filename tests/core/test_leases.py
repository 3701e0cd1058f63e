"""A task whose worker stopped beating goes back to the queue once, its scan with it (core/leases.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from govapp.core import leases
from govapp.core.models import WorkerHeartbeat
from govapp.inspection import services as inspection_services
from govapp.inspection.models import Scan
from govapp.registry.choices import AppKind
from tests.factories import complete_filing
from tests.inspection.builders import project_zip
from tests.inspection.test_web import CLEAN_PROJECT


@pytest.fixture
def database_tasks(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "scans"]}
    }
    settings.GOVAPP_WORKER_LEASE_SECONDS = 30
    settings.GOVAPP_TASK_MAX_ATTEMPTS = 2


def _worker(worker_id: str) -> Worker:
    return Worker(
        queue_names=["scans"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id=worker_id, excluded_queue_names=[],
    )  # fmt: skip


def _uploaded_scan(filer, client_for, name: str = "网格通") -> Scan:  # type: ignore[no-untyped-def]
    filing = complete_filing(filer, packages=False, name=name, kind=AppKind.MINI_PROGRAM)
    response = client_for(filer).post(
        reverse("inspection:upload", args=[filing.pk]),
        {"package": SimpleUploadedFile("grid.zip", project_zip(CLEAN_PROJECT))},
    )
    assert response.status_code == 302
    return Scan.objects.get(filing=filing)


def _die_mid_scan(scan: Scan, worker_id: str, minutes_ago: int = 5) -> DBTaskResult:
    """What a worker killed with SIGKILL leaves behind: its claimed task and its scan both 'running'."""
    task = DBTaskResult.objects.get(args_kwargs__args=[scan.pk], status="READY")
    task.claim(worker_id)
    past = timezone.now() - dt.timedelta(minutes=minutes_ago)
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=past)
    Scan.objects.filter(pk=scan.pk).update(status=Scan.Status.RUNNING, started_at=past)
    WorkerHeartbeat.objects.create(worker_id=worker_id, host="gone", pid=1, beat_at=past)
    return task


@pytest.mark.django_db(transaction=True)
def test_a_lost_workers_scan_is_run_again_by_another_worker(database_tasks, filer, client_for):  # type: ignore[no-untyped-def]
    scan = _uploaded_scan(filer, client_for)
    task = _die_mid_scan(scan, "machine-a-1")

    assert leases.requeue_abandoned() == [str(task.id)]
    assert leases.requeue_abandoned() == []  # handed back once, not once per look
    scan.refresh_from_db()
    assert scan.status == "queued" and scan.progress.startswith("Waiting for another worker")

    _worker("machine-b-1").run()
    scan.refresh_from_db()
    task.refresh_from_db()
    assert (scan.status, scan.verdict) == ("done", "pass")
    assert task.status == "SUCCESSFUL" and task.worker_ids == ["machine-a-1", "machine-b-1"]


@pytest.mark.django_db(transaction=True)
def test_a_live_workers_long_scan_is_left_alone(database_tasks, filer, client_for):  # type: ignore[no-untyped-def]
    scan = _uploaded_scan(filer, client_for)
    task = _die_mid_scan(scan, "machine-a-1")
    leases.beat("machine-a-1")  # its heartbeat thread is still beating: the scan is just long
    assert leases.requeue_abandoned() == []
    task.refresh_from_db()
    assert task.status == "RUNNING"


@pytest.mark.django_db(transaction=True)
def test_a_scan_that_loses_every_worker_ends_failed_and_can_be_run_again(  # type: ignore[no-untyped-def]
    database_tasks, filer, client_for, provincial_reviewer, national_reviewer
):
    from govapp.registry import services as registry_services

    scan = _uploaded_scan(filer, client_for)
    task = _die_mid_scan(scan, "machine-a-1")
    leases.requeue_abandoned()
    task.claim("machine-b-1")  # the second worker dies on it too
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now() - dt.timedelta(minutes=5))
    Scan.objects.filter(pk=scan.pk).update(status=Scan.Status.RUNNING)
    assert leases.requeue_abandoned() == [str(task.id)]

    task.refresh_from_db()
    scan.refresh_from_db()
    assert task.status == "FAILED" and task.exception_class_path == leases.LOST_WORKER
    assert scan.status == "failed" and scan.error_kind == "crash"
    assert "stopped before it finished" in scan.failure
    filing = scan.filing
    registry_services.filing_submit(filing=filing, actor=filer)
    registry_services.filing_forward(filing=filing, actor=provincial_reviewer)
    (again,) = inspection_services.scan_request_rescan(filing=filing, actor=national_reviewer)
    assert again.status == "queued"


@pytest.mark.django_db
def test_one_units_uploads_queue_behind_another_units_first(settings, filer, other_filer, client_for) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "scans"]}
    }
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        burst = [_uploaded_scan(filer, client_for, name=f"应用{n}") for n in range(3)]
    with TestCase.captureOnCommitCallbacks(execute=True):
        other = _uploaded_scan(other_filer, client_for, name="另一单位的应用")
    priority = {row.args_kwargs["args"][0]: row.priority for row in DBTaskResult.objects.all()}
    assert [priority[scan.pk] for scan in burst] == [0, -1, -2]
    assert priority[other.pk] == 0
    order = [row.args_kwargs["args"][0] for row in DBTaskResult.objects.ready()]
    assert order.index(other.pk) < order.index(burst[1].pk)
