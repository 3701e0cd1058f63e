"""iOS packages in the register: the bundle id binds to the filing, approval pins bundle and team (never the
yearly certificate), the register check finds the filed app, and one team's certificate is no conflict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from govapp.inspection.binding import expected_identity
from govapp.inspection.conflicts import identity_claims
from govapp.inspection.engine.scan import scan_package
from govapp.inspection.models import PinnedIdentity, Scan
from govapp.inspection.register_check import check_against_register
from govapp.registry.choices import AppKind
from govapp.registry.models import Filing
from tests.factories import complete_filing
from tests.inspection import builders as b
from tests.inspection.test_verdicts import approve, english, to_national

pytestmark = pytest.mark.usefixtures("immediate_tasks")  # scans run at once, in the test

TEAM = "AB12CD34EF"
BUNDLE = "cn.gov.example.grid"


def _ipa(*, team: str = TEAM, bundle: str = BUNDLE, signer: Any = None) -> bytes:
    signer = signer or b.signing_identity(f"iPhone Distribution: Example Bureau ({team})", team_id=team)
    entitlements = {"application-identifier": f"{team}.{bundle}", "com.apple.developer.team-identifier": team}
    signature = b.code_signature(identifier=bundle, team_id=team, entitlements=entitlements, signer=signer)
    info = b.info_plist(bundle_id=bundle)
    resources = {"zh-Hans.lproj/Localizable.strings": '"t" = "办事指南 投诉建议";'}
    return b.ipa(info=info, executable=b.macho(signature=signature), resources=resources)


def _ios_filing(filer: Any) -> Filing:
    return complete_filing(
        filer, packages=False, name="掌上办事", kind=AppKind.APP, platforms=["ios"], android_package="",
        android_cert_sha256="", harmony_bundle="", ios_bundle=BUNDLE,
    )  # fmt: skip


def _upload(client: Any, filing: Filing, data: bytes, capture: Any) -> None:
    with capture(execute=True):
        response = client.post(
            reverse("inspection:upload", args=[filing.pk]), {"package": SimpleUploadedFile("grid.ipa", data)}
        )
    assert response.status_code == 302


def test_approval_pins_bundle_and_team_and_a_renewed_certificate_still_matches(  # type: ignore[no-untyped-def]
    filer,
    provincial_reviewer,
    national_reviewer,
    client_for,
    django_capture_on_commit_callbacks,
    tmp_path: Path,
):
    filing = _ios_filing(filer)
    _upload(client_for(filer), filing, _ipa(), django_capture_on_commit_callbacks)
    scan = Scan.objects.get(filing=filing)
    assert scan.expected_identity == {"bundle": BUNDLE}
    assert scan.verdict == "pass", scan.report["findings"]
    to_national(filing, filer, provincial_reviewer)
    assert approve(english(client_for(national_reviewer)), filing).status_code == 302

    pin = PinnedIdentity.objects.get(app=filing.app)
    assert (pin.platform, pin.identifier, pin.certificates, pin.developer_id) == ("ios", BUNDLE, [], TEAM)
    assert pin.app_identifier == f"{TEAM}.{BUNDLE}"
    expected = expected_identity(filing, "ios")
    assert (expected.bundle, expected.developer_id, expected.cert_sha256) == (BUNDLE, TEAM, ())

    # Next year's build: the same team with a renewed distribution certificate is the same app.
    renewed = tmp_path / "renewed.ipa"
    renewed.write_bytes(_ipa())
    assert not [
        f for f in scan_package(renewed, expect=expected).findings if f["category"] == "identity_mismatch"
    ]
    # Another team's build of the same bundle id is not.
    foreign = tmp_path / "foreign.ipa"
    foreign.write_bytes(_ipa(team="ZZ99YY88XX"))
    mismatches = [
        f for f in scan_package(foreign, expect=expected).findings if f["category"] == "identity_mismatch"
    ]
    assert {m["identity"]["field"] for m in mismatches} >= {"developer_id"}

    # The register's package check finds the filed app by its bundle id.
    answer = check_against_register(scan_package(renewed).to_dict())
    assert answer.matches and answer.app == filing.app and answer.platform == "ios"


def test_one_teams_certificate_is_no_identity_claim(  # type: ignore[no-untyped-def]
    filer, client_for, django_capture_on_commit_callbacks
):
    filing = _ios_filing(filer)
    _upload(client_for(filer), filing, _ipa(), django_capture_on_commit_callbacks)
    claims = identity_claims(filing)
    assert ("bundle", BUNDLE) in claims
    assert not [claim for claim in claims if claim[0] == "cert"]
