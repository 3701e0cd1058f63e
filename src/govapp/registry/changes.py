"""A change filing takes effect on the day the unit gave (Art. 9), not on the day it was approved.

Until then the register and the verification page show the facts of the filing in effect; the daily time
rule ``changes_take_effect`` applies every approved change whose effective date has come.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from .choices import PUBLICLY_FILED, EventAction, FilingState, ProcedureKind
from .models import App, Filing
from .workflow import record

# What the register publishes of a filing besides its name and kind.
IDENTIFIERS = (
    "android_package",
    "android_cert_sha256",
    "harmony_bundle",
    "ios_bundle",
    "miniprogram_appid",
    "quickapp_package",
)


def in_effect_on(filing: Filing, day: dt.date) -> bool:
    """Whether an approved filing's facts apply on ``day`` (a change only from its effective date)."""
    if filing.procedure != ProcedureKind.CHANGE or filing.change_effective_date is None:
        return True
    return filing.change_effective_date <= day


def put_in_effect(app: App, filing: Filing) -> None:
    """The app shows the facts of ``filing`` from now on (the caller saves the app)."""
    app.approved_filing = filing
    app.name = filing.app_name
    app.kind = filing.app_kind
    for name in IDENTIFIERS:
        setattr(app, name, getattr(filing, name))
    if filing.procedure == ProcedureKind.CHANGE:
        app.changed_at = filing.decided_at


def latest_approved(app: App, *, other_than: Filing | None = None) -> Filing | None:
    """The app's last approved filing, in effect or still waiting for its effective date."""
    approved = app.filings.filter(state=FilingState.FILED, decided_at__isnull=False)
    if other_than is not None:
        approved = approved.exclude(pk=other_than.pk)
    return approved.order_by("-decided_at", "-pk").first() or app.approved_filing


def changes_take_effect(*, today: dt.date) -> int:
    """Apply the approved changes whose effective date is ``today`` or earlier, oldest date first. Idempotent."""
    waiting = (
        Filing.objects.filter(
            procedure=ProcedureKind.CHANGE, state=FilingState.FILED, change_effective_date__lte=today,
            decided_at__isnull=False,
        )
        .select_related("app__approved_filing")
        .order_by("change_effective_date", "decided_at", "pk")
    )  # fmt: skip
    applied = 0
    for pk in [f.pk for f in waiting if _waiting(f)]:
        with transaction.atomic():
            filing = Filing.objects.select_for_update(of=("self",)).get(pk=pk)
            app = (
                App.objects.select_for_update(of=("self",))
                .select_related("approved_filing")
                .get(pk=filing.app_id)
            )
            # A revoked or deregistered app keeps the facts it had when it lost its filing.
            if app.state not in PUBLICLY_FILED or not _waiting(filing, app):
                continue
            put_in_effect(app, filing)
            app.save()
            assert filing.change_effective_date is not None
            record(
                app=app, filing=filing, action=EventAction.CHANGE_EFFECTIVE, actor=None,
                data={"effective": filing.change_effective_date.isoformat()},
            )  # fmt: skip
            applied += 1
    return applied


def _waiting(filing: Filing, app: App | None = None) -> bool:
    """Approved after the filing now in effect, and not yet applied."""
    app = app or filing.app
    current = app.approved_filing
    if current is None or current.pk == filing.pk:
        return current is None
    assert filing.decided_at is not None
    return current.decided_at is None or filing.decided_at > current.decided_at
