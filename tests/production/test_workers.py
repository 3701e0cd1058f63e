"""Two workers as two machines on one PostgreSQL and one S3 bucket; a worker killed mid-scan.

PostgreSQL only: worker processes must reach the test database, which on SQLite lives in memory
(and one SQLite file shared by two machines is exactly what production does not do).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from govapp.inspection.models import Scan
from govapp.registry import services as registry_services
from govapp.registry.choices import AppKind, FilingState
from govapp.registry.models import Filing
from tests.factories import complete_filing
from tests.inspection.builders import project_zip
from tests.inspection.test_web import CLEAN_PROJECT
from tests.production.services import stop
from tests.production.workers import alive, children, start_worker, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("worker processes share the database: run with DATABASE_URL=postgres://… (.ci/run does)")


@pytest.fixture
def database_tasks(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "scans"]}
    }


@pytest.fixture
def workers() -> Iterator[list]:  # type: ignore[type-arg]
    started: list = []  # type: ignore[type-arg]
    yield started
    for process in started:
        stop(process, grace=15)


def _upload(client, filing: Filing, n: int) -> None:  # type: ignore[no-untyped-def]
    files = {**CLEAN_PROJECT, "pages/about.wxml": f"<view>关于 {n}</view>"}  # distinct bytes, distinct scans
    response = client.post(
        reverse("inspection:upload", args=[filing.pk]),
        {"package": SimpleUploadedFile(f"app-{n}.zip", project_zip(files))},
    )
    assert response.status_code == 302


def _finished(scans: list[Scan]) -> bool:
    return all(s.status in ("done", "failed") for s in Scan.objects.filter(pk__in=[s.pk for s in scans]))


def test_two_machines_share_the_scan_queue(  # type: ignore[no-untyped-def]
    database_tasks, s3_storage, s3_server, filer, client_for, workers, tmp_path: Path
):
    client = client_for(filer)
    filings = [
        complete_filing(filer, packages=False, name=f"应用{n}", kind=AppKind.MINI_PROGRAM) for n in range(6)
    ]
    for n, filing in enumerate(filings):
        _upload(client, filing, n)
    scans = list(Scan.objects.filter(filing__in=filings))
    assert len(scans) == 6 and all(s.status == "queued" for s in scans)

    workers += [start_worker(tmp_path / "machine-a", "machine-a", s3_server, s3_storage),
                start_worker(tmp_path / "machine-b", "machine-b", s3_server, s3_storage)]  # fmt: skip
    wait_for(lambda: _finished(scans), 180, "both workers to finish the scans")

    assert {s.status for s in Scan.objects.filter(pk__in=[s.pk for s in scans])} == {"done"}
    ran_on = {task.worker_ids[-1] for task in DBTaskResult.objects.filter(queue_name="scans")}
    assert ran_on == {"machine-a", "machine-b"}
    for machine in ("machine-a", "machine-b"):  # nothing was kept on either machine's disk
        media = tmp_path / machine / "media"
        assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


def test_a_worker_killed_mid_scan_hands_the_scan_to_another_and_the_filing_is_approved(  # type: ignore[no-untyped-def]
    database_tasks,
    s3_storage,
    s3_server,
    filer,
    provincial_reviewer,
    national_reviewer,
    client_for,
    workers,
    tmp_path: Path,
):
    filing = complete_filing(filer, packages=False, name="网格通", kind=AppKind.MINI_PROGRAM)
    _upload(client_for(filer), filing, 0)
    registry_services.filing_submit(filing=filing, actor=filer)
    registry_services.filing_forward(filing=Filing.objects.get(pk=filing.pk), actor=provincial_reviewer)
    scan = Scan.objects.get(filing=filing)

    doomed = start_worker(tmp_path / "machine-a", "machine-a", s3_server, s3_storage, scan_seconds=120)
    workers.append(doomed)
    wait_for(lambda: Scan.objects.get(pk=scan.pk).status == "running", 60, "machine-a to start the scan")
    wait_for(lambda: bool(children(doomed.pid)), 30, "the sandboxed analysis to start")
    (sandbox,) = children(doomed.pid)

    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(10)
    wait_for(lambda: not alive(sandbox), 10, "the sandbox child to die with its worker")
    assert Scan.objects.get(pk=scan.pk).status == "running"  # what a killed worker leaves behind

    workers.append(start_worker(tmp_path / "machine-b", "machine-b", s3_server, s3_storage))
    wait_for(lambda: Scan.objects.get(pk=scan.pk).status == "done", 120, "machine-b to take the scan over")

    scan.refresh_from_db()
    task = DBTaskResult.objects.get(queue_name="scans")
    assert (scan.verdict, task.status, task.worker_ids) == ("pass", "SUCCESSFUL", ["machine-a", "machine-b"])
    approved = registry_services.filing_approve(
        filing=Filing.objects.get(pk=filing.pk), actor=national_reviewer
    )
    assert approved.state == FilingState.FILED
