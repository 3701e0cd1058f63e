"""Rectification orders (整改通知): issue, answer (with re-test), accept / reject, extensions, overdue, revoke.

Every write is atomic, permission-checked, records a ``SupervisionEvent`` and notifies. The app's own
state moves only through ``registry.services`` (rectifying / filed / revoked).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import TransitionNotAllowed

from govapp.core.calendar import Deadline, deadline_for
from govapp.core.notify import notify
from govapp.core.translatable import Text
from govapp.registry import services as registry
from govapp.registry.materials import Deficiency
from govapp.registry.models import App
from govapp.registry.services import WorkflowError
from govapp.registry.workflow import provincial_reviewers

from .articles import split_article
from .findings import clean_findings
from .models import (
    OPEN_ORDER_STATES,
    RUNNING_ORDER_STATES,
    ExtensionRequest,
    OrderSource,
    RectificationAnswer,
    RectificationOrder,
    SupervisionAction,
    SupervisionEvent,
)

LIMIT = "RECTIFY"
DEFAULT_WORKDAYS = 15
MAX_WORKDAYS = 120
# Supporting documents of an answer: small scans of a statement, by magic bytes.
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
_ATTACHMENT_MAGIC = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def _today() -> dt.date:
    return timezone.localdate()


def default_workdays() -> int:
    return int(settings.GOVAPP_LIMITS.get(LIMIT, DEFAULT_WORKDAYS))


def rectification_deadline(start: dt.date, workdays: int) -> Deadline:
    """``workdays`` working days after ``start``; a year without official data is estimated (provisional)."""
    if workdays < 1:
        raise ValueError(f"A rectification deadline needs at least one working day, got {workdays}")
    return deadline_for(LIMIT, start, days=workdays)


# ---------------------------------------------------------------- permissions


def can_issue(user: Any, app: App) -> bool:
    """National reviewers for any app, provincial reviewers for apps of their province."""
    return bool(
        user.has_perm("registry.review_national", app) or user.has_perm("registry.review_provincial", app)
    )


def can_decide(user: Any, order: RectificationOrder) -> bool:
    """Reject answers and decide extensions: the national office, or the order's province."""
    return can_issue(user, order.app)


def can_accept(user: Any, order: RectificationOrder) -> bool:
    # registry.services.app_accept_rectification returns the app to "filed" for national reviewers only.
    return bool(user.has_perm("registry.review_national", order.app))


def can_answer(user: Any, order: RectificationOrder) -> bool:
    return bool(user.has_perm("registry.edit_filing", order.app))


def can_revoke(user: Any, app: App) -> bool:
    return bool(user.has_perm("registry.review_national", app))


def _issuing_office(order: RectificationOrder) -> Any:
    """The provincial office whose reviewer issued the order: it follows the order up (none for national orders)."""
    issuer = order.issued_by
    unit = issuer.unit if issuer is not None and issuer.is_provincial_role else None
    if unit is None or not unit.province:
        return []
    return list(provincial_reviewers(unit.province))


def _order_url(order: RectificationOrder) -> str:
    return reverse("supervision:order_detail", args=[order.pk])


def _event(
    *, order: RectificationOrder, action: str, actor: Any, from_state: str = "", reason: str = "",
    data: dict[str, Any] | None = None,
) -> SupervisionEvent:  # fmt: skip
    return SupervisionEvent.objects.create(
        app_id=order.app_id, order=order, action=action, actor=actor if getattr(actor, "pk", None) else None,
        from_state=from_state, to_state=order.state, reason=reason, data=data or {},
    )  # fmt: skip


def _move(order: RectificationOrder, method: str, label: str) -> str:
    before = order.state
    try:
        getattr(order, method)()
    except TransitionNotAllowed:
        raise WorkflowError(
            _("“%(action)s” is not possible while the order is “%(state)s”.")
            % {"action": label, "state": order.get_state_display()}
        ) from None
    return before


