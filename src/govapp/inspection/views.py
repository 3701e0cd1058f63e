"""Web side of the technical test: package upload, the live panel, the report and its downloads, re-scans.

Deny by default: a filing's packages and scans are visible exactly to those who may see the filing
(404 otherwise, existence not revealed); uploading and re-scanning are separate permissions (403).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from govapp.core.htmx import HtmxHttpRequest
from govapp.registry.choices import FormalismCategory
from govapp.registry.models import Filing
from govapp.registry.services import WorkflowError

from .approval import contradictions
from .engine.notes import render_note
from .engine.report import stored_notes
from .models import PackageKind, Scan
from .services import can_request_rescan, package_upload, scan_request_rescan, too_big_message

# Technical (non-formalism) categories of the rule set, for headings on the report page.
TECHNICAL_LABELS: dict[str, Any] = {
    "cleartext": gettext_lazy("Cleartext network traffic"),
    "debuggable": gettext_lazy("Debuggable build"),
    "excessive_permission": gettext_lazy("Excessive permissions"),
    "tracker": gettext_lazy("Third-party trackers"),
    "ipv4_only": gettext_lazy("IPv4 only (no IPv6)"),
    "complaint_function_missing": gettext_lazy("No complaint and suggestion function"),
    "packer": gettext_lazy("Packed or obfuscated code"),
    "filing_number_missing": gettext_lazy("Filing number not displayed"),
    "code_not_analysed": gettext_lazy("Executable not analysed"),
}
_STATUS_ORDER = {"violation": 0, "declared_exception": 1, "advisory": 2}
_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


def category_label(category: str) -> str:
    if category in FormalismCategory.values:
        return str(FormalismCategory(category).label)
    return str(TECHNICAL_LABELS.get(category, category))


def _visible_filing(request: HttpRequest, pk: int) -> Filing:
    filing = get_object_or_404(Filing.objects.select_related("app__unit", "app__current_number"), pk=pk)
    if not request.user.has_perm("registry.view_filing", filing):
        raise Http404(_("No such filing."))
    return filing


def _visible_scan(request: HttpRequest, pk: int) -> Scan:
    scan = get_object_or_404(
        Scan.objects.select_related("package", "filing__app__unit", "reused_from"), pk=pk
    )
    if not _may_see_scan(request.user, scan):
        raise Http404(_("No such scan."))
    return scan


def _may_see_scan(user: Any, scan: Scan) -> bool:
    if scan.filing is not None:
        return bool(user.has_perm("registry.view_filing", scan.filing))
    # Scans outside a filing (spot checks) belong to the national office and the testing bodies.
    return can_request_rescan(user)


def _filing_url(filing: Filing) -> str:
    try:
        return reverse("registry:filing_detail", args=[filing.pk])
    except NoReverseMatch:  # the registry UI is optional for the technical test to work
        return reverse("inspection:panel", args=[filing.pk])


def _refusals(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A refused action answers 403 with its reason, never a bare error page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return render(request, "inspection/refused.html", {"reason": str(exc)}, status=403)

    return wrapper


# ---------------------------------------------------------------- panel


def panel_context(request: HttpRequest, filing: Filing, **extra: Any) -> dict[str, Any]:
    return {"filing": filing, **extra}


@login_required
@require_GET
def panel(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The technical-test panel alone: htmx polls it while a scan is queued or running."""
    filing = _visible_filing(request, pk)
    template = "inspection/_filing_panel.html" if request.htmx else "inspection/panel_page.html"
    return render(request, template, panel_context(request, filing))


# ---------------------------------------------------------------- upload


