"""Issuing filing certificates: on national approval (a registry hook) and on re-issue by the national office."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govapp.inspection.models import PackagePlatform, PinnedIdentity
from govapp.registry.models import Filing, FilingNumber
from govapp.registry.workflow import WorkflowError, require

from . import compact, keystore
from .models import FilingCertificate

# The status a certificate states: the number was valid when it was signed. What it is now is the
# register's online truth (public page and API); a revoked number's certificate still verifies.
ISSUED_STATUS = "valid"


# The claim each pinned platform's identifier fills (compact.IDENTITY_CLAIMS names the claims).
PINNED_CLAIM: dict[str, str] = {
    PackagePlatform.ANDROID.value: "android",
    PackagePlatform.HARMONYOS.value: "harmony",
    PackagePlatform.IOS.value: "ios",
    PackagePlatform.MINIPROGRAM.value: "appid",
    PackagePlatform.QUICKAPP.value: "quickapp",
}


def certificate_claims(filing: Filing) -> dict[str, Any]:
    """What a certificate states about an approved filing: the one place that gathers the claims.

    The identity is the one the technical test pinned at approval (package / bundle / appid of each
    tested platform and the Android signing certificate); for a platform no package was pinned on,
    the filing's declared one.
    """
    app = filing.app
    number = app.current_number  # a change filing keeps the app's number
    assert number is not None, "a certificate is issued for a filing number"
    identity = {
        short: value for name, short in compact.IDENTITY_CLAIMS.items() if (value := getattr(filing, name))
    }
    for pin in PinnedIdentity.objects.filter(app=app).order_by("platform"):
        short = PINNED_CLAIM.get(pin.platform)
        if short and pin.identifier:
            identity[short] = pin.identifier
        if pin.platform == PackagePlatform.ANDROID and pin.certificates:
            identity["android_cert"] = str(pin.certificates[0]).lower()
    return {
        "num": number.number,
        "name": filing.app_name,
        "unit": app.unit.name,
        "kind": filing.app_kind,
        "ids": identity,
        "st": ISSUED_STATUS,
        "date": timezone.localdate(filing.decided_at or timezone.now()).isoformat(),
    }


def _issue(*, number: FilingNumber, filing: Filing, actor: Any, reason: str) -> FilingCertificate:
    key = keystore.signing_key()
    claims = certificate_claims(filing)
    text = compact.encode(claims, key)
    return FilingCertificate.objects.create(
        number=number,
        filing=filing,
        text=text,
        algorithm=key.algorithm,
        key_id=key.key_id,
        claims={**claims, "alg": key.algorithm, "kid": key.key_id, "v": compact.VERSION},
        issued_by=actor if getattr(actor, "pk", None) else None,
        reason=reason,
    )


def certificate_issue_on_approval(filing: Filing, actor: Any) -> None:
    """Registry approval hook: sign the certificate inside the approving transaction.

    Without a usable key the approval fails with the configuration error: no number without proof.
    """
    # The approval saved the app through another instance: read the number it was given.
    filing = Filing.objects.select_related("app__unit", "app__current_number").get(pk=filing.pk)
    number = filing.app.current_number
    assert number is not None
    _issue(number=number, filing=filing, actor=actor, reason="")


@transaction.atomic
def certificate_reissue(*, number: FilingNumber, actor: Any, reason: str) -> FilingCertificate:
    """The national office signs the current facts of a valid number again (a new key, a correction)."""
    number = FilingNumber.objects.select_for_update().select_related("app__unit").get(pk=number.pk)
    app = number.app
    require(actor, "registry.review_national", app)
    if number.status != FilingNumber.Status.ACTIVE or app.current_number_id != number.pk:
        raise WorkflowError(
            _("Only a valid filing number gets a new certificate; %(number)s is “%(status)s”.")
            % {"number": number.number, "status": number.get_status_display()}
        )
    if not reason.strip():
        raise WorkflowError(_("Give the reason for issuing the certificate again."))
    assert app.approved_filing is not None
    return _issue(number=number, filing=app.approved_filing, actor=actor, reason=reason.strip())


def current_certificate(number: str) -> FilingCertificate | None:
    """The newest certificate of the filing number (as stored, already normalised); None without one."""
    return FilingCertificate.objects.filter(number__number=number).order_by("-issued_at", "-id").first()