def _lock(order: RectificationOrder) -> RectificationOrder:
    return (
        RectificationOrder.objects.select_for_update(of=("self",))
        .select_related("app__unit")
        .get(pk=order.pk)
    )


# ---------------------------------------------------------------- issue


def _refuse_duplicate(*, app: App, case: str, categories: set[str]) -> None:
    """One complaint, one order per category: a second identical order is almost always a double click
    or a second handler, and the unit would have to answer both."""
    for order in RectificationOrder.objects.open().filter(app=app, complaint_case=case).order_by("pk"):
        if categories & {str(f.get("category")) for f in order.findings}:
            raise WorkflowError(
                _(
                    "Rectification order %(ref)s for this app and category from complaint %(case)s is still "
                    "open (due %(due)s). Tick “issue another order anyway” only if a second order is meant."
                )
                % {"ref": order.reference, "case": case, "due": date_format(order.due, "DATE_FORMAT")},
                items=[
                    Deficiency(
                        "confirm_duplicate",
                        _("issue another order anyway"),
                        _("An open order for the same complaint and category exists."),
                    )
                ],
            )


@transaction.atomic
def rectification_order_issue(
    *,
    app: App,
    actor: Any,
    source: str,
    findings: Sequence[dict[str, Any]],
    required_actions: str,
    article: str,
    article_note: str = "",
    workdays: int | None = None,
    complaint: Any = None,
    scan: Any = None,
    confirm_duplicate: bool = False,
) -> RectificationOrder:
    """Order the unit of a filed app to rectify within working days; the first open order moves the app
    to "rectifying". Notifies the unit's filers. ``complaint`` may be a Complaint (its case number is kept,
    never its receipt code) or a case number; ``scan`` an inspection Scan whose id is recorded. A second
    open order for the same app, complaint and category is refused unless ``confirm_duplicate``."""
    app = App.objects.select_for_update(of=("self",)).select_related("unit").get(pk=app.pk)
    if not can_issue(actor, app):
        raise PermissionDenied(
            _("Only the national office or the app's provincial reviewers can order rectification.")
        )
    if source not in OrderSource.values:
        raise WorkflowError(_("Unknown source “%(source)s” of a rectification order.") % {"source": source})
    items: list[Deficiency] = []
    if not required_actions.strip():
        items.append(
            Deficiency("required_actions", _("required actions"), _("Say what the unit must change."))
        )
    # The article is data: "13.2" (or text naming it, "Art. 13(2)", "第十三条第二项"); other words are a note.
    article_ref, extra = split_article(article)
    note = "；".join(part for part in (extra, article_note.strip()) if part)
    if article_ref is None:
        items.append(
            Deficiency("article", _("article breached"), _("Choose the article of the Measures breached."))
        )
    if items:
        raise WorkflowError(_("The order is incomplete; fill in every marked field."), items=items)
    cleaned = clean_findings(findings, article=article_ref or "")
    days = default_workdays() if workdays is None else workdays
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_WORKDAYS:
        raise WorkflowError(
            _("The deadline must be between 1 and %(max)d working days.") % {"max": MAX_WORKDAYS},
            items=[Deficiency("workdays", _("working days"), _("Enter a whole number from 1 to %(max)d.")
                              % {"max": MAX_WORKDAYS})],
        )  # fmt: skip
    case = str(getattr(complaint, "case_number", complaint) or "")[:40]
    if case and not confirm_duplicate:
        _refuse_duplicate(app=app, case=case, categories={f["category"] for f in cleaned})
    if app.state not in (App.State.FILED, App.State.RECTIFYING):
        raise WorkflowError(
            _("Rectification can be ordered only for a filed app; this app is “%(state)s”.")
            % {"state": app.get_state_display()}
        )
    today = _today()
    deadline = rectification_deadline(today, days)
    order = RectificationOrder.objects.create(
        app=app, source=source, findings=cleaned, required_actions=required_actions.strip(),
        article_ref=article_ref or "", article_note=note[:200],
        workdays=days, issued_on=today, due=deadline.due, due_provisional=deadline.provisional, issued_by=actor,
        complaint_case=case, scan=scan if getattr(scan, "pk", None) else None,
    )  # fmt: skip
    summary = _("; ").join(f["description"] for f in cleaned)  # "；" in Chinese text
    reason = _("Rectification order %(ref)s: %(summary)s") % {"ref": order.reference, "summary": summary}
    if app.state == App.State.FILED:
        # The registry notifies the unit's filers of the first order; later orders are notified below.
        registry.app_order_rectification(
            app=app, actor=actor, reason=reason, data={"order": order.pk, "due": deadline.due.isoformat()}
        )
    else:
        notify(
            recipients=registry.unit_filers(app.unit),
            subject=Text.of(gettext_noop("Rectification ordered: %(app)s"), app=app.name),
            body=Text.of(
                gettext_noop("Rectification order %(ref)s: %(summary)s"), ref=order.reference, summary=summary
            ),
            url=_order_url(order),
            due=deadline.due,
        )
    _event(
        order=order, action=SupervisionAction.ISSUE, actor=actor, reason=required_actions.strip(),
        data={"due": deadline.due.isoformat(), "workdays": days, "provisional": deadline.provisional,
              "source": source, "complaint": order.complaint_case, "scan": order.scan_id},
    )  # fmt: skip
    return order


