"""Pages of the legacy-app deadline: overdue lists with exports, single entry, spreadsheet import, the
legacy app page and "start filing".

Deny by default: a legacy app the user may not see is 404, an action the user may not take is 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from govapp.accounts.auth import signed_in_user
from govapp.accounts.divisions import BY_CODE
from govapp.accounts.models import Role
from govapp.registry.services import WorkflowError
from govapp.registry.views.access import explain_denials

from . import excel as legacy_excel
from . import services as legacy
from .forms import ImportForm, LegacyAppForm, LegacyFilterForm
from .models import LEGACY_DEADLINE, LegacyApp


def _require_list(request: HttpRequest) -> None:
    if not legacy.can_list(request.user):
        raise PermissionDenied(
            _("Legacy-app lists are for units, provincial offices and the national office.")
        )


def _require_register(request: HttpRequest) -> None:
    if not legacy.can_register(request.user):
        raise PermissionDenied(_("Only unit filers and provincial offices can register legacy apps."))


def _visible(request: HttpRequest, pk: int) -> legacy.LegacyWithStatus:
    found = legacy.with_status(legacy.visible_legacy(request.user), request.user).filter(pk=pk).first()
    if found is None:
        get_object_or_404(LegacyApp, pk=pk)  # 404 either way: never reveal that the row exists
        raise Http404(_("No such legacy app."))
    return found


def _filtered(request: HttpRequest) -> tuple[QuerySet[legacy.LegacyWithStatus], LegacyFilterForm]:
    form = LegacyFilterForm(request.GET or None)
    rows = legacy.with_status(legacy.visible_legacy(request.user), request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            rows = rows.filter(status=data["status"])
        if data["province"] == "central":
            rows = rows.filter(unit__province="")
        elif data["province"]:
            rows = rows.filter(unit__province=data["province"])
        if data["unit"]:
            rows = rows.filter(unit_id=data["unit"])
        if data["q"]:
            q = data["q"].strip()
            rows = rows.filter(
                Q(name__icontains=q) | Q(unit__name__icontains=q) | Q(android_package__icontains=q)
                | Q(harmony_bundle__icontains=q) | Q(miniprogram_appid__icontains=q)
            )  # fmt: skip
    return rows, form


def _summary(rows: QuerySet[legacy.LegacyWithStatus], *, by: str) -> list[dict[str, Any]]:
    """Counts per province (``by="province"``) or per unit (``by="unit"``), most not-started first."""
    keys = ["unit__province"] if by == "province" else ["unit_id", "unit__name", "unit__province"]
    counted = (
        rows.order_by()
        .values(*keys)
        .annotate(
            total=Count("pk"),
            filed=Count("pk", filter=Q(status=legacy.STATUS_FILED)),
            in_progress=Count("pk", filter=Q(status=legacy.STATUS_IN_PROGRESS)),
            not_started=Count("pk", filter=Q(status=legacy.STATUS_NOT_STARTED)),
        )
    )
    result = []
    for row in counted:
        code = row["unit__province"]
        row["province_code"] = code or "central"
        row["province_name"] = BY_CODE[code].name if code else _("Central")
        result.append(row)
    return sorted(result, key=lambda r: (-r["not_started"], -r["in_progress"], str(r.get("unit__name", ""))))


@login_required
@explain_denials
@require_GET
def legacy_list(request: HttpRequest) -> HttpResponse:
    _require_list(request)
    user = signed_in_user(request)
    rows, form = _filtered(request)
    national = user.role in (Role.NATIONAL_REVIEWER, Role.INSPECTOR)
    province_chosen = bool(form.is_valid() and form.cleaned_data["province"])
    by = "province" if national and not province_chosen else "unit"
    page = Paginator(rows.order_by("unit__province", "unit__name", "name"), 50).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "supervision/legacy/list.html",
        {
            "form": form,
            "page": page,
            "query": params.urlencode(),
            "summary": _summary(rows, by=by) if user.role != Role.FILER else [],
            "summary_by": by,
            "overdue": legacy.overdue_on(timezone.localdate()),
            "deadline": LEGACY_DEADLINE,
            "national": national,
            "can_register": legacy.can_register(user),
            "status_labels": legacy.STATUS_LABELS,
        },
        status=200 if form.is_valid() or not request.GET else 400,
    )


@login_required
@explain_denials
@require_GET
def legacy_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _require_list(request)
    rows, _form = _filtered(request)
    rows = rows.select_related("app__current_number").order_by("unit__province", "unit__name", "name")
    table = legacy_excel.export_rows(rows.iterator(), legacy.overdue_on(timezone.localdate()))
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = HttpResponse(legacy_excel.export_csv(table), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(legacy_excel.export_xlsx(table), content_type=legacy_excel.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="legacy-apps-{stamp}.{fmt}"'
    return response


@login_required
@explain_denials
@require_http_methods(["GET", "POST"])
def legacy_new(request: HttpRequest) -> HttpResponse:
    _require_register(request)
    user = signed_in_user(request)
    unit = user.unit if user.role == Role.FILER else None
    form = LegacyAppForm(request.POST or None, user=user, unit=unit)
    if request.method == "POST" and form.is_valid():
        entry = form.save(commit=False)
        entry.created_by = user
        entry.source = LegacyApp.Source.FORM
        entry.save()
        legacy.link_registered_app(entry)
        messages.success(request, _("Legacy app registered. It must be filed by %(due)s.")
                         % {"due": LEGACY_DEADLINE.isoformat()})  # fmt: skip
        return redirect("supervision:legacy_detail", entry.pk)
    return render(request, "supervision/legacy/form.html", {"form": form, "entry": None},
                  status=400 if form.errors else 200)  # fmt: skip


@login_required
@explain_denials
@require_http_methods(["GET", "POST"])
def legacy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _visible(request, pk)
    user = signed_in_user(request)
    if not legacy.can_edit(user, entry):
        raise PermissionDenied(_("Only the unit's filers and its provincial office can change this entry."))
    unit = user.unit if user.role == Role.FILER else None
    form = LegacyAppForm(request.POST or None, instance=entry, user=user, unit=unit)
    if request.method == "POST" and form.is_valid():
        form.save()
        legacy.link_registered_app(entry)
        messages.success(request, _("Changes saved."))
        return redirect("supervision:legacy_detail", entry.pk)
    return render(request, "supervision/legacy/form.html", {"form": form, "entry": entry},
                  status=400 if form.errors else 200)  # fmt: skip


@login_required
@explain_denials
@require_GET
def legacy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _visible(request, pk)
    running = None
    if entry.app is not None and entry.status == legacy.STATUS_IN_PROGRESS:
        # Linked only for those who may open it: to a reviewer the unit's unsubmitted draft does not exist.
        running = next(
            (
                f
                for f in entry.app.filings.filter(state__in=legacy.PRE_FILING).order_by("-created_at")
                if request.user.has_perm("registry.view_filing", f)
            ),
            None,
        )
    return render(
        request,
        "supervision/legacy/detail.html",
        {
            "entry": entry,
            "status_label": legacy.STATUS_LABELS[entry.status],
            "overdue": legacy.overdue_on(timezone.localdate()),
            "deadline": LEGACY_DEADLINE,
            "running": running,
            "app_visible": entry.app_id is not None and request.user.has_perm("registry.view_app", entry.app),
            "can_edit": legacy.can_edit(request.user, entry),
            "can_start": legacy.can_start_filing(request.user, entry)
            and entry.status == legacy.STATUS_NOT_STARTED,
            "reminders": entry.reminders.all()[:10],
        },
    )


@login_required
@explain_denials
@require_POST
def legacy_start(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _visible(request, pk)
    try:
        filing = legacy.legacy_start_filing(legacy=entry, actor=request.user)
    except WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect("supervision:legacy_detail", entry.pk)
    messages.success(
        request, _("Filing draft created from the legacy entry. Complete each step and submit it.")
    )
    return redirect("registry:filing_edit", filing.pk, "basic")


@login_required
@explain_denials
@require_http_methods(["GET", "POST"])
def legacy_import(request: HttpRequest) -> HttpResponse:
    _require_register(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "result": None, "max_rows": legacy_excel.MAX_ROWS,
                               "max_mb": legacy_excel.MAX_UPLOAD_BYTES // 1024 // 1024}  # fmt: skip
    if request.method != "POST":
        return render(request, "supervision/legacy/import.html", context)
    if not form.is_valid():
        return render(request, "supervision/legacy/import.html", context, status=400)
    upload = form.cleaned_data["file"]
    try:
        if upload.size > legacy_excel.MAX_UPLOAD_BYTES:
            # Refused on the declared size, before the whole file is read into memory.
            raise legacy_excel.ImportRefused(
                _(
                    "The file is %(size)s MB; the limit is %(limit)d MB. Split the list into several workbooks."
                )
                % {
                    "size": f"{upload.size / 1024 / 1024:.1f}",
                    "limit": legacy_excel.MAX_UPLOAD_BYTES // 1024 // 1024,
                }
            )
        result = legacy_excel.import_workbook(data=upload.read(), user=request.user)
    except legacy_excel.ImportRefused as exc:
        form.add_error("file", str(exc))
        return render(request, "supervision/legacy/import.html", context, status=400)
    context["result"] = result
    return render(request, "supervision/legacy/import.html", context, status=200)


@login_required
@explain_denials
@require_GET
def legacy_template(request: HttpRequest) -> HttpResponse:
    _require_register(request)
    english = request.GET.get("headers") == "en"
    response = HttpResponse(
        legacy_excel.template_workbook(english=english), content_type=legacy_excel.XLSX_TYPE
    )
    name = "legacy-apps-template-en.xlsx" if english else "legacy-apps-template.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
