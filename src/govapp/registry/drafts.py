"""Starting a procedure: a new app's first filing, a change, a re-filing after revocation, and filing
the same app again after 视为放弃 or a withdrawal. Each opens a draft; nothing is submitted here."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from . import changes
from .choices import PRE_FILING, EventAction, FilingState, ProcedureKind
from .models import App, Filing
from .steps import MATERIAL_FIELDS
from .workflow import WorkflowError, record, require


@transaction.atomic
def filing_create(*, actor: Any, app_name: str, app_kind: str) -> Filing:
    """Start a new app's first filing as a draft of the actor's unit."""
    if not actor.has_perm("registry.file_app"):
        raise PermissionDenied(_("Only a unit filer can start a filing."))
    app = App.objects.create(unit=actor.unit, name=app_name, kind=app_kind)
    filing = Filing.objects.create(
        app=app, procedure=ProcedureKind.NEW, created_by=actor, app_name=app_name, app_kind=app_kind
    )
    record(app=app, filing=filing, action=EventAction.CREATE, actor=actor, to_state=filing.state)
    return filing


def _copy_materials(source: Filing, target: Filing) -> None:
    for name in MATERIAL_FIELDS:
        setattr(target, name, getattr(source, name))


@transaction.atomic
def change_start(*, app: App, actor: Any) -> Filing:
    """Open a change filing (Art. 9): a draft pre-filled with the approved materials."""
    app = App.objects.select_for_update().get(pk=app.pk)
    require(actor, "registry.edit_filing", app)
    if app.state != App.State.FILED:
        raise WorkflowError(
            _("A change can be filed only for a filed app; this app is “%(state)s”.")
            % {"state": app.get_state_display()}
        )
    if app.filings.filter(state__in=[FilingState.DRAFT, FilingState.RETURNED]).exists():
        raise WorkflowError(_("A change filing for this app is already being prepared; continue that draft."))
    # From the last approved change too, if it is still waiting for its effective date.
    approved = changes.latest_approved(app)
    assert approved is not None
    filing = Filing(app=app, procedure=ProcedureKind.CHANGE, created_by=actor)
    _copy_materials(approved, filing)
    filing.save()
    record(app=app, filing=filing, action=EventAction.START_CHANGE, actor=actor, to_state=filing.state)
    return filing


@transaction.atomic
def refiling_start(*, app: App, actor: Any) -> Filing:
    """After revocation the unit may file again; the last approved materials are the starting point."""
    app = App.objects.select_for_update().get(pk=app.pk)
    require(actor, "registry.edit_filing", app)
    if app.state != App.State.REVOKED:
        raise WorkflowError(_("Re-filing is only for apps whose filing was revoked."))
    if app.filings.filter(state__in=PRE_FILING).exists():
        raise WorkflowError(_("A re-filing for this app is already in progress."))
    filing = Filing(app=app, procedure=ProcedureKind.REFILING, created_by=actor)
    if app.approved_filing is not None:
        _copy_materials(app.approved_filing, filing)
    filing.save()
    record(app=app, filing=filing, action=EventAction.START_REFILING, actor=actor, to_state=filing.state)
    return filing


@transaction.atomic
def filing_start_again(*, app: App, actor: Any) -> Filing:
    """After 视为放弃 or a withdrawal the unit files the same app again, never a second app of the same
    name: a new draft on this app from the materials of the procedure that ended."""
    app = App.objects.select_for_update().get(pk=app.pk)
    require(actor, "registry.edit_filing", app)
    ended = app.filings.filter(state__in=(FilingState.ABANDONED, FilingState.WITHDRAWN))
    last = ended.order_by("-created_at", "-pk").first()
    if app.state != App.State.DRAFT or last is None:
        raise WorkflowError(_("Filing again is for an app whose filing was deemed abandoned or withdrawn."))
    if app.filings.filter(state__in=PRE_FILING).exists():
        raise WorkflowError(_("A filing for this app is already in progress."))
    filing = Filing(app=app, procedure=ProcedureKind.NEW, created_by=actor)
    _copy_materials(last, filing)
    filing.save()
    record(
        app=app, filing=filing, action=EventAction.START_AGAIN, actor=actor, to_state=filing.state,
        data={"after": last.pk},
    )  # fmt: skip
    return filing


def can_start_again(app: App) -> bool:
    """The app's last procedure ended without a filing (abandoned or withdrawn) and none is open."""
    states = set(app.filings.values_list("state", flat=True))
    return (
        app.state == App.State.DRAFT
        and bool(states & {FilingState.ABANDONED, FilingState.WITHDRAWN})
        and not states & set(PRE_FILING)
    )