# ---------------------------------------------------------------- the unit answers


def _read_attachment(uploaded: UploadedFile) -> tuple[bytes, str]:
    name = (uploaded.name or "document").rsplit("/", 1)[-1][:255]
    if uploaded.size is not None and uploaded.size > ATTACHMENT_MAX_BYTES:
        raise WorkflowError(
            _("%(name)s is larger than the limit of 10 MB for a supporting document.") % {"name": name},
            items=[Deficiency("attachment", _("supporting document"), _("Upload a file of at most 10 MB."))],
        )
    data = uploaded.read(ATTACHMENT_MAX_BYTES + 1)
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise WorkflowError(
            _("%(name)s is larger than the limit of 10 MB for a supporting document.") % {"name": name}
        )
    if not any(data.startswith(magic) for magic in _ATTACHMENT_MAGIC):
        raise WorkflowError(
            _("%(name)s is not a PDF, PNG or JPEG file.") % {"name": name},
            items=[Deficiency("attachment", _("supporting document"), _("Upload a PDF, PNG or JPEG file."))],
        )
    return data, name


@transaction.atomic
def rectification_answer(
    *,
    order: RectificationOrder,
    actor: Any,
    statement: str,
    package_file: UploadedFile | None = None,
    attachment: UploadedFile | None = None,
) -> RectificationAnswer:
    """The unit states what it changed; a new package is stored and re-tested (the scan runs on the worker)."""
    from django.core.files.base import ContentFile

    from govapp.inspection.models import Scan
    from govapp.inspection.services import package_store, scan_create

    order = _lock(order)
    if not can_answer(actor, order):
        raise PermissionDenied(_("Only a filer of the sponsoring unit can answer a rectification order."))
    if not statement.strip():
        raise WorkflowError(
            _("Describe what was rectified."),
            items=[Deficiency("statement", _("rectification statement"), _("This field is required."))],
        )
    before = _move(order, "answer", _("Answer"))
    content = name = ""
    data: bytes = b""
    if attachment is not None:
        data, name = _read_attachment(attachment)
        content = hashlib.sha256(data).hexdigest()
    package = scan = None
    if package_file is not None:
        package = package_store(uploaded_file=package_file)
        filing = order.app.approved_filing
        if Scan.objects.filter(package=package, filing=filing).exists():
            # The approval's decisions on that package would otherwise excuse the re-test.
            raise WorkflowError(
                _(
                    "This package was already tested for the filing; upload the package built after the rectification."
                ),
                items=[Deficiency("package", _("rectified package"), _("Upload a new package."))],
            )
        scan = scan_create(
            package=package, filing=filing, actor=actor, reason=Scan.Reason.RESCAN, allow_reuse=True
        )
    order.save()
    answer = RectificationAnswer(
        order=order, statement=statement.strip(), package=package, scan=scan, submitted_by=actor,
        attachment_name=name, attachment_sha256=content,
    )  # fmt: skip
    if data:
        answer.attachment.save(name, ContentFile(data), save=False)
    answer.save()
    _event(
        order=order, action=SupervisionAction.ANSWER, actor=actor, from_state=before, reason=statement.strip(),
        data={"answer": answer.pk, "package": package.sha256 if package else "", "scan": scan.pk if scan else None},
    )  # fmt: skip
    notify(
        recipients=_deciders(order),
        subject=Text.of(gettext_noop("Rectification answered: %(app)s"), app=order.app.name),
        body=statement.strip()[:500],
        url=_order_url(order),
    )
    return answer


