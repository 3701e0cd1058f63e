"""Writes on a filed app's standing: shutdown and deregistration, rectification, revocation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govapp.core.calendar import deadline_for
from govapp.core.notify import notify
from govapp.core.translatable import Text

from . import workflow
from .choices import DIRECT_REVOCATION_BASES, PRE_FILING, EventAction, FilingState, RevocationBasis
from .materials import Deficiency
from .models import App, Attachment, FilingNumber
from .workflow import WorkflowError, clock_data, record, require, stop_clock, transition, unit_filers


@transaction.atomic
def shutdown_announce(
    *, app: App, actor: Any, notice: str, offline_date: dt.date, attachments: Sequence[Attachment] = ()
) -> App:
    """The unit published a shutdown notice; the deregistration report is due N5 working days after offline."""
    app = App.objects.select_for_update().get(pk=app.pk)
    require(actor, "registry.edit_filing", app)
    if not notice.strip():
        raise WorkflowError(
            _("Give the text or the address of the public shutdown notice."),
            items=[Deficiency("notice", _("shutdown notice"), _("This field is required."))],
        )
    if app.filings.filter(state__in=[FilingState.PROVINCIAL_REVIEW, FilingState.NATIONAL_REVIEW]).exists():
        raise WorkflowError(_("Withdraw the change filing under review before announcing a shutdown."))
    before = transition(app, "announce_shutdown", _("Announce shutdown"))
    deadline = deadline_for("N5", offline_date)
    app.offline_date = offline_date
    app.deregistration_due = deadline.due
    app.deregistration_due_provisional = deadline.provisional
    app.save()
    record(
        app=app, filing=None, action=EventAction.ANNOUNCE_SHUTDOWN, actor=actor, from_state=before,
        to_state=app.state, reason=notice.strip(), data={"clock": clock_data(deadline)}, attachments=attachments,
    )  # fmt: skip
    return app


@transaction.atomic
def app_deregister(*, app: App, actor: Any, report: str) -> App:
    """The offline report: the filing is deregistered (注销); its number keeps resolving as such."""
    app = App.objects.select_for_update().get(pk=app.pk)
    require(actor, "registry.edit_filing", app)
    if not report.strip():
        raise WorkflowError(
            _("Write the offline report: when the app went offline and how users were informed."),
            items=[Deficiency("report", _("offline report"), _("This field is required."))],
        )
    if app.offline_date and workflow.today() < app.offline_date:
        raise WorkflowError(
            _("The app goes offline on %(date)s; report after that day.")
            % {"date": app.offline_date.isoformat()}
        )
    before = transition(app, "deregister", _("Deregister"))
    app.save()
    _set_number_status(app, FilingNumber.Status.DEREGISTERED)
    record(
        app=app, filing=None, action=EventAction.DEREGISTER, actor=actor, from_state=before, to_state=app.state,
        reason=report.strip(),
    )  # fmt: skip
    return app


def _set_number_status(app: App, status: str) -> None:
    number = app.current_number
    if number is not None:
        number.status = status
        number.status_changed_at = timezone.now()
        number.save(update_fields=["status", "status_changed_at"])


@transaction.atomic
def app_order_rectification(*, app: App, actor: Any, reason: str, data: dict[str, Any] | None = None) -> App:
    """A violation was found on a filed app: the unit must rectify."""
    app = App.objects.select_for_update().get(pk=app.pk)
    if not (
        actor.has_perm("registry.review_national", app) or actor.has_perm("registry.review_provincial", app)
    ):
        raise PermissionDenied(_("Only a reviewer can order rectification."))
    if not reason.strip():
        raise WorkflowError(_("Say which violation was found and what must be rectified."))
    before = transition(app, "order_rectification", _("Order rectification"))
    app.save()
    record(
        app=app, filing=None, action=EventAction.ORDER_RECTIFICATION, actor=actor, from_state=before,
        to_state=app.state, reason=reason.strip(), data=data or {},
    )  # fmt: skip
    notify(
        recipients=unit_filers(app.unit),
        subject=Text.of(gettext_noop("Rectification ordered: %(app)s"), app=app.name),
        body=reason.strip(),
        url=reverse("registry:app_detail", args=[app.pk]),
    )
    return app


@transaction.atomic
def app_accept_rectification(*, app: App, actor: Any, note: str = "") -> App:
    app = App.objects.select_for_update().get(pk=app.pk)
    if not (
        actor.has_perm("registry.review_national", app) or actor.has_perm("registry.review_provincial", app)
    ):
        raise PermissionDenied(_("Only a reviewer can accept a rectification."))
    before = transition(app, "accept_rectification", _("Accept rectification"))
    app.save()
    record(
        app=app, filing=None, action=EventAction.RECTIFIED, actor=actor, from_state=before, to_state=app.state,
        reason=note,
    )  # fmt: skip
    return app


@transaction.atomic
def app_revoke(*, app: App, actor: Any, reason: str, basis: str = "") -> App:
    """The national office revokes the filing (撤销备案); the number resolves as revoked.

    The procedure revokes a rectifying app whose violations were not fixed (basis ``not_rectified``);
    revoking an app straight from the register needs one of ``DIRECT_REVOCATION_BASES``, recorded.
    """
    app = App.objects.select_for_update().get(pk=app.pk)
    require(actor, "registry.review_national", app)
    if not reason.strip():
        raise WorkflowError(
            _("Give the reason for revocation; it is recorded and shown to the unit."),
            items=[Deficiency("reason", _("reason"), _("This field is required."))],
        )
    if app.state == App.State.RECTIFYING and basis in ("", RevocationBasis.NOT_RECTIFIED):
        basis = RevocationBasis.NOT_RECTIFIED
    elif basis not in DIRECT_REVOCATION_BASES:
        raise WorkflowError(
            _(
                "This app is not rectifying: order rectification first (the procedure of the Measures), or "
                "choose the legal basis of a direct revocation."
            ),
            items=[
                Deficiency("basis", _("legal basis"), _("Choose the legal basis of the direct revocation."))
            ],
        )
    before = transition(app, "revoke", _("Revoke the filing"))
    app.save()
    # A procedure still open (a change under review) cannot outlive the filing it would change.
    for filing in app.filings.filter(state__in=PRE_FILING):
        filing_before = transition(filing, "withdraw", _("Withdraw"))
        stop_clock(filing)
        filing.save()
        record(
            app=app, filing=filing, action=EventAction.WITHDRAW, actor=actor, from_state=filing_before,
            to_state=filing.state, reason=_("Closed by the revocation of the filing."),
        )  # fmt: skip
    _set_number_status(app, FilingNumber.Status.REVOKED)
    record(
        app=app, filing=None, action=EventAction.REVOKE, actor=actor, from_state=before, to_state=app.state,
        reason=reason.strip(), data={"basis": str(basis)},
    )  # fmt: skip
    notify(
        recipients=unit_filers(app.unit),
        subject=Text.of(gettext_noop("Filing revoked: %(app)s"), app=app.name),
        body=reason.strip(),
        url=reverse("registry:app_detail", args=[app.pk]),
    )
    return app
