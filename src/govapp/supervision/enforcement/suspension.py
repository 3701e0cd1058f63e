"""Consequences of a revocation (regulation §5): suspension notices to the unit's IT-project approval
authority and O&M funding authority, lifted automatically when the app is filed again.

Both ends hang on the registry's append-only record: a ``FilingEvent`` "revoke" (whatever path revoked the
filing) issues the notices in the same transaction; an "approve" event of a re-filing lifts them.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from govapp.accounts.models import Role, Unit, UnitFunction, UnitLevel
from govapp.core.notify import notify
from govapp.core.translatable import Text
from govapp.registry import services as registry
from govapp.registry.choices import EventAction, ProcedureKind
from govapp.registry.models import App, Filing, FilingEvent

from .models import AuthorityKind, SupervisionAction, SupervisionEvent, SuspensionNotice
from .rectification import close_orders_by_revocation

log = logging.getLogger(__name__)

_FUNCTION_OF_KIND = {
    AuthorityKind.IT_APPROVAL: UnitFunction.IT_APPROVAL_AUTHORITY,
    AuthorityKind.OM_FUNDING: UnitFunction.OM_FUNDING_AUTHORITY,
}


def responsible_authority(unit: Unit, kind: str) -> Unit | None:
    """The authority of ``kind`` for ``unit``: the one of its province, else the national one."""
    function = _FUNCTION_OF_KIND[AuthorityKind(kind)]
    candidates = Unit.objects.filter(function=function)
    if unit.province:
        local = candidates.filter(province=unit.province).order_by("level", "pk").first()
        if local is not None:
            return local
    return candidates.filter(level=UnitLevel.NATIONAL).order_by("pk").first()


def national_office() -> Unit | None:
    return Unit.objects.filter(function=UnitFunction.NATIONAL_OFFICE).order_by("pk").first()


def _active_users() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True)


def addressee_has_account(notice: SuspensionNotice) -> bool:
    """Whether anyone at the addressed authority can sign in and read the notice."""
    return notice.addressee_id is not None and _active_users().filter(unit_id=notice.addressee_id).exists()


def notice_recipients(notice: SuspensionNotice) -> Any:
    """Everyone who works for the addressee (any role); the national reviewers when nobody there has an
    account (unregistered authority, or a registered one without users), since they forward it on paper."""
    users = _active_users()
    if notice.addressee_id is not None:
        staff = users.filter(unit_id=notice.addressee_id)
        if staff.exists():
            return staff
    return users.filter(role=Role.NATIONAL_REVIEWER)


def can_view_notice(user: Any, notice: SuspensionNotice) -> bool:
    if not user.is_authenticated:
        return False
    if user.role == Role.NATIONAL_REVIEWER:
        return True
    if user.unit_id is not None and user.unit_id == notice.addressee_id:
        return True
    # The sponsoring unit sees what was sent about it; provincial reviewers those of their province.
    if user.role == Role.FILER and user.unit_id == notice.unit_id:
        return True
    return bool(
        user.is_provincial_role
        and user.unit_id
        and user.unit.province
        and user.unit.province == notice.unit.province
    )


def visible_notices(user: Any) -> Any:
    """Suspension notices a user may see (deny by default)."""
    accounts = _active_users().filter(unit_id=OuterRef("addressee_id"))
    notices = SuspensionNotice.objects.select_related("app", "unit", "addressee").annotate(
        addressee_has_account=Exists(accounts)
    )
    if not user.is_authenticated:
        return notices.none()
    if user.role == Role.NATIONAL_REVIEWER:
        return notices
    if user.unit_id is None:
        return notices.none()
    from django.db.models import Q

    query = Q(addressee_id=user.unit_id)
    if user.role == Role.FILER:
        query |= Q(unit_id=user.unit_id)
    if user.is_provincial_role and user.unit.province:
        query |= Q(unit__province=user.unit.province)
    return notices.filter(query)


def _suspension_body(notice: SuspensionNotice) -> Text:
    # The Measures: the approval authority suspends the unit's approvals, the funding authority the app's funds.
    if notice.kind == AuthorityKind.IT_APPROVAL:
        return Text.of(
            gettext_noop(
                "The filing of %(app)s was revoked. Suspend the approval of new IT projects of %(unit)s until "
                "the app is filed again."
            ),
            app=notice.app.name, unit=notice.unit.name,
        )  # fmt: skip
    return Text.of(
        gettext_noop(
            "The filing of %(app)s was revoked. Suspend the operation and maintenance funding of the app "
            "“%(app)s” of %(unit)s until it is filed again."
        ),
        app=notice.app.name, unit=notice.unit.name,
    )  # fmt: skip


def suspension_issue(*, app: App, actor: Any, reason: str) -> list[SuspensionNotice]:
    """Create the two notices for a revocation just recorded; idempotent per revocation (skips if active ones exist)."""
    if SuspensionNotice.objects.filter(app=app, status=SuspensionNotice.Status.ACTIVE).exists():
        return []
    orders = close_orders_by_revocation(app=app, actor=actor, reason=reason)
    if not orders:
        # Direct revocation: name the orders that led to it anyway, if any were left overdue or answered.
        orders = list(app.rectification_orders.filter(state="revoked", suspension_notices__isnull=True))
    now = timezone.now()
    notices: list[SuspensionNotice] = []
    for kind in (AuthorityKind.IT_APPROVAL, AuthorityKind.OM_FUNDING):
        authority = responsible_authority(app.unit, kind)
        notice = SuspensionNotice.objects.create(
            app=app, unit=app.unit, kind=kind, addressee=authority or national_office(),
            authority_registered=authority is not None, revocation_reason=reason, revoked_at=now,
        )  # fmt: skip
        if orders:
            notice.orders.add(*orders)
        notices.append(notice)
        if authority is None:
            log.warning("no %s authority registered for unit %s; notice %s goes to the national office",
                        kind, app.unit_id, notice.pk)  # fmt: skip
        notify(
            recipients=notice_recipients(notice),
            subject=Text.of(
                gettext_noop("Suspension notice: %(unit)s, %(app)s"), unit=app.unit.name, app=app.name
            ),
            body=_suspension_body(notice),
            url=reverse("supervision:suspension_detail", args=[notice.pk]),
        )
    SupervisionEvent.objects.create(
        app=app, action=SupervisionAction.SUSPEND, actor=actor if getattr(actor, "pk", None) else None,
        reason=reason, data={"notices": [n.pk for n in notices], "orders": [o.pk for o in orders],
                             "unregistered": [n.kind for n in notices if not n.authority_registered]},
    )  # fmt: skip
    return notices


def suspension_lift(*, app: App, filing: Filing, actor: Any) -> list[SuspensionNotice]:
    """The app is filed again: every notice in force is lifted and the authorities are told."""
    lifted: list[SuspensionNotice] = []
    now = timezone.now()
    for notice in SuspensionNotice.objects.select_for_update().filter(
        app=app, status=SuspensionNotice.Status.ACTIVE
    ):
        notice.status = SuspensionNotice.Status.LIFTED
        notice.lifted_at = now
        notice.lifted_by_filing = filing
        notice.save(update_fields=["status", "lifted_at", "lifted_by_filing"])
        lifted.append(notice)
        notify(
            recipients=notice_recipients(notice),
            subject=Text.of(
                gettext_noop("Suspension lifted: %(unit)s, %(app)s"), unit=app.unit.name, app=app.name
            ),
            body=Text.of(
                gettext_noop("%(app)s is filed again; the suspension of notice %(ref)s is lifted."),
                app=app.name,
                ref=notice.reference,
            ),
            url=reverse("supervision:suspension_detail", args=[notice.pk]),
        )
    if lifted:
        SupervisionEvent.objects.create(
            app=app, action=SupervisionAction.LIFT, actor=actor if getattr(actor, "pk", None) else None,
            data={"notices": [n.pk for n in lifted], "filing": filing.pk},
        )  # fmt: skip
    return lifted


def revocation_with_consequences(*, app: App, actor: Any, reason: str, basis: str = "") -> App:
    """Revoke directly (not from an order); the notices follow from the registry's revoke event."""
    return registry.app_revoke(app=app, actor=actor, reason=reason, basis=basis)


def lift_refiled(*, today: Any = None) -> int:
    """Safety net in the tick: notices still in force for apps that are filed again are lifted."""
    count = 0
    for notice in SuspensionNotice.objects.filter(
        status=SuspensionNotice.Status.ACTIVE, app__state=App.State.FILED
    ):
        with transaction.atomic():
            filing = notice.app.approved_filing
            if filing is not None:
                count += len(suspension_lift(app=notice.app, filing=filing, actor=None))
    return count


def on_filing_event(sender: type[FilingEvent], instance: FilingEvent, created: bool, **kwargs: Any) -> None:
    """Registry hook: a revocation issues the notices; the approval of a re-filing lifts them."""
    if not created or kwargs.get("raw"):
        return
    if instance.action == EventAction.REVOKE:
        suspension_issue(app=instance.app, actor=instance.actor, reason=instance.reason)
    elif (
        instance.action == EventAction.APPROVE
        and instance.filing is not None
        and instance.filing.procedure == ProcedureKind.REFILING
    ):
        suspension_lift(app=instance.app, filing=instance.filing, actor=instance.actor)


def connect() -> None:
    post_save.connect(
        on_filing_event, sender=FilingEvent, dispatch_uid="supervision.suspension.on_filing_event"
    )