def _deciders(order: RectificationOrder) -> Any:
    """Who decides on the order: the issuer's level (the province for provincial orders) and the national office."""
    people = list(registry.national_reviewers())
    if order.issued_by.is_provincial_role and order.app.unit.province:
        people += list(registry.provincial_reviewers(order.app.unit.province))
    return people


# ---------------------------------------------------------------- decisions


@transaction.atomic
def rectification_accept(*, order: RectificationOrder, actor: Any, note: str = "") -> RectificationOrder:
    """Closed as rectified; when no open order remains the app is filed again (no longer rectifying)."""
    order = _lock(order)
    if not can_accept(actor, order):
        raise PermissionDenied(_("Only the national office can accept a rectification."))
    from govapp.inspection.verdicts import retest_blocker

    answer = order.latest_answer()
    retest = answer.scan if answer is not None else None
    if retest is not None:
        retest.refresh_from_db()
    blocker = retest_blocker(order_scan=order.scan, retest=retest)
    if blocker:
        raise WorkflowError(blocker)
    before = _move(order, "accept", _("Accept"))
    order.closed_at = timezone.now()
    order.save()
    _event(order=order, action=SupervisionAction.ACCEPT, actor=actor, from_state=before, reason=note.strip())
    app = App.objects.select_for_update().get(pk=order.app_id)
    if (
        app.state == App.State.RECTIFYING
        and not app.rectification_orders.filter(state__in=OPEN_ORDER_STATES).exists()
    ):
        registry.app_accept_rectification(app=app, actor=actor, note=note.strip() or order.reference)
    notify(
        recipients=registry.unit_filers(order.app.unit),
        subject=Text.of(gettext_noop("Rectification accepted: %(app)s"), app=order.app.name),
        body=note.strip()
        or Text.of(gettext_noop("The rectification of order %(ref)s is accepted."), ref=order.reference),
        url=_order_url(order),
    )
    return order


@transaction.atomic
def rectification_reject(
    *, order: RectificationOrder, actor: Any, reasons: str, new_due: dt.date | None = None
) -> RectificationOrder:
    """Back to the unit with reasons; the due date moves only if the reviewer grants a new one."""
    order = _lock(order)
    if not can_decide(actor, order):
        raise PermissionDenied(_("You may not decide on this rectification order."))
    if not reasons.strip():
        raise WorkflowError(
            _("Say why the rectification is not sufficient."),
            items=[Deficiency("reasons", _("reasons"), _("This field is required."))],
        )
    today = _today()
    if new_due is not None and new_due <= today:
        raise WorkflowError(
            _("A new due date must be after today (%(today)s).") % {"today": today.isoformat()},
            items=[Deficiency("new_due", _("new due date"), _("Choose a date after today."))],
        )
    before = _move(order, "reject", _("Reject"))
    old_due = order.due
    if new_due is not None:
        order.due = new_due
        order.due_provisional = False
    order.save()
    _event(
        order=order, action=SupervisionAction.REJECT, actor=actor, from_state=before, reason=reasons.strip(),
        data={"old_due": old_due.isoformat(), "due": order.due.isoformat()},
    )  # fmt: skip
    notify(
        recipients=registry.unit_filers(order.app.unit),
        subject=Text.of(gettext_noop("Rectification not accepted: %(app)s"), app=order.app.name),
        body=reasons.strip(),
        url=_order_url(order),
        due=order.due,
    )
    return order


