"""System check: a production installation names its certificate key before its first approval."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register


@register()
def certificate_key_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.GOVAPP_CERT_KEY or settings.GOVAPP_CERT_KEY_FILE:
        return []
    return [
        Warning(
            "No certificate signing key: national approval will fail until one is configured.",
            hint="Set GOVAPP_CERT_KEY_FILE (or GOVAPP_CERT_KEY); `govapp certificate keygen --out FILE` makes one.",
            id="certificates.W001",
        )
    ]
