"""One identity, one owner: a package name, bundle, appid or signing certificate held by another app.

Another app's claim counts while it is filed (or rectifying, changing, announcing shutdown) or
while one of its filings is with the reviewers. Both sides see the conflict on their filing
pages; the national office resolves it: the held app is transferred to the unit now filing
(its duplicate filing closes), or the new filing is refused. Either way one identity keeps one
valid filing, which is what an app store asking the public API relies on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from govapp.core.notify import notify
from govapp.registry.choices import EventAction, FilingState
from govapp.registry.models import App, Filing
from govapp.registry.workflow import (
    WorkflowError,
    filing_url,
    record,
    require,
    stop_clock,
    transition,
    unit_filers,
)

from .models import FilingPackage, PinnedIdentity

IN_REVIEW = (FilingState.PROVINCIAL_REVIEW, FilingState.NATIONAL_REVIEW, FilingState.AWAITING_SUPPLEMENT)
HELD = (App.State.FILED, App.State.CHANGE_REVIEW, App.State.RECTIFYING, App.State.SHUTDOWN_NOTICED)
_FIELDS = {
    "package": ("android_package", "quickapp_package"),
    "bundle": ("harmony_bundle", "ios_bundle"),
    "appid": ("miniprogram_appid",),
    "cert": ("android_cert_sha256",),
}


@dataclass(frozen=True)
class Conflict:
    kind: str  # package, bundle, appid, cert
    value: str
    app: App  # the other app holding or claiming the identity
    filing: Filing | None  # its filing in review, or None when it holds the identity as filed

    @property
    def label(self) -> str:
        return str(
            {
                "package": _("package name"),
                "bundle": _("bundle name"),
                "appid": _("appid"),
                "cert": _("signing certificate"),
            }[self.kind]
        )


def identity_claims(filing: Filing) -> set[tuple[str, str]]:
    """(kind, value) pairs the filing claims: its declared identifiers and what its current packages are."""
    claims: set[tuple[str, str]] = set()
    for kind, names in _FIELDS.items():
        for name in names:
            value = str(getattr(filing, name, "") or "").strip()
            if value:
                claims.add((kind, value.lower() if kind == "cert" else value))
    for link in FilingPackage.objects.filter(filing=filing, is_current=True).select_related("package"):
        scan = link.latest_scan()
        identity = (scan.report_data.get("identity") if scan is not None else None) or {}
        for kind in ("package", "bundle", "appid"):
            if identity.get(kind):
                claims.add((kind, str(identity[kind])))
        if identity.get("platform") == "ios":
            continue  # one Apple distribution certificate signs every app of a team (binding.py)
        for cert in identity.get("certificates") or []:
            claims.add(("cert", str(cert)))
    return claims


def identity_conflicts(filing: Filing) -> list[Conflict]:
    """Other apps that hold or claim an identity this filing claims."""
    claims = identity_claims(filing)
    if not claims:
        return []
    query = Q()
    for kind, value in claims:
        for name in _FIELDS[kind]:
            query |= Q(**{name: value})
    found: dict[tuple[str, str, int], Conflict] = {}
    others = (
        Filing.objects.exclude(app_id=filing.app_id)
        .filter(query)
        .filter(Q(state__in=IN_REVIEW) | Q(app__approved_filing=F("pk"), app__state__in=HELD))
        .select_related("app__unit")
    )
    for other in others:
        held = other.state not in IN_REVIEW
        for kind, value in claims:
            if any(str(getattr(other, name) or "").lower() == value.lower() for name in _FIELDS[kind]):
                found.setdefault(
                    (kind, value, other.app_id), Conflict(kind, value, other.app, None if held else other)
                )
    ids = {value for kind, value in claims if kind != "cert"}
    certs = {value for kind, value in claims if kind == "cert"}
    pins = PinnedIdentity.objects.exclude(app_id=filing.app_id).filter(app__state__in=HELD)
    for pin in pins.select_related("app__unit"):
        if pin.identifier in ids:
            kind = (
                "bundle"
                if pin.platform in ("harmonyos", "ios")
                else "appid"
                if pin.platform == "miniprogram"
                else "package"
            )
            found.setdefault(
                (kind, pin.identifier, pin.app_id), Conflict(kind, pin.identifier, pin.app, None)
            )
        for cert in set(pin.certificates) & certs:
            found.setdefault(("cert", cert, pin.app_id), Conflict("cert", cert, pin.app, None))
    return sorted(found.values(), key=lambda c: (c.app.name, c.kind, c.value))


def _close(filing: Filing, actor: Any, reason: str) -> None:
    before = transition(filing, "withdraw", _("Withdraw"))
    stop_clock(filing)
    filing.save()
    if filing.app.state == App.State.CHANGE_REVIEW:
        filing.app.end_change_review()
        filing.app.save()
    record(
        app=filing.app, filing=filing, action=EventAction.WITHDRAW, actor=actor, from_state=before,
        to_state=filing.state, reason=reason,
    )  # fmt: skip
    notify(
        recipients=unit_filers(filing.app.unit),
        subject=_("Filing closed: %(app)s") % {"app": filing.app_name},
        body=reason,
        url=filing_url(filing),
    )


def _locked(filing: Filing, actor: Any) -> Filing:
    filing = Filing.objects.select_for_update(of=("self",)).select_related("app__unit").get(pk=filing.pk)
    require(actor, "registry.review_national", filing)
    if filing.state not in IN_REVIEW:
        raise WorkflowError(_("Only a filing with the reviewers can be decided on an identity conflict."))
    return filing


@transaction.atomic
def conflict_transfer(*, filing: Filing, other_app: App, actor: Any, reason: str) -> App:
    """The national office gives the held app to the unit now filing; this duplicate filing closes."""
    filing = _locked(filing, actor)
    if not reason.strip():
        raise WorkflowError(_("Give the reason for the transfer; it is recorded for both units."))
    if not any(c.app.pk == other_app.pk for c in identity_conflicts(filing)):
        raise WorkflowError(_("That app is not in conflict with this filing."))
    other_app = App.objects.select_for_update().select_related("unit").get(pk=other_app.pk)
    if other_app.unit_id == filing.app.unit_id:
        raise WorkflowError(_("Both apps belong to the same unit; there is nothing to transfer."))
    old_unit = other_app.unit
    other_app.unit = filing.app.unit
    other_app.save(update_fields=["unit"])
    record(
        app=other_app, filing=None, action=EventAction.TRANSFER, actor=actor,
        reason=_("Transferred from %(old)s to %(new)s: %(reason)s")
        % {"old": old_unit.name, "new": filing.app.unit.name, "reason": reason.strip()},
        data={"from_unit": old_unit.pk, "to_unit": filing.app.unit_id, "filing": filing.pk},
    )  # fmt: skip
    notify(
        recipients=list(unit_filers(old_unit)) + list(unit_filers(filing.app.unit)),
        subject=_("App transferred: %(app)s") % {"app": other_app.name},
        body=reason.strip(),
        url=filing_url(filing),
    )
    _close(
        filing,
        actor,
        _("Closed: the app %(app)s holding this identity was transferred to your unit; file changes on it.")
        % {"app": other_app.name},
    )
    return other_app


@transaction.atomic
def conflict_refuse(*, filing: Filing, actor: Any, reason: str) -> Filing:
    """The national office refuses a filing whose identity another app holds; the filing closes."""
    filing = _locked(filing, actor)
    if not reason.strip():
        raise WorkflowError(_("Give the reason for the refusal; it is recorded and sent to the unit."))
    if not identity_conflicts(filing):
        raise WorkflowError(_("This filing has no identity conflict."))
    _close(
        filing,
        actor,
        _("Refused: the app identity is held by another app. %(reason)s") % {"reason": reason.strip()},
    )
    return filing