class PackageSizeLimit(FileUploadHandler):
    """Stops reading an upload as soon as it passes the package size cap, before it fills the disk."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class PackageUploadForm(forms.Form):
    package = forms.FileField(
        label=gettext_lazy("App package"),
        help_text=gettext_lazy(
            "APK, APKS/XAPK, HarmonyOS HAP or .app, iOS .ipa, WeChat .wxapkg, quick app .rpk, "
            "mini-program source or an H5 web app as a zip."
        ),
        error_messages={
            "required": gettext_lazy("Choose the app package file to upload."),
            "empty": gettext_lazy("The file is empty; upload the package itself."),
        },
        allow_empty_file=True,  # the service gives the specific message with the file name
    )


@csrf_exempt
@login_required
@require_POST
def upload(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    from django.conf import settings

    # The size cap must be installed before the body is parsed, which the CSRF check would do first.
    limiter = PackageSizeLimit(request, settings.GOVAPP_MAX_PACKAGE_BYTES)
    request.upload_handlers.insert(0, limiter)
    return _upload_protected(request, pk, limiter)


@csrf_protect
@_refusals
def _upload_protected(request: HtmxHttpRequest, pk: int, limiter: PackageSizeLimit) -> HttpResponse:
    filing = _visible_filing(request, pk)
    if not request.user.has_perm("registry.edit_filing", filing):
        raise PermissionDenied(_("Only a filer of the sponsoring unit can upload the app package."))
    form = PackageUploadForm(request.POST, request.FILES)
    error: WorkflowError | None = None
    if limiter.exceeded:
        error = WorkflowError(too_big_message(_("The package"), limiter.limit))
    elif form.is_valid():
        try:
            link = package_upload(
                filing=filing, actor=request.user, uploaded_file=form.cleaned_data["package"]
            )
        except WorkflowError as exc:
            error = exc
    else:
        error = WorkflowError(" ".join(str(e) for e in form.errors.get("package", [])))
    if error is not None:
        if request.htmx:
            context = panel_context(request, filing, upload_error=error.message)
            return render(request, "inspection/_filing_panel.html", context, status=400)
        messages.error(request, error.message)
        return render(
            request,
            "inspection/panel_page.html",
            panel_context(request, filing, upload_error=error.message),
            status=400,
        )
    messages.success(
        request,
        _("%(name)s uploaded; the technical test has been queued.") % {"name": link.original_name},
    )
    if request.htmx:
        return render(request, "inspection/_filing_panel.html", panel_context(request, filing))
    return redirect(_filing_url(filing))


# ---------------------------------------------------------------- re-scan


@login_required
@require_POST
@_refusals
def rescan(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    filing = _visible_filing(request, pk)
    if not can_request_rescan(request.user):
        raise PermissionDenied(_("Only the national office or a testing body can request a re-scan."))
    try:
        scans = scan_request_rescan(filing=filing, actor=request.user)
    except WorkflowError as exc:
        if request.htmx:
            return render(
                request,
                "inspection/_filing_panel.html",
                panel_context(request, filing, upload_error=exc.message),
                status=400,
            )
        messages.error(request, exc.message)
        return render(
            request,
            "inspection/panel_page.html",
            panel_context(request, filing, upload_error=exc.message),
            status=400,
        )
    messages.success(request, _("Re-scan queued for %(n)d package(s).") % {"n": len(scans)})
    if request.htmx:
        return render(request, "inspection/_filing_panel.html", panel_context(request, filing))
    return redirect(_filing_url(filing))


# ---------------------------------------------------------------- report


def _localized(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get("en") if lang == "en" else value.get("zh") or value.get("en") or "")
    return str(value or "")


def report_sections(scan: Scan) -> dict[str, Any]:
    """The stored report arranged for the page: findings grouped by category, texts in the viewer's language."""
    report = scan.report_data
    lang = "en" if (get_language() or "").startswith("en") else "zh"
    groups: dict[str, dict[str, Any]] = {}
    findings = sorted(
        report.get("findings") or [],
        key=lambda f: (_STATUS_ORDER.get(f.get("status"), 9), _SEVERITY_ORDER.get(f.get("severity"), 9)),
    )
    for finding in findings:
        category = str(finding.get("category", ""))
        group = groups.setdefault(
            category,
            {
                "category": category,
                "label": category_label(category),
                "formalism": category in FormalismCategory.values,
                "findings": [],
            },
        )
        evidence = list(finding.get("evidence") or [])
        group["findings"].append(
            {
                **finding,
                "title_text": _localized(finding.get("title"), lang),
                "description_text": _localized(finding.get("description"), lang),
                "article_text": finding.get("article_en") if lang == "en" else finding.get("article"),
                "evidence": evidence,
                "hidden_evidence": max(
                    0, int(finding.get("evidence_count") or len(evidence)) - len(evidence)
                ),
            }
        )
    ordered = sorted(groups.values(), key=lambda g: (not g["formalism"], g["label"]))
    package = report.get("package") or {}
    kind = str(package.get("kind") or "")
    return {
        "package": package,
        # The format by its name (“iOS app (.ipa)”, “H5 web app (zip)”), the engine's id beside it.
        "package_format": str(PackageKind(kind).label) if kind in PackageKind.values else kind,
        "groups": ordered,
        "sdks": report.get("sdks") or [],
        "endpoints": report.get("endpoints") or [],
        # Notes with a code in the reader's language; older reports' notes as they were stored.
        "notes": [render_note(note, lang) for note in stored_notes(report)],
        "errors": report.get("errors") or [],
        "children": report.get("children") or [],
        "duration_ms": report.get("duration_ms"),
    }


