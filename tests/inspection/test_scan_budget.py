"""A package over the scan budget (entries, inflated size) ends as a clear failed result, retryable."""

from __future__ import annotations

import pytest

from govapp.inspection import services
from govapp.inspection.models import Scan
from govapp.registry import services as registry_services
from govapp.registry.choices import AppKind
from govapp.registry.models import Filing
from tests.factories import complete_filing
from tests.inspection.builders import project_zip
from tests.inspection.test_web import CLEAN_PROJECT, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


@pytest.mark.parametrize(
    ("setting", "value", "reason"),
    [("GOVAPP_SCAN_MAX_ENTRIES", 3, "entries"), ("GOVAPP_SCAN_MAX_INFLATED_BYTES", 200, "inflate")],
)
def test_a_package_over_the_budget_fails_before_analysis_and_can_be_retried(  # type: ignore[no-untyped-def]
    settings, setting, value, reason, filer, provincial_reviewer, national_reviewer, client_for,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    setattr(settings, setting, value)
    filing = complete_filing(filer, packages=False, name="多文件应用", kind=AppKind.MINI_PROGRAM)
    many = {**CLEAN_PROJECT, **{f"pages/p{n}.wxml": "<view>页</view>" * 20 for n in range(6)}}
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(client_for(filer), filing, project_zip(many)).status_code == 302
    scan = Scan.objects.get(filing=filing)
    assert (scan.status, scan.error_kind) == ("failed", "limit")
    assert reason in scan.error and "safety limit" in scan.failure

    registry_services.filing_submit(filing=filing, actor=filer)
    registry_services.filing_forward(filing=Filing.objects.get(pk=filing.pk), actor=provincial_reviewer)
    setattr(settings, setting, 10**9)  # the operator raised the budget: the reviewer runs it again
    with django_capture_on_commit_callbacks(execute=True):
        (again,) = services.scan_request_rescan(filing=filing, actor=national_reviewer)
    again.refresh_from_db()
    assert (again.status, again.verdict) == ("done", "pass")
