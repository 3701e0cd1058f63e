"""The worker's scans go through one process-wide long-lived sandbox; GOVAPP_SCAN_POOL_SIZE=0 keeps a
fresh child per scan; both store the same report."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from govapp.inspection import scanning
from govapp.inspection.models import Scan
from govapp.registry.choices import AppKind
from tests.factories import complete_filing
from tests.inspection.builders import project_zip
from tests.inspection.test_web import CLEAN_PROJECT, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


@pytest.fixture(autouse=True)
def _own_pool() -> Iterator[None]:
    """Each test starts without a pool and leaves none running."""
    previous, scanning._pool = scanning._pool, None
    yield
    if scanning._pool is not None:
        scanning._pool.close()
    scanning._pool = previous


def _scan(client, filing, n: int, captured) -> Scan:  # type: ignore[no-untyped-def]
    files = {**CLEAN_PROJECT, "pages/about.wxml": f"<view>关于 {n}</view>"}
    with captured(execute=True):
        assert upload(client, filing, project_zip(files), name=f"app-{n}.zip").status_code == 302
    return Scan.objects.filter(filing=filing).latest("pk")


def _comparable(scan: Scan) -> dict:  # type: ignore[type-arg]
    report = dict(scan.report)
    report.pop("duration_ms")
    return report


def test_scans_share_one_pre_started_child_and_equal_the_one_shot_reports(  # type: ignore[no-untyped-def]
    settings, monkeypatch, filer, client_for, django_capture_on_commit_callbacks
):
    client = client_for(filer)
    pooled_filing = complete_filing(filer, packages=False, name="网格通", kind=AppKind.MINI_PROGRAM)
    first = _scan(client, pooled_filing, 0, django_capture_on_commit_callbacks)
    pool = scanning.scan_pool()
    assert pool is not None and pool.owner_pid == os.getpid()
    (child,) = pool.pids()
    second = _scan(client, pooled_filing, 1, django_capture_on_commit_callbacks)
    assert (first.status, second.status) == ("done", "done")
    assert scanning.scan_pool() is pool and pool.pids() == [child]  # the same child took both packages

    settings.GOVAPP_SCAN_POOL_SIZE = 0
    assert scanning.scan_pool() is None
    monkeypatch.setattr(pool, "scan_package", None)  # a call would fail: the one-shot sandbox runs
    one_shot_filing = complete_filing(filer, packages=False, name="网格通", kind=AppKind.MINI_PROGRAM)
    one_shot = _scan(client, one_shot_filing, 1, django_capture_on_commit_callbacks)
    assert one_shot.pk != second.pk and one_shot.status == "done" and pool.pids() == [child]
    assert _comparable(one_shot) == _comparable(second)


def test_a_pool_of_another_size_replaces_the_old_one(settings) -> None:  # type: ignore[no-untyped-def]
    settings.GOVAPP_SCAN_POOL_SIZE = 1
    old = scanning.scan_pool()
    assert old is not None
    (old_child,) = old.pids()
    settings.GOVAPP_SCAN_POOL_SIZE = 2
    new = scanning.scan_pool()
    assert new is not None and new is not old and len(new.pids()) == 2
    assert old.pids() == [] and old_child not in new.pids()
