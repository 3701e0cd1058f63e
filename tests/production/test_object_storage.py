"""Packages and documents through S3 (a real SeaweedFS): nothing lands on the web machine's disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from govapp.inspection.models import Package, Scan
from govapp.registry.choices import AppKind
from govapp.registry.models import Attachment
from tests.factories import complete_filing
from tests.inspection.builders import project_zip
from tests.inspection.test_web import CHECKIN_PROJECT
from tests.registry.test_views_bad_input import PDF, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


def _local_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_a_package_is_stored_in_the_bucket_and_scanned_from_it(  # type: ignore[no-untyped-def]
    s3_storage, s3_server, filer, client_for, django_capture_on_commit_callbacks
):
    filing = complete_filing(filer, packages=False, name="网格通", kind=AppKind.MINI_PROGRAM)
    data = project_zip(CHECKIN_PROJECT)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(filer).post(
            reverse("inspection:upload", args=[filing.pk]), {"package": SimpleUploadedFile("grid.zip", data)}
        )
    assert response.status_code == 302
    package = Package.objects.get()
    key = f"{s3_storage}/{package.file.name}"
    assert key in s3_server.keys(s3_storage)
    assert s3_server.client().get_object(Bucket="govapp-test", Key=key)["Body"].read() == data
    assert _local_files() == []
    scan = Scan.objects.get()
    assert (scan.status, scan.verdict, scan.violation_count) == ("done", "violation", 1)
    assert "/tmp" not in json.dumps(scan.report) and scan.report["package"]["path"] == "grid.zip"


def test_documents_go_to_the_bucket_and_download_from_it(s3_storage, s3_server, filer) -> None:  # type: ignore[no-untyped-def]
    from tests.registry.test_views_bad_input import as_user

    filing = complete_filing(filer)
    client = as_user(filer)
    assert upload(client, filing.pk, kind="other", name="说明.pdf", content=PDF + b"s3").status_code == 302
    attachment = Attachment.objects.get(original_name="说明.pdf")
    assert f"{s3_storage}/{attachment.file.name}" in s3_server.keys(s3_storage)
    download = client.get(reverse("registry:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF + b"s3"
    assert _local_files() == []