@transaction.atomic
def extension_request(
    *, order: RectificationOrder, actor: Any, reason: str, wanted_due: dt.date
) -> ExtensionRequest:
    order = _lock(order)
    if not can_answer(actor, order):
        raise PermissionDenied(_("Only a filer of the sponsoring unit can ask for more time."))
    if order.state not in RUNNING_ORDER_STATES:
        raise WorkflowError(
            _("More time can be asked only while the order awaits the unit's answer; it is “%(state)s”.")
            % {"state": order.get_state_display()}
        )
    items: list[Deficiency] = []
    if not reason.strip():
        items.append(Deficiency("reason", _("reason"), _("Say why more time is needed.")))
    if wanted_due <= order.due:
        items.append(
            Deficiency("wanted_due", _("requested due date"),
                       _("Choose a date after the current due date %(due)s.") % {"due": order.due.isoformat()})
        )  # fmt: skip
    if items:
        raise WorkflowError(_("The request is incomplete; fill in every marked field."), items=items)
    if order.pending_extension() is not None:
        raise WorkflowError(_("A request for more time is already waiting for a decision."))
    request = ExtensionRequest.objects.create(
        order=order, reason=reason.strip(), wanted_due=wanted_due, requested_by=actor
    )
    _event(
        order=order, action=SupervisionAction.EXTENSION_REQUEST, actor=actor, from_state=order.state,
        reason=reason.strip(), data={"request": request.pk, "wanted_due": wanted_due.isoformat()},
    )  # fmt: skip
    notify(
        recipients=_deciders(order),
        subject=Text.of(gettext_noop("More time requested: %(app)s"), app=order.app.name),
        body=reason.strip(),
        url=_order_url(order),
    )
    return request


@transaction.atomic
def extension_decide(
    *, request: ExtensionRequest, actor: Any, grant: bool, note: str = "", due: dt.date | None = None
) -> ExtensionRequest:
    """Grant (new due date: the one asked for unless ``due`` says otherwise) or refuse."""
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    order = _lock(request.order)
    if not can_decide(actor, order):
        raise PermissionDenied(_("You may not decide on this rectification order."))
    if request.status != ExtensionRequest.Status.PENDING:
        raise WorkflowError(_("This request was already decided."))
    if order.state not in RUNNING_ORDER_STATES:
        raise WorkflowError(
            _("The order is “%(state)s”; its deadline no longer runs.") % {"state": order.get_state_display()}
        )
    if not grant and not note.strip():
        raise WorkflowError(
            _("Say why the request is refused."),
            items=[Deficiency("note", _("decision note"), _("This field is required when refusing."))],
        )
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    old_due = order.due
    if grant:
        new_due = due or request.wanted_due
        if new_due <= _today() or new_due <= order.due:
            raise WorkflowError(
                _("The new due date must be after today and after the current due date %(due)s.")
                % {"due": order.due.isoformat()},
                items=[Deficiency("due", _("new due date"), _("Choose a later date."))],
            )
        request.status = ExtensionRequest.Status.GRANTED
        request.granted_due = new_due
        order.due = new_due
        order.due_provisional = False
        order.save()
    else:
        request.status = ExtensionRequest.Status.REFUSED
    request.save()
    _event(
        order=order,
        action=SupervisionAction.EXTENSION_GRANT if grant else SupervisionAction.EXTENSION_REFUSE,
        actor=actor, from_state=order.state, reason=note.strip(),
        data={"request": request.pk, "old_due": old_due.isoformat(), "due": order.due.isoformat()},
    )  # fmt: skip
    notify(
        recipients=registry.unit_filers(order.app.unit),
        subject=Text.of(
            gettext_noop("More time granted: %(app)s")
            if grant
            else gettext_noop("More time refused: %(app)s"),
            app=order.app.name,
        ),
        body=note.strip() or Text.of(gettext_noop("New due date: %(due)s"), due=order.due.isoformat()),
        url=_order_url(order),
        due=order.due,
    )
    return request


