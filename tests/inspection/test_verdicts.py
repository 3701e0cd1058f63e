"""The technical test decides, driven through the real forms: identity binding and pinning, per-finding
decisions, platform coverage, identity conflicts. Real APKs, scanned by the sandboxed engine."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from govapp.inspection.models import PinnedIdentity, Scan
from govapp.registry import services as registry_services
from govapp.registry.choices import EventAction, FilingState
from govapp.registry.models import App, Filing, FilingEvent
from tests.factories import add_attachment, complete_filing
from tests.inspection.apkbuild import SigningKey, build_apk, make_key

pytestmark = pytest.mark.usefixtures("immediate_tasks")  # scans run at once, in the test


@dataclass(frozen=True)
class Apks:
    key: SigningKey
    other_key: SigningKey
    new_key: SigningKey
    clean: Path  # org.gov.clean, signed with key
    foreign: Path  # org.gov.clean, signed with other_key
    rotated: Path  # org.gov.clean, v3 rotated from key to new_key
    new_key_only: Path  # org.gov.clean, signed with new_key, no rotation proof
    duty: Path  # org.gov.duty (check-in, ranking ...), signed with key


@pytest.fixture(scope="module")
def apks(tmp_path_factory: pytest.TempPathFactory) -> Apks:
    out = tmp_path_factory.mktemp("verdict-apks")
    key = make_key(out / "keys", "Hangzhou Data Bureau")
    other = make_key(out / "keys", "Somebody Else")
    new = make_key(out / "keys", "Hangzhou Data Bureau 2027")
    return Apks(
        key=key,
        other_key=other,
        new_key=new,
        clean=build_apk("clean", out / "clean.apk", key),
        foreign=build_apk("clean", out / "foreign.apk", other),
        rotated=build_apk("clean", out / "rotated.apk", key, rotated_to=new),
        new_key_only=build_apk("clean", out / "newkey.apk", new),
        duty=build_apk("formalism", out / "duty.apk", key),
    )


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def android_filing(
    filer: Any, *, name: str = "办事通", package: str = "org.gov.clean", cert: str, **extra: Any
) -> Filing:
    materials = {"platforms": ["android"], "harmony_bundle": "", **extra}
    return complete_filing(
        filer, packages=False, name=name, android_package=package, android_cert_sha256=cert, **materials
    )


def upload(client: Client, filing: Filing, path: Path, capture: Any) -> None:
    with capture(execute=True):
        response = client.post(
            reverse("inspection:upload", args=[filing.pk]),
            {"package": SimpleUploadedFile(path.name, path.read_bytes())},
        )
    assert response.status_code == 302, response.content.decode()[:500]


def to_national(filing: Filing, filer: Any, reviewer: Any) -> None:
    registry_services.filing_submit(filing=filing, actor=filer)
    registry_services.filing_forward(filing=filing, actor=reviewer)


def approve(client: Client, filing: Filing) -> Any:
    return client.post(reverse("registry:filing_approve", args=[filing.pk]), {"note": ""})


def decide_all(client: Client, filing: Filing, reason: str = "应用内“关于”页显示备案号") -> None:
    """The national reviewer decides every open violation of the filing's latest scans as a false positive."""
    for scan in Scan.objects.filter(filing=filing).order_by("package", "-id").distinct():
        for finding in (scan.report or {}).get("findings", []):
            if finding["status"] == "violation" and not finding["category"].startswith("identity"):
                client.post(
                    reverse("inspection:decide", args=[scan.pk]),
                    {"rule": finding["rule"], "decision": "false_positive", "reason": reason},
                )


def blockers(filing: Filing) -> list[str]:
    return registry_services.approval_blockers(filing)


def approval_page(client: Client, filing: Filing) -> str:
    response = client.get(reverse("registry:filing_approve", args=[filing.pk]))
    assert response.status_code == 200
    return response.content.decode()


# ---------------------------------------------------------------- identity binding


