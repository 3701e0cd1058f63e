"""Writes and reads of complaint handling: each write atomic, permission-checked, with an event.

Routing: a complaint about an app of the register goes to the cyberspace office of the app's unit's
province, or to the national office for central ministries; an unknown app goes to the province the
complainant named, else to the national office. Units never receive anything about a complaint.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import TransitionNotAllowed

from govapp.accounts.models import Role
from govapp.core.calendar import deadline_for
from govapp.core.notify import notify
from govapp.core.translatable import Text
from govapp.registry.materials import Deficiency
from govapp.registry.models import App, FilingNumber
from govapp.registry.numbers import normalise_number
from govapp.registry.queries import submitted_apps
from govapp.registry.services import WorkflowError

from .choices import OPEN_STATUSES, AppMatch, ComplaintAction, ComplaintCategory, ComplaintStatus
from .models import Complaint, ComplaintEvent
from .privacy import identity_in
from .receipts import new_receipt, normalise_receipt, prefix_of, receipt_digest
from .uploads import store_upload

User = get_user_model()

# Shorter names would "contain"-match half the register.
MIN_SIMILAR_NAME = 2


# ---------------------------------------------------------------- matching and routing


@dataclass(frozen=True)
class AppMatchResult:
    app: App | None
    how: str
    candidates: list[int] = field(default_factory=list)


def _fold(text: str) -> str:
    """Case- and width-insensitive form of a name: NFKC, casefolded, without whitespace."""
    return "".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def match_app(*, app_name: str = "", filing_number: str = "", province: str = "") -> AppMatchResult:
    """The register's app a complaint is about: by filing number (any status), else by exact name, else by
    a unique case/width-insensitive "contains" match (narrowed to ``province`` when several match)."""
    number = normalise_number(filing_number)
    if number:
        row = FilingNumber.objects.select_related("app__unit").filter(number=number).first()
        if row is not None:
            return AppMatchResult(row.app, AppMatch.FILING_NUMBER)
    name = (app_name or "").strip()
    if not name:
        return AppMatchResult(None, AppMatch.NONE)
    # Only apps known outside their unit: an app still a draft never submitted is the unit's own.
    known = submitted_apps()
    exact = list(known.select_related("unit").filter(name=name).order_by("pk"))
    if len(exact) == 1:
        return AppMatchResult(exact[0], AppMatch.EXACT_NAME)
    how = AppMatch.EXACT_NAME
    candidates = exact
    if not exact:
        folded = _fold(name)
        if len(folded) < MIN_SIMILAR_NAME:
            return AppMatchResult(None, AppMatch.NONE)
        ids = [pk for pk, app_name_ in known.values_list("pk", "name") if folded in _fold(app_name_)]
        candidates = list(App.objects.select_related("unit").filter(pk__in=ids).order_by("pk"))
        how = AppMatch.SIMILAR_NAME
    if province and len(candidates) > 1:
        local = [app for app in candidates if app.unit.province == province]
        candidates = local or candidates
    if len(candidates) > 1:
        # Prefer the apps people can actually be made to use: those holding a filing number.
        numbered = [app for app in candidates if app.current_number_id]
        candidates = numbered if len(numbered) == 1 else candidates
    if len(candidates) == 1:
        return AppMatchResult(candidates[0], how)
    if not candidates:
        return AppMatchResult(None, AppMatch.NONE)
    return AppMatchResult(None, AppMatch.AMBIGUOUS, [app.pk for app in candidates])


def route(*, match: AppMatchResult, complainant_province: str = "") -> str:
    """The handling office's province code ('' = the national office)."""
    if match.app is not None:
        return match.app.unit.province
    if match.candidates:
        provinces = set(
            App.objects.filter(pk__in=match.candidates).values_list("unit__province", flat=True).distinct()
        )
        if len(provinces) == 1:
            return provinces.pop()
    return complainant_province


def office_staff(province: str) -> Any:
    """The people who handle complaints routed to ``province`` ('' = the national office)."""
    if province:
        return User.objects.filter(unit__province=province, role=Role.PROVINCIAL_REVIEWER, is_active=True)
    return User.objects.filter(role=Role.NATIONAL_REVIEWER, is_active=True)


# ---------------------------------------------------------------- submission


def _record(
    *,
    complaint: Complaint,
    action: str,
    actor: Any = None,
    before: str = "",
    text: str = "",
    data: dict[str, Any] | None = None,
) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        from_status=before,
        to_status=complaint.status if before or action == ComplaintAction.RECEIVE else "",
        text=text,
        data=data or {},
    )