# ---------------------------------------------------------------- overdue and revocation


def rectification_mark_overdue(*, today: dt.date | None = None) -> int:
    """Time rule "rectification_overdue": orders past their due date become overdue once; notifies the
    national office, the unit and the provincial office that issued the order. Returns how many orders changed (0 on a second run)."""
    today = today or _today()
    changed = 0
    candidates = RectificationOrder.objects.filter(state__in=RUNNING_ORDER_STATES, due__lt=today).values_list(
        "pk", flat=True
    )
    for pk in list(candidates):
        with transaction.atomic():
            order = (
                RectificationOrder.objects.select_for_update(of=("self",))
                .select_related("app__unit")
                .get(pk=pk)
            )
            if not order.is_past_due(today):
                continue  # answered or extended since the query
            before = _move(order, "mark_overdue", _("Mark overdue"))
            order.save()
            _event(
                order=order, action=SupervisionAction.OVERDUE, actor=None, from_state=before,
                reason=_("Not rectified by %(due)s.") % {"due": order.due.isoformat()},
                data={"due": order.due.isoformat(), "today": today.isoformat()},
            )  # fmt: skip
            notify(
                recipients=[
                    *registry.national_reviewers(),
                    *registry.unit_filers(order.app.unit),
                    *_issuing_office(order),
                ],  # fmt: skip
                subject=Text.of(gettext_noop("Rectification overdue: %(app)s"), app=order.app.name),
                body=Text.of(
                    gettext_noop(
                        "Order %(ref)s was due on %(due)s and has not been answered. The national office decides "
                        "whether to revoke the filing."
                    ),
                    ref=order.reference,
                    due=order.due.isoformat(),
                ),
                url=_order_url(order),
            )
            changed += 1
    return changed


def rectification_revoke(*, order: RectificationOrder, actor: Any, reason: str) -> App:
    """The national office revokes the filing over an unrectified order; open orders close and the
    suspension notices go out (``supervision.enforcement.suspension``, on the registry's revoke event)."""
    order = RectificationOrder.objects.select_related("app").get(pk=order.pk)
    if not can_revoke(actor, order.app):
        raise PermissionDenied(_("Only the national office can revoke a filing."))
    if not order.is_open:
        raise WorkflowError(
            _("This order is “%(state)s”; revocation follows only from an open order.")
            % {"state": order.get_state_display()}
        )
    text = reason.strip()
    if text:
        text = _("%(reason)s (rectification order %(ref)s)") % {"reason": text, "ref": order.reference}
    return registry.app_revoke(app=order.app, actor=actor, reason=text)


def close_orders_by_revocation(*, app: App, actor: Any, reason: str) -> list[RectificationOrder]:
    """Called inside the revocation: every open order of the app ends as "revoked"."""
    closed: list[RectificationOrder] = []
    for order in RectificationOrder.objects.select_for_update().filter(app=app, state__in=OPEN_ORDER_STATES):
        before = _move(order, "close_by_revocation", _("Revoke the filing"))
        order.closed_at = timezone.now()
        order.save()
        _event(order=order, action=SupervisionAction.REVOKE, actor=actor, from_state=before, reason=reason)
        closed.append(order)
    return closed
