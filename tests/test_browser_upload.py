"""A refused package upload is shown where the filer looked, in Chinese, without reloading the page."""

from __future__ import annotations

from pathlib import Path

import pytest

from govapp.inspection.models import FilingPackage
from tests.factories import complete_filing
from tests.test_browser import _page_for, browser  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOT = Path(__file__).resolve().parents[1] / "var" / "screenshots" / "upload-refused.png"


def test_a_refused_upload_says_why_in_the_panel(live_server, browser, filer):  # type: ignore[no-untyped-def]  # noqa: F811
    filing = complete_filing(filer, packages=False, name="拒收测试应用")
    page = _page_for(browser, live_server.url, filer.username)
    page.goto(f"{live_server.url}/filings/{filing.pk}/")
    page.set_input_files(f"#package-{filing.pk}", files=[{
        "name": "说明.txt", "mimeType": "text/plain", "buffer": "这不是安装包".encode(),
    }])  # fmt: skip
    with page.expect_response(lambda r: "/package/" in r.url and r.request.method == "POST") as answer:
        page.locator(f"form:has(#package-{filing.pk}) button[type=submit]").first.click()
    assert answer.value.status == 400

    alert = page.locator(f"#inspection-panel-{filing.pk} [role=alert]")
    alert.wait_for()
    text = alert.inner_text()
    assert text.startswith("说明.txt：不是技术检测可识别的安装包格式。"), text
    assert "技术细节：" in text
    assert page.locator("#htmx-status").is_hidden()
    assert not FilingPackage.objects.filter(filing=filing).exists()
    SHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOT), full_page=False)
    page.context.close()
