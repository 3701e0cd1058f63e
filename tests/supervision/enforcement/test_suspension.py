"""Order -> overdue (tick twice) -> revoke -> suspension notices to both authorities (inbox, PDF text) ->
re-filing approved -> notices lifted; the unregistered-authority fallback; outsiders refused."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from govapp.accounts.models import Role, UnitFunction, UnitLevel
from govapp.core.scheduler import apply_time_rules
from govapp.registry import services as registry
from govapp.registry.models import App, FilingEvent, FilingNumber
from govapp.supervision.enforcement import rectification, suspension
from govapp.supervision.models import SuspensionNotice
from tests.factories import add_attachment, attach_packages, make_unit, make_user
from tests.supervision.enforcement.test_rectification import file_app, issue, pin_today


def pdf_text(data: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (Debian package poppler-utils) is needed to check the PDF's Chinese text")
    source = tmp_path / "out.pdf"
    source.write_bytes(data)
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(source), "-"], capture_output=True, check=True)
    return "".join(done.stdout.decode("utf-8").split())


@pytest.fixture
def authorities(units) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    it_zj = make_unit("浙江省发展和改革委员会", level=UnitLevel.PROVINCIAL, province="33",
                      function=UnitFunction.IT_APPROVAL_AUTHORITY)  # fmt: skip
    om_national = make_unit("财政部", level=UnitLevel.NATIONAL, function=UnitFunction.OM_FUNDING_AUTHORITY)
    return {
        "it": it_zj, "om": om_national,
        "it_user": make_user("zj_fgw", role=Role.FILER, unit=it_zj),
        "om_user": make_user("mof", role=Role.INSPECTOR, unit=om_national),
    }  # fmt: skip


def test_overdue_revoke_suspend_refile_lift(  # type: ignore[no-untyped-def]
    filer,
    provincial_reviewer,
    national_reviewer,
    far_filer,
    authorities,
    client_for,
    monkeypatch,
    tmp_path,
    without_technical_test,
):
    pin_today(monkeypatch, dt.date(2026, 9, 28))
    app = file_app(filer, provincial_reviewer, national_reviewer)
    order = issue(app, national_reviewer, workdays=3)
    assert apply_time_rules(dt.date(2026, 10, 9))["rectification_overdue"] == 1
    assert apply_time_rules(dt.date(2026, 10, 9))["rectification_overdue"] == 0
    order.refresh_from_db()
    assert order.state == "overdue"

    staff = client_for(national_reviewer)
    response = staff.post(
        reverse("supervision:order_action", args=[order.pk, "revoke"]), {"reason": "逾期未整改"}
    )
    assert response.status_code == 302
    app.refresh_from_db()
    order.refresh_from_db()
    assert app.state == App.State.REVOKED and order.state == "revoked"
    assert app.current_number.status == FilingNumber.Status.REVOKED
    notices = {n.kind: n for n in SuspensionNotice.objects.filter(app=app)}
    assert notices["it_approval"].addressee == authorities["it"]  # the unit's province first
    assert notices["om_funding"].addressee == authorities["om"]  # else the national authority
    assert all(n.authority_registered and n.status == "active" for n in notices.values())
    assert list(notices["it_approval"].orders.all()) == [order]
    assert "逾期未整改" in notices["it_approval"].revocation_reason

    it_client = client_for(authorities["it_user"])
    inbox = it_client.get(reverse("supervision:suspension_inbox")).content.decode()
    assert notices["it_approval"].reference in inbox and notices["om_funding"].reference not in inbox
    page = it_client.get(
        reverse("supervision:suspension_detail", args=[notices["it_approval"].pk])
    ).content.decode()
    assert "浙政钉" in page and filer.unit.name in page
    assert (
        it_client.get(reverse("supervision:suspension_detail", args=[notices["om_funding"].pk])).status_code
        == 404
    )
    assert (
        client_for(far_filer)
        .get(reverse("supervision:suspension_pdf", args=[notices["it_approval"].pk]))
        .status_code
        == 404
    )

    response = client_for(authorities["om_user"]).get(
        reverse("supervision:suspension_pdf", args=[notices["om_funding"].pk])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    for expected in (
        "财政部",
        "浙政钉",
        "杭州市数据资源管理局",
        "逾期未整改",
        notices["om_funding"].reference,
    ):
        assert expected in text, expected

    refiling = registry.refiling_start(app=app, actor=filer)
    add_attachment(refiling)
    attach_packages(refiling)
    registry.filing_submit(filing=refiling, actor=filer)
    registry.filing_forward(filing=refiling, actor=provincial_reviewer)
    assert SuspensionNotice.objects.filter(app=app, status="active").count() == 2
    registry.filing_approve(filing=refiling, actor=national_reviewer)
    lifted = SuspensionNotice.objects.filter(app=app)
    assert {n.status for n in lifted} == {"lifted"} and {n.lifted_by_filing_id for n in lifted} == {
        refiling.pk
    }
    assert apply_time_rules(dt.date(2026, 10, 12))["suspension_lift_refiled"] == 0
    page = it_client.get(
        reverse("supervision:suspension_detail", args=[notices["it_approval"].pk])
    ).content.decode()
    assert re.search(r"已于 \d{4}-\d{2}-\d{2} 解除：应用已重新备案。", page)


def test_direct_revocation_without_registered_authorities_goes_to_the_national_office(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer, client_for, without_technical_test
):
    app = file_app(filer, provincial_reviewer, national_reviewer)
    assert (
        client_for(provincial_reviewer)
        .post(reverse("supervision:app_revoke", args=[app.pk]), {"reason": "x"})
        .status_code
        == 403
    )
    response = client_for(national_reviewer).post(
        reverse("supervision:app_revoke", args=[app.pk]), {"reason": ""}
    )
    assert response.status_code == 400
    # Straight from the register, not after a failed rectification: only with a legal basis, recorded.
    national = client_for(national_reviewer)
    national.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = national.post(
        reverse("supervision:app_revoke", args=[app.pk]), {"reason": "存在强制打卡且拒不整改"}
    )
    assert response.status_code == 400
    assert "order rectification first (the procedure of the Measures), or choose the legal basis" in (
        response.content.decode()
    )
    app.refresh_from_db()
    assert app.state == App.State.FILED
    response = client_for(national_reviewer).post(
        reverse("supervision:app_revoke", args=[app.pk]),
        {"reason": "以虚假材料取得备案", "basis": "false_materials"},
    )
    assert response.status_code == 302
    event = FilingEvent.objects.filter(app=app, action="revoke").get()
    assert event.data["basis"] == "false_materials"
    notices = SuspensionNotice.objects.filter(app=app)
    assert notices.count() == 2
    assert all(
        not n.authority_registered and n.addressee.function == UnitFunction.NATIONAL_OFFICE for n in notices
    )
    inbox = client_for(national_reviewer).get(reverse("supervision:suspension_inbox")).content.decode()
    assert all(n.reference in inbox for n in notices)
    # A second revoke event cannot happen on a revoked app; the notices are not duplicated by the safety net.
    assert suspension.lift_refiled() == 0


def test_revocation_via_the_registry_also_issues_notices(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer, authorities, without_technical_test
):
    app = file_app(filer, provincial_reviewer, national_reviewer)
    order = issue(app, national_reviewer)
    registry.app_revoke(app=app, actor=national_reviewer, reason="严重违规", basis="ordered_by_authority")
    order.refresh_from_db()
    assert order.state == "revoked"
    assert SuspensionNotice.objects.filter(app=app, status="active").count() == 2
    with pytest.raises(registry.WorkflowError):
        rectification.rectification_revoke(order=order, actor=national_reviewer, reason="again")


def test_an_authority_without_accounts_is_marked_and_the_national_office_is_told(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer, client_for, without_technical_test
):
    from govapp.core.models import Notification

    it_zj = make_unit("浙江省发展和改革委员会", level=UnitLevel.PROVINCIAL, province="33",
                      function=UnitFunction.IT_APPROVAL_AUTHORITY)  # fmt: skip
    app = file_app(filer, provincial_reviewer, national_reviewer)
    registry.app_revoke(app=app, actor=national_reviewer, reason="严重违规", basis="ordered_by_authority")
    notice = SuspensionNotice.objects.get(app=app, kind="it_approval")
    assert notice.addressee == it_zj and notice.authority_registered
    told = Notification.objects.filter(url=reverse("supervision:suspension_detail", args=[notice.pk]))
    assert set(told.values_list("recipient", flat=True)) == {national_reviewer.pk}
    marker = "该机关尚无注册账号"
    inbox = client_for(national_reviewer).get(reverse("supervision:suspension_inbox")).content.decode()
    row = inbox.split(f'data-notice="{notice.pk}"')[1].split("</tr>")[0]
    assert marker in row
    detail = client_for(national_reviewer).get(reverse("supervision:suspension_detail", args=[notice.pk]))
    assert marker in detail.content.decode()
    unit_view = client_for(filer).get(reverse("supervision:suspension_inbox")).content.decode()
    assert marker not in unit_view
    # Once the authority has an account, the marker goes.
    make_user("zj_fgw", role=Role.FILER, unit=it_zj)
    inbox = client_for(national_reviewer).get(reverse("supervision:suspension_inbox")).content.decode()
    assert marker not in inbox.split(f'data-notice="{notice.pk}"')[1].split("</tr>")[0]


def test_the_om_funding_suspended_is_the_apps(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer, client_for, without_technical_test
):
    app = file_app(filer, provincial_reviewer, national_reviewer)
    registry.app_revoke(app=app, actor=national_reviewer, reason="严重违规", basis="ordered_by_authority")
    notice = SuspensionNotice.objects.get(app=app, kind="om_funding")
    page = client_for(national_reviewer).get(reverse("supervision:suspension_detail", args=[notice.pk]))
    assert f"暂停{filer.unit.name}“{app.name}”的运维经费" in page.content.decode()