def _detail_url(complaint: Complaint) -> str:
    return reverse("complaints:detail", args=[complaint.pk])


@transaction.atomic
def complaint_submit(
    *,
    category: str,
    description: str,
    app_name: str = "",
    filing_number: str = "",
    anonymous: bool = True,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    complainant_province: str = "",
    attachments: Sequence[UploadedFile] = (),
) -> Complaint:
    """Receive a complaint (already validated by ComplaintForm): match, route, start the clock, store the
    files, notify the handling office."""
    match = match_app(app_name=app_name, filing_number=filing_number, province=complainant_province)
    unfiled = (
        category == ComplaintCategory.UNFILED_APP
        or match.how == AppMatch.NONE
        or (match.app is not None and match.app.current_number_id is None)
    )
    province = route(match=match, complainant_province=complainant_province)
    today = timezone.localdate()
    deadline = deadline_for("COMPLAINT", today)
    complaint = Complaint(
        category=category,
        description=description.strip(),
        app_name=app_name.strip(),
        filing_number=filing_number.strip(),
        app=match.app,
        match=match.how,
        candidates=match.candidates,
        unfiled=unfiled,
        complainant_province=complainant_province,
        province=province,
        anonymous=anonymous,
        # An anonymous complainant's contact is not kept even if the form carried some.
        contact_name="" if anonymous else contact_name.strip(),
        contact_phone="" if anonymous else contact_phone.strip(),
        contact_email="" if anonymous else contact_email.strip(),
        due=deadline.due,
        due_provisional=deadline.provisional,
    )
    for _attempt in range(5):
        receipt = new_receipt()
        complaint.receipt_hash = receipt_digest(receipt)
        complaint.receipt_prefix = prefix_of(receipt)
        complaint.case_number = complaint.receipt_hash[:20]  # unique until the number below replaces it
        try:
            with transaction.atomic():
                complaint.save()
            break
        except IntegrityError:  # a receipt collision (one in 2^60): draw again
            complaint.pk = None
    else:
        raise RuntimeError("could not draw a unique receipt code")
    complaint.case_number = case_number_for(complaint)
    Complaint.objects.filter(pk=complaint.pk).update(case_number=complaint.case_number)
    complaint.receipt = receipt
    for upload in attachments:
        store_upload(complaint=complaint, upload=upload)
    _record(
        complaint=complaint,
        action=ComplaintAction.RECEIVE,
        data={
            "match": match.how,
            "candidates": match.candidates,
            "province": province,
            "unfiled": unfiled,
            "due": deadline.due.isoformat(),
            "provisional": deadline.provisional,
        },
    )
    notify(
        recipients=office_staff(province),
        subject=Text.of(
            gettext_noop("New complaint %(case)s: %(app)s"),
            case=complaint.case_number,
            app=complaint.app_label,
        ),
        body=Text.of(
            gettext_noop("Category: %(category)s. Handle it by %(due)s."),
            category=ComplaintCategory(complaint.category).label,
            due=deadline.due.isoformat(),
        ),
        url=_detail_url(complaint),
        due=deadline.due,
    )
    return complaint


def case_number_for(complaint: Complaint) -> str:
    """The staff's reference of a complaint: year received and a serial ("C2026-000123")."""
    return f"C{timezone.localtime(complaint.received_at).year}-{complaint.pk:06d}"


def find_by_receipt(raw: str) -> Complaint | None:
    """The complaint with this receipt code, or None (malformed, unknown or forged codes alike)."""
    receipt = normalise_receipt(raw)
    if receipt is None:
        return None
    return Complaint.objects.filter(
        receipt_prefix=prefix_of(receipt), receipt_hash=receipt_digest(receipt)
    ).first()


# ---------------------------------------------------------------- handling


def visible_complaints(user: Any) -> Any:
    """Complaints a user may see: national reviewers all, a provincial cyberspace office its province's."""
    if not user.is_authenticated:
        return Complaint.objects.none()
    if user.role == Role.NATIONAL_REVIEWER:
        return Complaint.objects.all()
    if user.role == Role.PROVINCIAL_REVIEWER and user.unit_id and user.unit.province:
        return Complaint.objects.filter(province=user.unit.province)
    return Complaint.objects.none()


