"""End to end in headless Chromium: a filer files, the province forwards, the national office approves,
and an anonymous visitor verifies the filing number on the public page."""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from govapp.accounts.models import User
from govapp.accounts.second_factor import second_factor_required
from govapp.inspection.models import Scan
from govapp.inspection.scanning import scan_run
from govapp.registry.choices import FilingState
from govapp.registry.models import App, Filing
from tests.factories import PASSWORD, make_totp_device, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
# The README's picture is refreshed only on request; otherwise a run leaves the working tree as it was.
_ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = (
    _ROOT / "docs" / "screenshot-verify.png"
    if os.environ.get("GOVAPP_UPDATE_SCREENSHOT")
    else _ROOT / "var" / "screenshots" / "verify.png"
)

TEXT = {
    "responsible_name": "王明", "responsible_post": "信息中心主任", "responsible_phone": "0571-88888888",
    "responsible_email": "wangming@example.gov.cn", "miniprogram_appid": "wx1234567890abcdef",
    "approval_basis": "数字政府建设规划", "approval_content": "建设掌上办事小程序", "approval_result": "同意立项",
    "approval_doc_number": "杭数资〔2026〕8号", "main_functions": "办事指南、预约办理、投诉建议",
    "om_team": "信息中心运维组 5 人", "om_rules": "运维管理制度（2026版）", "technical_plan": "小程序前端，政务云后端",
    "security_testing": "2026 年 10 月通过第三方安全测试", "mlps_assessment": "二级测评通过",
    "security_rules": "数据安全管理办法", "acceptance_requirements": "功能完备、性能稳定、交互便捷",
    "acceptance_content": "全部功能", "acceptance_result": "通过", "acceptance_opinion": "同意上线",
    "same_kind_apps": "无", "commitment_signed_by": "李华", "commitment_date": "2026-11-01",
}  # fmt: skip
SELECT = {"mlps_level": "2"}
CHECK = {"platforms": ["wechat"], "commitment_confirmed": [""]}


