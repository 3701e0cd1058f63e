"""The verification page's QR code, as a phone sees it: drawn by Chromium at the page's size, it still
decodes to the address with the certificate, and that certificate verifies."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from govapp.certificates import compact, keystore
from govapp.registry.models import App
from tests import test_browser
from tests.registry.test_views_helpers import filed_filing, without_external_checks

browser = test_browser.browser  # Debian's Chromium through Playwright, as in the walk-through test

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SCREENSHOT = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "verify-certificate.png"


@pytest.mark.django_db(transaction=True)
def test_the_qr_code_at_page_size_decodes_to_the_address_and_the_certificate(  # type: ignore[no-untyped-def]
    live_server, browser, filer, provincial_reviewer, national_reviewer, monkeypatch
):
    without_external_checks(monkeypatch)
    filing = filed_filing(filer, provincial_reviewer, national_reviewer)
    number = App.objects.get(pk=filing.app_id).current_number.number
    page = test_browser._page_for(browser, live_server.url, None)  # a phone-sized viewport, 390 px wide
    page.goto(f"{live_server.url}/verify/{number}/")
    qr = page.locator("figure.qr-certificate svg")
    box = qr.bounding_box()
    assert box is not None and 250 <= box["width"] <= 390, box  # ~3 px a module, within the screen
    image = Image.open(io.BytesIO(qr.screenshot(type="png")))
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.context.close()
    decoded = zxingcpp.read_barcodes(image)
    assert len(decoded) == 1
    text = decoded[0].text
    address, certificate = text.split("#", 1)
    assert address.startswith(live_server.url) and "/verify/" in address
    result = compact.verify(certificate, [entry.key for entry in keystore.published_keys()])
    assert result.authentic and result.claims["num"] == number