def _locked(complaint: Complaint, actor: Any) -> Complaint:
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if not actor.has_perm("complaints.handle_complaint", complaint):
        raise PermissionDenied(_("Only the handling office can act on this complaint."))
    return complaint


def _transition(complaint: Complaint, method: str, label: str) -> str:
    before = complaint.status
    try:
        getattr(complaint, method)()
    except TransitionNotAllowed:
        raise WorkflowError(
            _("“%(action)s” is not possible while the complaint is “%(status)s”.")
            % {"action": label, "status": complaint.get_status_display()}
        ) from None
    return before


def _required(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise WorkflowError(message)
    return text


@transaction.atomic
def complaint_assign(*, complaint: Complaint, actor: Any, assignee: Any, note: str = "") -> Complaint:
    complaint = _locked(complaint, actor)
    if not office_staff(complaint.province).filter(pk=getattr(assignee, "pk", None)).exists():
        raise WorkflowError(_("Assign the complaint to a reviewer of the handling office."))
    before = _transition(complaint, "assign", _("Assign"))
    complaint.assigned_to = assignee
    complaint.save()
    _record(
        complaint=complaint,
        action=ComplaintAction.ASSIGN,
        actor=actor,
        before=before,
        text=note.strip(),
        data={"assignee": assignee.pk, "assignee_name": str(assignee)},
    )
    if assignee.pk != actor.pk:
        notify(
            recipients=[assignee],
            subject=Text.of(gettext_noop("Complaint %(case)s assigned to you"), case=complaint.case_number),
            body=Text.of(gettext_noop("Handle it by %(due)s."), due=complaint.due.isoformat()),
            url=_detail_url(complaint),
            due=complaint.due,
        )
    return complaint


@transaction.atomic
def complaint_handle(*, complaint: Complaint, actor: Any, note: str) -> Complaint:
    """An internal note (never shown to the complainant); the first one starts the handling."""
    complaint = _locked(complaint, actor)
    text = _required(note, _("Write the note: what was checked or done."))
    if not complaint.is_open:
        raise WorkflowError(_("The complaint is closed; notes can no longer be added."))
    if complaint.status != ComplaintStatus.IN_HANDLING:
        before = _transition(complaint, "start_handling", _("Handle"))
        if complaint.assigned_to_id is None:
            complaint.assigned_to = actor
        complaint.save()
        _record(complaint=complaint, action=ComplaintAction.START, actor=actor, before=before, text=text)
    else:
        _record(complaint=complaint, action=ComplaintAction.NOTE, actor=actor, text=text)
    return complaint


@transaction.atomic
def complaint_close(*, complaint: Complaint, actor: Any, outcome: str) -> Complaint:
    """Close with an outcome, which is published to the complainant on the tracking page."""
    complaint = _locked(complaint, actor)
    text = _required(
        outcome, _("Write the outcome the complainant will read: what was found and what was done.")
    )
    before = _transition(complaint, "close", _("Close"))
    complaint.outcome = text
    complaint.closed_at = timezone.now()
    complaint.save()
    _record(complaint=complaint, action=ComplaintAction.CLOSE, actor=actor, before=before, text=text)
    return complaint


@transaction.atomic
def complaint_reject(*, complaint: Complaint, actor: Any, reason: str) -> Complaint:
    """Out of scope (e.g. a public account, not an app): the reason is published as the outcome."""
    complaint = _locked(complaint, actor)
    text = _required(
        reason, _("Give the reason why the complaint is out of scope; the complainant will read it.")
    )
    before = _transition(complaint, "reject", _("Reject as out of scope"))
    complaint.outcome = text
    complaint.closed_at = timezone.now()
    complaint.save()
    _record(complaint=complaint, action=ComplaintAction.REJECT, actor=actor, before=before, text=text)
    return complaint


# The article of the Measures a complaint category points at (prefilled; the handler may change it).
ARTICLE_OF_CATEGORY: dict[str, str] = {ComplaintCategory.UNFILED_APP: "5"}
DEFAULT_ARTICLE = "13"


def article_for(category: str) -> str:
    """The article, as the handler reads it (第十三条 / Art. 13); the order stores its reference."""
    from govapp.supervision.enforcement.articles import article_text

    return article_text(ARTICLE_OF_CATEGORY.get(category, DEFAULT_ARTICLE))


@transaction.atomic
def complaint_order_rectification(
    *,
    complaint: Complaint,
    actor: Any,
    finding: str,
    required_actions: str,
    article: str,
    workdays: int | None = None,
    confirm_duplicate: bool = False,
) -> Any:
    """The complaint is founded: a rectification order (supervision) for the app, the finding as its text.

    The unit receives the finding only: neither the receipt (with which it could follow the case), nor
    the complainant, nor the contact reach the order. Returns the RectificationOrder.
    """
    from govapp.supervision.enforcement.rectification import rectification_order_issue

    complaint = _locked(complaint, actor)
    text = _required(finding, _("Write the finding the unit must rectify."))
    for name, written in (("finding", text), ("required_actions", required_actions)):
        if identity_in(written, complaint):
            # The unit, the authorities and the public read the order: the complainant must not be named.
            raise WorkflowError(
                _("The text names the complainant or gives their contact; the unit would read it. Write it "
                  "without the complainant's name, telephone number or e-mail address."),
                items=[Deficiency(name, _("finding") if name == "finding" else _("required actions"),
                                  _("Remove the complainant's name and contact."))],
            )  # fmt: skip
    if not complaint.is_open:
        raise WorkflowError(_("The complaint is closed; open a new case to order rectification."))
    app = complaint.app
    if app is None:
        raise WorkflowError(
            _("This complaint is not linked to an app of the register, so no rectification can be ordered.")
        )
    order = rectification_order_issue(
        app=app,
        actor=actor,
        source="complaint",
        findings=[{"category": complaint.category, "description": text}],
        required_actions=required_actions,
        article=article,
        workdays=workdays,
        complaint=complaint,
        confirm_duplicate=confirm_duplicate,
    )
    before = ""
    if complaint.status != ComplaintStatus.IN_HANDLING:
        before = _transition(complaint, "start_handling", _("Order rectification"))
        if complaint.assigned_to_id is None:
            complaint.assigned_to = actor
        complaint.save()
    _record(
        complaint=complaint, action=ComplaintAction.ORDER_RECTIFICATION, actor=actor, before=before, text=text,
        data={"app": app.pk, "order": order.pk, "order_reference": order.reference, "due": order.due.isoformat()},
    )  # fmt: skip
    return order


# ---------------------------------------------------------------- time rule and risk


def complaints_mark_overdue(*, today: dt.date | None = None) -> int:
    """Time rule: an open complaint past its due date is flagged once (event + notice to the office)."""
    today = today or timezone.localdate()
    count = 0
    pks = list(
        Complaint.objects.open()
        .filter(due__lt=today, overdue_flagged_at__isnull=True)
        .values_list("pk", flat=True)
    )
    for pk in pks:
        with transaction.atomic():
            complaint = Complaint.objects.select_for_update().get(pk=pk)
            if not complaint.is_open or complaint.overdue_flagged_at is not None or complaint.due >= today:
                continue
            complaint.overdue_flagged_at = timezone.now()
            complaint.save(update_fields=["overdue_flagged_at"])
            _record(
                complaint=complaint,
                action=ComplaintAction.OVERDUE,
                data={"due": complaint.due.isoformat(), "flagged_on": today.isoformat()},
            )
            recipients: list[Any] = list(office_staff(complaint.province))
            if complaint.assigned_to is not None:
                recipients.append(complaint.assigned_to)
            notify(
                recipients=recipients,
                subject=Text.of(gettext_noop("Complaint %(case)s is overdue"), case=complaint.case_number),
                body=Text.of(
                    gettext_noop("It was due on %(due)s and is still open."), due=complaint.due.isoformat()
                ),
                url=_detail_url(complaint),
                due=complaint.due,
            )
            count += 1
    return count


def open_complaint_counts(app_ids: Iterable[int]) -> dict[int, int]:
    """Open complaints per app (apps without any are absent): a risk signal for spot checks."""
    ids = list(app_ids)
    if not ids:
        return {}
    rows = (
        Complaint.objects.filter(app_id__in=ids, status__in=OPEN_STATUSES)
        .values("app_id")
        .annotate(n=Count("pk"))
        .values_list("app_id", "n")
    )
    return {app_id: n for app_id, n in rows}


def open_complaint_cases(app_id: int) -> dict[str, list[str]]:
    """Case numbers of an app's open complaints by category: what a self-inspection answer may contradict."""
    found: dict[str, list[str]] = {}
    rows = Complaint.objects.filter(app_id=app_id, status__in=OPEN_STATUSES).values_list(
        "category", "case_number"
    )
    for category, case_number in rows:
        found.setdefault(category, []).append(case_number)
    return found