def test_an_unrelated_package_cannot_pass_for_the_filed_app(  # type: ignore[no-untyped-def]
    apks, filer, provincial_reviewer, national_reviewer, client_for, django_capture_on_commit_callbacks
):
    filing = android_filing(filer, package="cn.gov.hz.bsfw", cert="57" * 32)
    upload(client_for(filer), filing, apks.clean, django_capture_on_commit_callbacks)
    scan = Scan.objects.get(filing=filing)
    assert scan.expected_identity == {"package": "cn.gov.hz.bsfw", "cert_sha256": ["57" * 32]}
    assert scan.verdict == "violation" and scan.report["findings"][0]["category"] == "identity_mismatch"
    to_national(filing, filer, provincial_reviewer)

    national = english(client_for(national_reviewer))
    page = approval_page(national, filing)
    assert 'data-check="identity" data-blocking="true"' in page
    assert "cn.gov.hz.bsfw" in page and "org.gov.clean" in page  # both identities side by side
    assert "57" * 32 in page and apks.key.sha256 in page
    assert page.index('data-check="identity"') < page.index('data-check="coverage"')  # blocking first
    response = approve(national, filing)
    assert response.status_code == 400
    assert "is not the app of this filing" in response.content.decode()
    filing.refresh_from_db()
    assert filing.state == FilingState.NATIONAL_REVIEW
    # The identity finding cannot be decided away.
    decided = national.post(
        reverse("inspection:decide", args=[scan.pk]),
        {"rule": "IDENTITY-MISMATCH-001", "decision": "false_positive", "reason": "x"},
    )
    assert decided.status_code == 400 and "cannot be decided away" in decided.content.decode()


def test_the_right_package_passes_and_its_approval_pins_the_identity(  # type: ignore[no-untyped-def]
    apks, filer, provincial_reviewer, national_reviewer, client_for, django_capture_on_commit_callbacks
):
    filing = android_filing(filer, cert=apks.key.sha256)
    upload(client_for(filer), filing, apks.clean, django_capture_on_commit_callbacks)
    to_national(filing, filer, provincial_reviewer)
    national = english(client_for(national_reviewer))
    page = approval_page(national, filing)
    assert 'data-check="identity" data-blocking="false"' in page and 'data-blocking="true"' not in page
    assert approve(national, filing).status_code == 302
    pin = PinnedIdentity.objects.get(app=filing.app)
    assert (pin.platform, pin.identifier, pin.certificates) == ("android", "org.gov.clean", [apks.key.sha256])
    assert pin.baseline["version"] and "permissions" in pin.baseline
    assert FilingEvent.objects.filter(filing=filing, action=EventAction.IDENTITY_PINNED).exists()
    history = (
        english(client_for(filer)).get(reverse("registry:filing_detail", args=[filing.pk])).content.decode()
    )
    assert "App identity pinned" in history


def _filed(apks: Apks, filer: Any, provincial: Any, national: Any, client_for: Any, capture: Any) -> Filing:
    filing = android_filing(filer, cert=apks.key.sha256)
    upload(client_for(filer), filing, apks.clean, capture)
    to_national(filing, filer, provincial)
    assert approve(client_for(national), filing).status_code == 302
    return filing


