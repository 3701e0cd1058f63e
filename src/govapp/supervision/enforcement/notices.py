"""Typical-problem notices (通报): the national office composes one from selected cases, edits it, publishes it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govapp.accounts.models import Role
from govapp.registry.materials import Deficiency
from govapp.registry.services import WorkflowError

from .articles import article_text
from .models import RectificationOrder, SupervisionAction, SupervisionEvent, TypicalProblemNotice


def can_compose(user: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.NATIONAL_REVIEWER)


def _order_fact(order: RectificationOrder) -> dict[str, str]:
    unit = order.app.unit
    revoked = order.state == RectificationOrder.State.REVOKED
    return {
        "kind": "revocation" if revoked else "order",
        "ref": order.reference,
        "order_id": str(order.pk),
        "unit": unit.name,
        "province": str(unit.province_name),
        "app": order.app.name,
        "article": order.article_ref,  # a reference, rendered where the notice is shown
        "finding": _("; ").join(str(f.get("description", "")) for f in order.findings),
        "outcome": str(_("Filing revoked")) if revoked else str(order.get_state_display()),
    }


def _complaint_facts(case_numbers: Sequence[str]) -> list[dict[str, str]]:
    if not case_numbers:
        return []
    try:
        complaint_model = apps.get_model("complaints", "Complaint")
    except LookupError:
        raise WorkflowError(
            _("Complaints are not available in this installation; remove the case numbers.")
        ) from None
    found = {c.case_number: c for c in complaint_model.objects.filter(case_number__in=case_numbers)}
    unknown = [r for r in case_numbers if r not in found]
    if unknown:
        raise WorkflowError(
            _("No complaint has the case number %(cases)s.") % {"cases": ", ".join(unknown)},
            items=[Deficiency("complaint_cases", _("complaint case numbers"), _("Check the case numbers."))],
        )
    facts = []
    for case_number in case_numbers:
        complaint = found[case_number]
        app = getattr(complaint, "app", None)
        unit = getattr(app, "unit", None)
        facts.append(
            {
                "kind": "complaint",
                "ref": case_number,
                "unit": unit.name if unit else "",
                "province": str(unit.province_name) if unit else "",
                "app": app.name if app else str(getattr(complaint, "app_name", "")),
                "article": "",
                "finding": str(complaint.get_category_display()),
                "outcome": str(getattr(complaint, "outcome", "") or complaint.get_status_display()),
            }
        )
    return facts


def _distinct_orders(orders: Sequence[RectificationOrder]) -> list[RectificationOrder]:
    """Each order once, and orders repeating one complaint's finding on one app as one case."""
    seen: set[tuple[Any, ...]] = set()
    kept = []
    for order in orders:
        categories = tuple(sorted(str(f.get("category")) for f in order.findings))
        key = (order.app_id, order.complaint_case, categories) if order.complaint_case else ("pk", order.pk)
        if key in seen or ("pk", order.pk) in seen:
            continue
        seen.update({key, ("pk", order.pk)})
        kept.append(order)
    return kept


def draft_body(cases: Iterable[dict[str, str]]) -> str:
    """A first text of the notice from the facts; the national office edits it before publishing."""
    lines = [_("Recent supervision found the following typical problems in government apps:"), ""]
    for number, case in enumerate(cases, start=1):
        lines.append(
            _("%(n)d. %(unit)s, “%(app)s”: %(finding)s (%(article)s). Outcome: %(outcome)s.")
            % {"n": number, "unit": case["unit"] or _("unknown unit"), "app": case["app"], "finding": case["finding"],
               "article": article_text(case["article"]) if case["article"] else _("see the Measures"), "outcome": case["outcome"]}
        )  # fmt: skip
    lines += ["", _("All units are asked to check their own apps against these cases and rectify at once.")]
    return "\n".join(lines)


@transaction.atomic
def notice_compose(
    *,
    actor: Any,
    orders: Sequence[RectificationOrder],
    complaint_cases: Sequence[str] = (),
    title: str = "",
) -> TypicalProblemNotice:
    """A draft notice whose facts (unit, app, article, finding, outcome) are filled in from the cases."""
    if not can_compose(actor):
        raise PermissionDenied(_("Only the national office can compose a notice."))
    distinct = _distinct_orders(orders)
    # A complaint whose order is among the cases is that case already.
    covered = {o.complaint_case for o in distinct if o.complaint_case}
    remaining = [c for c in dict.fromkeys(complaint_cases) if c not in covered]
    cases = [_order_fact(o) for o in distinct] + _complaint_facts(remaining)
    if not cases:
        raise WorkflowError(_("Select at least one case (an order, a revocation or a complaint)."))
    return TypicalProblemNotice.objects.create(
        title=title.strip() or _("Notice on typical problems of government apps"),
        body=draft_body(cases),
        cases=cases,
        created_by=actor,
    )


@transaction.atomic
def notice_edit(*, notice: TypicalProblemNotice, actor: Any, title: str, body: str) -> TypicalProblemNotice:
    notice = TypicalProblemNotice.objects.select_for_update().get(pk=notice.pk)
    if not can_compose(actor):
        raise PermissionDenied(_("Only the national office can edit a notice."))
    if notice.status != TypicalProblemNotice.Status.DRAFT:
        raise WorkflowError(_("A published notice cannot be changed."))
    if not title.strip() or not body.strip():
        raise WorkflowError(_("A notice needs a title and a body."))
    notice.title, notice.body = title.strip(), body.strip()
    notice.save(update_fields=["title", "body"])
    return notice


@transaction.atomic
def notice_publish(*, notice: TypicalProblemNotice, actor: Any) -> TypicalProblemNotice:
    """Published notices appear on the public page; they are not changed afterwards."""
    notice = TypicalProblemNotice.objects.select_for_update().get(pk=notice.pk)
    if not can_compose(actor):
        raise PermissionDenied(_("Only the national office can publish a notice."))
    if notice.status != TypicalProblemNotice.Status.DRAFT:
        raise WorkflowError(_("This notice is already published."))
    notice.status = TypicalProblemNotice.Status.PUBLISHED
    notice.published_at = timezone.now()
    notice.save(update_fields=["status", "published_at"])
    order_ids = [int(c["order_id"]) for c in notice.cases if c.get("order_id")]
    for order in RectificationOrder.objects.filter(pk__in=order_ids):
        SupervisionEvent.objects.create(
            app_id=order.app_id, order=order, action=SupervisionAction.NOTICE_PUBLISH, actor=actor,
            reason=notice.title, data={"notice": notice.pk},
        )  # fmt: skip
    return notice