def _miniprogram_zip() -> bytes:
    files = {
        "project.config.json": json.dumps({"appid": TEXT["miniprogram_appid"], "projectname": "hzbs"}),
        "app.json": json.dumps({"pages": ["pages/index/index"]}),
        "pages/index/index.js": "Page({ data: { title: '杭州掌上办事' } })\n",
        "pages/index/index.wxml": "<view>{{title}}</view><navigator url='/pages/feedback/index'>投诉建议</navigator>\n",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    # Playwright's sync API runs an event loop in this thread; allowed for this test only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs Debian's chromium at {CHROMIUM} (make setup installs it)")
        pytest.skip("Debian's chromium is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()
        # Inside Playwright's sync API the test body's ORM calls get connections of their own
        # (Django keeps them per async context); close them here, in that context, or the
        # PostgreSQL test database is still in use when it is dropped at the end of the run.
        from django.db import connections

        connections.close_all()


def _page_for(browser, base: str, username: str | None, viewport: tuple[int, int] = (390, 844)):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    if username:
        user = User.objects.get(username=username)
        if second_factor_required(user):
            make_totp_device(user)
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.locator(
            "main form button[type=submit], form:has(input[name=password]) [type=submit]"
        ).first.click()
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, page.content()[:2000]
        if "/accounts/second-factor/" in page.url:
            # The reviewer's authenticator (enrolled before signing in): the code it shows now, or the next
            # one when this 30-second step's code was already used by an earlier sign-in of the same test
            # (an authenticator code is accepted once).
            device = make_totp_device(User.objects.get(username=username))
            step_now = (int(time.time()) - device.t0) // device.step
            ahead = max(0, device.last_t + 1 - step_now)
            page.fill("input[name=token]", totp_code(device, steps_ago=-ahead))
            with page.expect_navigation():
                page.locator("form:has(input[name=token]) button[type=submit]").first.click()
            assert "/accounts/second-factor/" not in page.url, page.content()[:2000]
    return page


def _fill_step(page) -> None:  # type: ignore[no-untyped-def]
    for name, value in TEXT.items():
        field = page.locator(f"form [name={name}]")
        if field.count():
            field.first.fill(value)
    for name, value in SELECT.items():
        field = page.locator(f"form select[name={name}]")
        if field.count():
            field.select_option(value)
    for name, values in CHECK.items():
        for value in values:
            selector = f"form input[name={name}]" + (f"[value={value}]" if value else "")
            if page.locator(selector).count():
                page.check(selector)
    page.click("button[name=save_next]")
    page.wait_for_load_state()
    assert not page.locator(".msg-error").count(), page.locator(".msg-error").first.inner_text()


def _act(page, base: str, filing: Filing, action: str) -> None:  # type: ignore[no-untyped-def]
    url = f"{base}/filings/{filing.pk}/{action}/"
    page.goto(url)
    page.locator(f"form[action='/filings/{filing.pk}/{action}/'] button[type=submit]").first.click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_file_forward_approve_and_verify(live_server, browser, filer, provincial_reviewer, national_reviewer):  # type: ignore[no-untyped-def]
    base = live_server.url

    # The filer creates the draft and fills each step of the form.
    page = _page_for(browser, base, filer.username)
    page.goto(f"{base}/filings/new/")
    page.fill("input[name=app_name]", "杭州掌上办事")
    page.select_option("select[name=app_kind]", "mini_program")
    page.locator("form button[type=submit].btn-primary").click()
    page.wait_for_load_state()
    filing = Filing.objects.get(app_name="杭州掌上办事")
    for step in ("basic", "approval", "functions", "operations", "acceptance", "declarations"):
        page.goto(f"{base}/filings/{filing.pk}/edit/{step}/")
        _fill_step(page)

    # The signed commitment, then the package for the technical test.
    page.goto(f"{base}/filings/{filing.pk}/edit/documents/")
    page.select_option("select[name=kind]", "commitment")
    page.set_input_files("input[name=file]", files=[{
        "name": "承诺书.pdf", "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    }])  # fmt: skip
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    page.wait_for_load_state()
    assert filing.attachments.count() == 1
    page.goto(f"{base}/filings/{filing.pk}/")
    page.set_input_files(f"#package-{filing.pk}", files=[{
        "name": "hzbs.zip", "mimeType": "application/zip", "buffer": _miniprogram_zip(),
    }])  # fmt: skip
    with page.expect_response(
        lambda response: "/package/" in response.url and response.request.method == "POST"
    ):
        page.locator(f"form:has(#package-{filing.pk}) button[type=submit]").first.click()
    # What the worker does with the queued scan (the in-memory test database cannot host a second writer).
    scans = Scan.objects.filter(filing=filing, status=Scan.Status.QUEUED)
    assert scans.exists(), page.content()[:3000]
    for scan_id in scans.values_list("pk", flat=True):
        scan_run(scan_id)

    _act(page, base, filing, "submit")
    filing.refresh_from_db()
    assert filing.state == FilingState.PROVINCIAL_REVIEW, page.content()[:3000]
    page.context.close()

    reviewer = _page_for(browser, base, provincial_reviewer.username)
    _act(reviewer, base, filing, "forward")
    filing.refresh_from_db()
    assert filing.state == FilingState.NATIONAL_REVIEW, reviewer.content()[:3000]
    reviewer.context.close()

    national = _page_for(browser, base, national_reviewer.username)
    _act(national, base, filing, "approve")
    filing.refresh_from_db()
    assert filing.state == FilingState.FILED, national.content()[:3000]
    national.context.close()
    number = App.objects.get(pk=filing.app_id).current_number.number

    # Anyone can verify the number on the public page, without signing in.
    visitor = _page_for(browser, base, None)
    visitor.goto(f"{base}/verify/")
    visitor.fill("input[name=number]", number)
    visitor.locator("form.verify-form button[type=submit]").click()
    visitor.wait_for_load_state()
    text = visitor.inner_text("body")
    assert number in text and "杭州掌上办事" in text
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    visitor.screenshot(path=str(SCREENSHOT), type="png", full_page=False)
    visitor.context.close()
