"""The real queue path: an upload writes a task row (django-tasks-db), a worker loop run in-process
claims it from the "scans" queue and the scan finishes."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from govapp.inspection.models import Scan
from govapp.registry.choices import AppKind
from tests.factories import complete_filing
from tests.inspection.builders import project_zip
from tests.inspection.test_web import CHECKIN_PROJECT


@pytest.fixture
def database_tasks(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "scans"]}
    }


def run_worker_once(queue: str) -> None:
    Worker(
        queue_names=[queue],
        interval=0,
        batch=True,  # stop when the queue is empty instead of polling forever
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


@pytest.mark.django_db(transaction=True)
def test_upload_queues_a_task_row_that_the_worker_runs(database_tasks, filer, client_for):  # type: ignore[no-untyped-def]
    filing = complete_filing(filer, packages=False, name="网格通", kind=AppKind.MINI_PROGRAM)
    response = client_for(filer).post(
        reverse("inspection:upload", args=[filing.pk]),
        {"package": SimpleUploadedFile("grid.zip", project_zip(CHECKIN_PROJECT))},
    )
    assert response.status_code == 302
    scan = Scan.objects.get()
    task = DBTaskResult.objects.get()
    assert (scan.status, task.queue_name, task.status, task.args_kwargs["args"]) == (
        "queued", "scans", "READY", [scan.pk],
    )  # fmt: skip

    run_worker_once("default")  # another queue's worker leaves the scan alone
    scan.refresh_from_db()
    assert scan.status == "queued"

    run_worker_once("scans")
    scan.refresh_from_db()
    task.refresh_from_db()
    assert (scan.status, scan.verdict, scan.violation_count) == ("done", "violation", 1)
    assert task.status == "SUCCESSFUL" and task.worker_ids == ["test-worker"]
