"""The signed-in home page (the work queue of each role) and the notification inbox."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from govapp.accounts.auth import signed_in_user
from govapp.accounts.models import Role
from govapp.core.calendar import countdown
from govapp.core.clocks import page_clocks
from govapp.core.models import Notification
from govapp.registry.assignment import workload
from govapp.registry.choices import TERMINAL, FilingState
from govapp.registry.models import App
from govapp.registry.services import visible_apps, visible_filings
from govapp.registry.views.clock import deregistration_clock, filing_clock
from govapp.registry.views.queue import worklist_context

from . import queues as supervision
from .context_processors import AUTHORITY_FUNCTIONS


def _rows(filings: Any) -> list[dict[str, Any]]:
    return [{"filing": f, "clock": filing_clock(f)} for f in filings]


def _by_due(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Oldest due first; filings without a running clock last."""
    return sorted(
        rows, key=lambda r: (r["clock"] is None, r["clock"].due if r["clock"] else None, r["filing"].pk)
    )


def _filer_queue(user: Any) -> dict[str, Any]:
    open_filings = (
        visible_filings(user).exclude(state__in=[*TERMINAL, FilingState.FILED]).order_by("-created_at", "-pk")
    )
    rows = _rows(open_filings)
    todo_states = (FilingState.DRAFT, FilingState.RETURNED, FilingState.AWAITING_SUPPLEMENT)
    apps = visible_apps(user).select_related("current_number").order_by("name", "pk")
    shutdowns: list[dict[str, Any]] = [
        {"app": a, "clock": deregistration_clock(a)} for a in apps if a.state == App.State.SHUTDOWN_NOTICED
    ]
    return {
        "todo": _by_due([r for r in rows if r["filing"].state in todo_states]),
        "waiting": _by_due([r for r in rows if r["filing"].state not in todo_states]),
        "apps": apps,
        "rectifying": [a for a in apps if a.state == App.State.RECTIFYING],
        "shutdowns": shutdowns,
        "can_file": user.has_perm("registry.file_app"),
    }


# A home page shows one work list with filters and pages; a second list shows its first rows and links on.
SIDE_LIST_ROWS = 10


def _provincial_queue(request: HttpRequest, user: Any) -> dict[str, Any]:
    filings = visible_filings(user).filter(state=FilingState.PROVINCIAL_REVIEW)
    return {**worklist_context(request, filings), "workload": workload(user, filings)}


def _national_queue(request: HttpRequest, user: Any) -> dict[str, Any]:
    filings = visible_filings(user)
    awaiting = (
        filings.filter(state=FilingState.AWAITING_SUPPLEMENT)
        .select_related("app__unit")
        .order_by(F("clock_due").asc(nulls_last=True), "pk")
    )
    return {
        **worklist_context(request, filings.filter(state=FilingState.NATIONAL_REVIEW)),
        "workload": workload(user, filings.filter(state=FilingState.NATIONAL_REVIEW)),
        "awaiting": _rows(awaiting[:SIDE_LIST_ROWS]),
        "awaiting_count": awaiting.count(),
        **_rectifying(user),
    }


def _rectifying(user: Any) -> dict[str, Any]:
    """The first apps under rectification and how many there are (a national list runs to thousands)."""
    apps = visible_apps(user).filter(state=App.State.RECTIFYING).select_related("unit", "current_number")
    return {
        "rectifying": list(apps.order_by("name", "pk")[:SIDE_LIST_ROWS]),
        "rectifying_count": apps.count(),
    }


def _inspector_queue(request: HttpRequest, user: Any) -> dict[str, Any]:
    return worklist_context(request, visible_filings(user).filter(state=FilingState.NATIONAL_REVIEW))


@login_required
@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    role = user.role
    today = timezone.localdate()
    context: dict[str, Any] = {"role": role, "today": today}
    if user.unit is not None and user.unit.function in AUTHORITY_FUNCTIONS:
        context.update(supervision.authority_items(user))
        template = "portal/home_authority.html"
    elif role == Role.FILER and user.unit_id:
        context.update(_filer_queue(user))
        context.update(supervision.filer_items(user, today))
        template = "portal/home_filer.html"
    elif role in (Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_COREVIEWER):
        context.update(_provincial_queue(request, user))
        context.update(supervision.provincial_items(user, today))
        template = "portal/home_provincial.html"
    elif role == Role.NATIONAL_REVIEWER:
        context.update(_national_queue(request, user))
        context.update(supervision.national_items(user, today))
        template = "portal/home_national.html"
    elif role == Role.INSPECTOR:
        context.update(_inspector_queue(request, user))
        context.update(supervision.inspector_items(user, today))
        template = "portal/home_inspector.html"
    else:
        context.update(supervision.admin_items(today))
        template = "portal/home_admin.html"
    return render(request, template, context)


def _notification_rows(notifications: Any) -> list[dict[str, Any]]:
    notifications = list(notifications)
    running = page_clocks(note.url for note in notifications if note.due and note.read_at is None)
    rows = []
    for note in notifications:
        # The clock of the page the entry links to, while it runs; a finished step stops counting.
        due = running.get(note.url, note.due) if note.due and note.read_at is None else None
        clock = countdown(due) if due else None
        rows.append(
            {
                "note": note,
                "left": clock.days_left if clock else None,
                "overdue": bool(clock and clock.overdue),
                "overdue_days": clock.overdue_days if clock else 0,
                "provisional": bool(clock and clock.provisional),
            }
        )
    return rows


# Inbox kinds: what a notification is about, told by the area of the page it links to (a notification
# stores its link, not a kind).
INBOX_KINDS: tuple[tuple[str, str, Any], ...] = (
    ("filing", "/filings/", gettext_lazy("Filings")),
    ("inspection", "/inspection/", gettext_lazy("Technical test")),
    ("supervision", "/supervision/", gettext_lazy("Supervision")),
    ("complaint", "/complaints/", gettext_lazy("Complaints")),
)


@login_required
@require_http_methods(["GET"])
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = signed_in_user(request).notifications.all()
    unread = request.GET.get("unread") == "1"
    kind = request.GET.get("kind", "")
    case = request.GET.get("case", "").replace("\x00", "")[:300]
    if unread:
        notifications = notifications.filter(read_at__isnull=True)
    prefixes = {name: prefix for name, prefix, _label in INBOX_KINDS}
    if kind in prefixes:
        notifications = notifications.filter(url__startswith=prefixes[kind])
    else:
        kind = ""
    if case.startswith("/"):
        notifications = notifications.filter(url=case)
    else:
        case = ""
    notifications = notifications.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-pk")
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "portal/inbox.html",
        {
            "page": page,
            "rows": _notification_rows(page.object_list),
            "kinds": [(name, label) for name, _prefix, label in INBOX_KINDS],
            "filters": {"unread": unread, "kind": kind, "case": case},
            "query": params.urlencode(),
        },
    )


@login_required
@require_POST
def inbox_read(request: HttpRequest, pk: int) -> HttpResponse:
    # Someone else's notification is as good as absent.
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("portal:inbox")


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    count = signed_in_user(request).notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, _("%(n)d notification(s) marked as read.") % {"n": count})
    return redirect("portal:inbox")