@login_required
@require_GET
def report(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    scan = _visible_scan(request, pk)
    if request.htmx:
        if scan.is_pending:
            return render(request, "inspection/_scan_status.html", {"scan": scan})
        # The scan finished while the page polled: reload it whole to show the report.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    context: dict[str, Any] = {
        "scan": scan,
        "filing": scan.filing,
        "filing_url": _filing_url(scan.filing) if scan.filing else "",
        "contradictions": contradictions(scan.filing, scan)
        if scan.filing and scan.status == Scan.Status.DONE
        else [],
        "can_rescan": scan.filing is not None and can_request_rescan(request.user),
        # The result may be reused from another filing's scan, perhaps a unit's unsubmitted draft: linked
        # only for those who may open that scan.
        "reused_from_visible": scan.reused_from is not None and _may_see_scan(request.user, scan.reused_from),
        **report_sections(scan),
    }
    _add_decisions(request, scan, context)
    return render(request, "inspection/report.html", context)


def _add_decisions(request: HttpRequest, scan: Scan, context: dict[str, Any]) -> None:
    """Each violation with the reviewer's decision on it, or whether the viewer may decide it now."""
    from .verdicts import decidable, decisions

    decided = decisions(scan) if scan.filing is not None else {}
    may_decide = (
        scan.filing is not None
        and scan.status == Scan.Status.DONE
        and bool(getattr(request.user, "is_national_role", False))
        and request.user.has_perm("registry.review_national", scan.filing)
    )
    for group in context["groups"]:
        for finding in group["findings"]:
            if finding.get("status") != "violation":
                continue
            finding["decision"] = decided.get(str(finding.get("rule")))
            finding["may_decide"] = may_decide and decidable(finding) and finding["decision"] is None
    context["special_scenario"] = bool(scan.filing and scan.filing.special_scenario)


def _download_name(scan: Scan, extension: str) -> str:
    return f"scan-{scan.pk}-{scan.package.sha256[:12]}.{extension}"


def _finished_report(request: HttpRequest, pk: int) -> Scan:
    scan = _visible_scan(request, pk)
    if not scan.report_data:
        raise Http404(_("This scan has no report yet."))
    return scan


@login_required
@require_GET
def report_json(request: HttpRequest, pk: int) -> HttpResponse:
    scan = _finished_report(request, pk)
    body = json.dumps(scan.report_data, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(scan, "json")}"'
    return response


@login_required
@require_GET
def report_html(request: HttpRequest, pk: int) -> HttpResponse:
    """The engine's self-contained HTML report, the same document ``govapp scan --html`` writes."""
    from .engine.html_report import render_html
    from .engine.report import ScanReport

    scan = _finished_report(request, pk)
    try:
        document = render_html(ScanReport.from_dict(scan.report_data))
    except ValueError as exc:
        raise Http404(_("The stored report cannot be rendered: %(error)s") % {"error": exc}) from None
    response = HttpResponse(document, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(scan, "html")}"'
    # The report shows text taken from an untrusted package: no scripts, no remote loads.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return response