def test_a_change_filing_with_another_key_needs_the_national_offices_acceptance(  # type: ignore[no-untyped-def]
    apks, filer, provincial_reviewer, national_reviewer, client_for, django_capture_on_commit_callbacks
):
    first = _filed(
        apks, filer, provincial_reviewer, national_reviewer, client_for, django_capture_on_commit_callbacks
    )
    change = registry_services.change_start(app=first.app, actor=filer)
    change.android_cert_sha256 = apks.new_key.sha256  # the unit declares the new key
    change.change_description = "更换签名密钥"
    change.change_effective_date = dt.date.today() + dt.timedelta(days=40)
    change.save()
    add_attachment(change)
    upload(client_for(filer), change, apks.new_key_only, django_capture_on_commit_callbacks)
    scan = Scan.objects.filter(filing=change).latest("id")
    # The pin, not the change filing's declaration, decides what the package must be.
    assert scan.expected_identity["cert_sha256"] == [apks.key.sha256]
    to_national(change, filer, provincial_reviewer)
    national = english(client_for(national_reviewer))
    panel = national.get(
        reverse("inspection:panel", args=[change.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "data-key-change" in panel
    assert approve(national, change).status_code == 400

    assert (
        national.post(reverse("inspection:key_change", args=[change.pk]), {"reason": ""}).status_code == 400
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = national.post(
            reverse("inspection:key_change", args=[change.pk]), {"reason": "旧密钥泄露，已书面说明"}
        )
    assert response.status_code == 302
    pin = PinnedIdentity.objects.get(app=first.app)
    assert pin.certificates == [apks.new_key.sha256]
    event = FilingEvent.objects.get(filing=change, action=EventAction.KEY_CHANGE)
    assert event.data["old"] == [apks.key.sha256] and event.data["proof"] == "declared"
    decide_all(national, change)
    assert approve(national, change).status_code == 302, blockers(change)
    # The old key no longer passes for this app.
    spot = Scan.objects.filter(filing=change).latest("id")
    assert "identity_mismatch" not in [f["category"] for f in spot.report["findings"]]


def test_a_v3_rotation_proof_is_accepted_and_moves_the_pin(  # type: ignore[no-untyped-def]
    apks, filer, provincial_reviewer, national_reviewer, client_for, django_capture_on_commit_callbacks
):
    first = _filed(
        apks, filer, provincial_reviewer, national_reviewer, client_for, django_capture_on_commit_callbacks
    )
    change = registry_services.change_start(app=first.app, actor=filer)
    change.change_description = "轮换签名密钥"
    change.change_effective_date = dt.date.today() + dt.timedelta(days=40)
    change.save()
    add_attachment(change)
    upload(client_for(filer), change, apks.rotated, django_capture_on_commit_callbacks)
    to_national(change, filer, provincial_reviewer)
    decide_all(client_for(national_reviewer), change)
    # The approval block compares the change's package with the approved one (not blocking: it is filed).
    assert 'data-check="drift" data-blocking="false"' in approval_page(
        english(client_for(national_reviewer)), change
    )
    assert approve(client_for(national_reviewer), change).status_code == 302, blockers(change)
    pin = PinnedIdentity.objects.get(app=first.app)
    assert apks.key.sha256 in pin.certificates and apks.new_key.sha256 in pin.certificates


def test_a_package_with_a_foreign_key_does_not_match_the_pin(  # type: ignore[no-untyped-def]
    apks, filer, provincial_reviewer, national_reviewer, client_for, django_capture_on_commit_callbacks
):
    first = _filed(
        apks, filer, provincial_reviewer, national_reviewer, client_for, django_capture_on_commit_callbacks
    )
    change = registry_services.change_start(app=first.app, actor=filer)
    change.change_description = "版本更新"
    change.change_effective_date = dt.date.today() + dt.timedelta(days=40)
    change.save()
    add_attachment(change)
    upload(client_for(filer), change, apks.foreign, django_capture_on_commit_callbacks)
    scan = Scan.objects.filter(filing=change).latest("id")
    mismatch = next(f for f in scan.report["findings"] if f["category"] == "identity_mismatch")
    assert mismatch["identity"]["found"] == apks.other_key.sha256


# ---------------------------------------------------------------- verdicts that decide


def test_violations_block_until_each_is_decided(  # type: ignore[no-untyped-def]
    apks, filer, provincial_reviewer, national_reviewer, client_for, django_capture_on_commit_callbacks
):
    filing = android_filing(filer, package="org.gov.duty", cert=apks.key.sha256)
    upload(client_for(filer), filing, apks.duty, django_capture_on_commit_callbacks)
    to_national(filing, filer, provincial_reviewer)
    scan = Scan.objects.get(filing=filing)
    rules = sorted({f["rule"] for f in scan.report["findings"] if f["status"] == "violation"})
    assert len(rules) >= 2
    national = english(client_for(national_reviewer))
    assert approve(national, filing).status_code == 400
    report = national.get(reverse("inspection:report", args=[scan.pk])).content.decode()
    assert f'data-decide="{rules[0]}"' in report
    # No special scenario declared: an exception cannot be accepted; a false positive needs a reason.
    refused = national.post(
        reverse("inspection:decide", args=[scan.pk]), {"rule": rules[0], "decision": "exception_accepted"}
    )
    assert refused.status_code == 400 and "special scenario" in refused.content.decode()
    refused = national.post(
        reverse("inspection:decide", args=[scan.pk]),
        {"rule": rules[0], "decision": "false_positive", "reason": ""},
    )
    assert refused.status_code == 400 and "false positive" in refused.content.decode()
    # The unit may not decide; an outsider does not even see the scan.
    assert (
        client_for(filer)
        .post(
            reverse("inspection:decide", args=[scan.pk]),
            {"rule": rules[0], "decision": "false_positive", "reason": "x"},
        )
        .status_code
        == 403
    )

    for rule in rules[:-1]:
        response = national.post(
            reverse("inspection:decide", args=[scan.pk]),
            {"rule": rule, "decision": "false_positive", "reason": "字符串仅出现在帮助文档中"},
        )
        assert response.status_code == 302
    page = approval_page(national, filing)
    assert rules[-1] in page and 'data-check="verdict" data-blocking="true"' in page
    assert approve(national, filing).status_code == 400
    national.post(
        reverse("inspection:decide", args=[scan.pk]),
        {"rule": rules[-1], "decision": "false_positive", "reason": "测试数据"},
    )
    again = national.post(
        reverse("inspection:decide", args=[scan.pk]),
        {"rule": rules[-1], "decision": "false_positive", "reason": "again"},
    )
    assert again.status_code == 400 and "already been decided" in again.content.decode()
    assert approve(national, filing).status_code == 302

    events = FilingEvent.objects.filter(filing=filing, action=EventAction.FALSE_POSITIVE)
    assert sorted(e.data["rule"] for e in events) == rules
    history = national.get(reverse("registry:filing_detail", args=[filing.pk])).content.decode()
    assert "Finding decided: false positive" in history and "字符串仅出现在帮助文档中" in history
    precision = national.get(reverse("inspection:precision")).content.decode()
    assert f'data-rule="{rules[0]}"' in precision
    assert client_for(filer).get(reverse("inspection:precision")).status_code == 403


def test_an_exception_is_accepted_under_a_declared_special_scenario(  # type: ignore[no-untyped-def]
    apks, filer, provincial_reviewer, national_reviewer, client_for, django_capture_on_commit_callbacks
):
    filing = android_filing(
        filer, package="org.gov.duty", cert=apks.key.sha256, special_scenario="emergency",
        special_scenario_justification="防汛应急值守需要定位",
        declared_categories=["location_tracking"],
    )  # fmt: skip
    upload(client_for(filer), filing, apks.duty, django_capture_on_commit_callbacks)
    to_national(filing, filer, provincial_reviewer)
    scan = Scan.objects.get(filing=filing)
    national = english(client_for(national_reviewer))
    rule = next(f["rule"] for f in scan.report["findings"] if f["status"] == "violation")
    response = national.post(
        reverse("inspection:decide", args=[scan.pk]),
        {"rule": rule, "decision": "exception_accepted", "reason": ""},
    )
    assert response.status_code == 302
    event = FilingEvent.objects.get(filing=filing, action=EventAction.EXCEPTION_ACCEPTED)
    assert event.data == {
        "scan": scan.pk, "package": scan.package.sha256, "rule": rule,
        "category": event.data["category"], "decision": "exception_accepted",
    }  # fmt: skip


# ---------------------------------------------------------------- platform coverage


def test_each_declared_platform_needs_a_package_unless_relaxed(  # type: ignore[no-untyped-def]
    apks,
    filer,
    provincial_reviewer,
    national_reviewer,
    client_for,
    django_capture_on_commit_callbacks,
    settings,
):
    filing = android_filing(filer, cert=apks.key.sha256, platforms=["android", "harmonyos", "other"])
    filing.harmony_bundle = "org.gov.clean"
    filing.save()
    upload(client_for(filer), filing, apks.clean, django_capture_on_commit_callbacks)
    # Strict: the missing HarmonyOS package is a gap of completeness already; "other" needs none.
    with pytest.raises(registry_services.WorkflowError) as refused:
        registry_services.filing_submit(filing=filing, actor=filer)
    assert [item.field for item in refused.value.items] == ["package"]
    assert "HarmonyOS" in str(refused.value.items[0].label) and "Other" not in str(
        refused.value.items[0].label
    )
    # Relaxed, one package is enough to submit and forward; approval warns about the rest.
    settings.GOVAPP_REQUIRE_PACKAGE_PER_PLATFORM = False
    to_national(filing, filer, provincial_reviewer)
    national = english(client_for(national_reviewer))
    page = approval_page(national, filing)
    assert 'data-check="coverage" data-blocking="false"' in page and "HarmonyOS" in page
    # Made strict again while the filing is with the national office, approval waits for the package.
    settings.GOVAPP_REQUIRE_PACKAGE_PER_PLATFORM = True
    page = approval_page(national, filing)
    assert 'data-check="coverage" data-blocking="true"' in page and "HarmonyOS" in page
    assert approve(national, filing).status_code == 400
    settings.GOVAPP_REQUIRE_PACKAGE_PER_PLATFORM = False
    assert approve(national, filing).status_code == 302


# ---------------------------------------------------------------- one identity, one owner


def test_a_second_unit_with_the_same_certificate_is_a_conflict_resolved_by_transfer(  # type: ignore[no-untyped-def]
    apks,
    filer,
    other_filer,
    provincial_reviewer,
    national_reviewer,
    client_for,
    django_capture_on_commit_callbacks,
):
    held = _filed(
        apks, filer, provincial_reviewer, national_reviewer, client_for, django_capture_on_commit_callbacks
    )
    claim = android_filing(other_filer, name="宁波办事通", cert=apks.key.sha256)
    upload(client_for(other_filer), claim, apks.clean, django_capture_on_commit_callbacks)
    to_national(claim, other_filer, provincial_reviewer)

    national = english(client_for(national_reviewer))
    panel = national.get(
        reverse("inspection:panel", args=[claim.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "data-conflicts" in panel and held.app.unit.name in panel
    assert approve(national, claim).status_code == 400
    assert 'data-check="conflict" data-blocking="true"' in approval_page(national, claim)
    # The holding unit's side shows the claim too.
    held_panel = (
        english(client_for(provincial_reviewer))
        .get(reverse("inspection:panel", args=[held.pk]), HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "data-conflicts" in held_panel and claim.app.unit.name in held_panel
    # Only the national office resolves it.
    assert (
        client_for(provincial_reviewer)
        .post(
            reverse("inspection:conflict_resolve", args=[claim.pk, "transfer"]),
            {"other_app": held.app.pk, "reason": "x"},
        )
        .status_code
        == 403
    )

    response = national.post(
        reverse("inspection:conflict_resolve", args=[claim.pk, "transfer"]),
        {"other_app": held.app.pk, "reason": "应用已移交宁波市大数据发展管理局运维"},
    )
    assert response.status_code == 302
    app = App.objects.get(pk=held.app.pk)
    assert app.unit == other_filer.unit
    assert FilingEvent.objects.filter(app=app, action=EventAction.TRANSFER).exists()
    claim.refresh_from_db()
    assert claim.state == FilingState.WITHDRAWN


def test_a_conflicting_filing_can_be_refused(  # type: ignore[no-untyped-def]
    apks,
    filer,
    far_filer,
    provincial_reviewer,
    other_provincial_reviewer,
    national_reviewer,
    client_for,
    django_capture_on_commit_callbacks,
):
    _filed(
        apks, filer, provincial_reviewer, national_reviewer, client_for, django_capture_on_commit_callbacks
    )
    claim = android_filing(far_filer, name="南京办事通", cert=apks.key.sha256)
    upload(client_for(far_filer), claim, apks.clean, django_capture_on_commit_callbacks)
    to_national(claim, far_filer, other_provincial_reviewer)
    national = english(client_for(national_reviewer))
    assert (
        national.post(
            reverse("inspection:conflict_resolve", args=[claim.pk, "refuse"]), {"reason": ""}
        ).status_code
        == 400
    )
    response = national.post(
        reverse("inspection:conflict_resolve", args=[claim.pk, "refuse"]),
        {"reason": "包名与证书属于杭州市数据资源管理局"},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.state == FilingState.WITHDRAWN
    assert "Refused" in FilingEvent.objects.filter(filing=claim).latest("id").reason
