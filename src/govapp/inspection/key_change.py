"""A declared signing-key change the national office accepts: the pin moves to the new key (recorded)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from govapp.registry.choices import EventAction, FilingState
from govapp.registry.models import Filing
from govapp.registry.workflow import WorkflowError, record, require

from .binding import key_change_candidate, pinned
from .models import FilingPackage, PackagePlatform, PinnedIdentity, Scan
from .services import scan_create


@transaction.atomic
def key_change_accept(*, filing: Filing, actor: Any, reason: str) -> PinnedIdentity:
    """The national office accepts the filing's declared new signing key; the package is tested again."""
    filing = Filing.objects.select_for_update(of=("self",)).select_related("app__unit").get(pk=filing.pk)
    require(actor, "registry.review_national", filing)
    if filing.state != FilingState.NATIONAL_REVIEW:
        raise WorkflowError(_("A key change is decided while the filing is under national review."))
    if not reason.strip():
        raise WorkflowError(_("Give the reason for accepting the new signing key; it is recorded."))
    link = FilingPackage.objects.filter(
        filing=filing, is_current=True, platform=PackagePlatform.ANDROID
    ).first()
    scan = link.latest_scan() if link else None
    new = key_change_candidate(filing, scan) if scan is not None else None
    pin = pinned(filing.app, PackagePlatform.ANDROID)
    if link is None or scan is None or new is None or pin is None:
        raise WorkflowError(
            _(
                "There is no declared key change to accept: the filing must declare the certificate the "
                "current Android package is signed with, and the app's pinned certificate must differ."
            )
        )
    old = list(pin.certificates)
    pin.certificates = [new]
    pin.save(update_fields=["certificates", "updated_at"])
    record(
        app=filing.app, filing=filing, action=EventAction.KEY_CHANGE, actor=actor,
        reason=_("Declared signing key change accepted: %(old)s → %(new)s. %(reason)s")
        % {"old": ", ".join(old), "new": new, "reason": reason.strip()},
        data={"platform": PackagePlatform.ANDROID, "old": old, "new": [new], "proof": "declared"},
    )  # fmt: skip
    scan_create(package=link.package, filing=filing, actor=actor, reason=Scan.Reason.RESCAN)
    return pin
