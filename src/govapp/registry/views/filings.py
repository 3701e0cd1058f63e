"""Filing pages: start a filing, the multi-step form, documents, the filing page, the list, downloads."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from govapp.accounts.auth import signed_in_user
from govapp.accounts.divisions import PROVINCE_CHOICES

from .. import assignment, joint_review, marks, queries, services, workflow
from ..choices import FilingState, ProcedureKind
from ..documents import attachment_remove, ever_submitted
from ..forms import (
    STEP_FORMS,
    STEPS,
    DocumentUploadForm,
    FilingCreateForm,
    step_title,
    steps_for,
    store_attachment,
)
from ..materials import missing_materials
from ..models import Filing, FilingEvent, ReviewOpinion
from .access import can_edit, explain_denials, require_editable, visible_attachment, visible_filing
from .actions import FILING_ACTIONS, available_actions
from .clock import filing_clock
from .presentation import (
    answer_rows,
    change_base,
    diff_rows,
    history,
    latest_deficiency_event,
    linked_items,
    material_groups,
)
from .queue import next_case, worklist_context
from .sections import filing_page_sections, filing_step_sections

PROVINCE_FILTERS = frozenset(["central", *(code for code, _name in PROVINCE_CHOICES)])


@login_required
@explain_denials
@require_http_methods(["GET", "POST"])
def filing_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("registry.file_app"):
        raise PermissionDenied(_("Only a unit filer can start a filing."))
    form = FilingCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        filing = services.filing_create(
            actor=request.user, app_name=form.cleaned_data["app_name"], app_kind=form.cleaned_data["app_kind"]
        )
        messages.success(request, _("Draft created. Fill in each step; “Save” keeps what you entered."))
        return redirect("registry:filing_edit", filing.pk, "basic")
    return render(request, "registry/filing_create.html", {"form": form}, status=400 if form.errors else 200)


def _step_nav(filing: Filing, current: str) -> list[dict[str, Any]]:
    return [{"slug": s, "title": step_title(s), "current": s == current} for s in steps_for(filing)]


def _next_step(filing: Filing, step: str) -> str:
    steps = steps_for(filing)
    index = steps.index(step)
    return steps[min(index + 1, len(steps) - 1)]


@login_required
@explain_denials
@require_http_methods(["GET", "POST"])
def filing_edit(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    filing = visible_filing(request, pk)
    if step not in steps_for(filing):
        raise Http404(_("No such step."))
    require_editable(request.user, filing)
    context: dict[str, Any] = {
        "filing": filing,
        "step": step,
        "step_title": step_title(step),
        "steps": _step_nav(filing, step),
        "next_step": _next_step(filing, step),
        "sections": filing_step_sections(request, filing, step),
    }
    status = 200
    if step == "documents":
        return _documents_step(request, filing, context)
    if step == "review":
        context["items"] = linked_items(filing, services.submission_problems(filing, today=workflow.today()))
        context["groups"] = material_groups(filing)
        context["attachments"] = filing.attachments.all()
        return render(request, "registry/filing_review.html", context)
    form_class = STEP_FORMS[step]
    if request.method == "POST":
        form = form_class(request.POST, instance=filing)
        if form.is_valid():
            form.save()
            messages.success(request, _("“%(step)s” saved.") % {"step": step_title(step)})
            target = _next_step(filing, step) if "save_next" in request.POST else step
            return redirect("registry:filing_edit", filing.pk, target)
        status = 400
    else:
        form = form_class(instance=filing)
    context["form"] = form
    if step == "change":
        context.update(_change_context(filing, form))
    return render(request, "registry/filing_edit.html", context, status=status)


def _change_context(filing: Filing, form: Any) -> dict[str, Any]:
    effective = filing.change_effective_date
    if form.is_bound and form.is_valid():
        effective = form.cleaned_data.get("change_effective_date") or effective
    context: dict[str, Any] = {"n4_days": settings.GOVAPP_LIMITS["N4"]}
    if effective:
        latest, provisional = services.change_filing_due_date(effective)
        context.update(change_latest=latest, change_latest_provisional=provisional)
    return context


def _documents_step(request: HttpRequest, filing: Filing, context: dict[str, Any]) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = DocumentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            attachment = store_attachment(
                filing=filing,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                actor=request.user,
            )
            messages.success(request, _("“%(name)s” uploaded.") % {"name": attachment.original_name})
            return redirect("registry:filing_edit", filing.pk, "documents")
        status = 400
    else:
        form = DocumentUploadForm()
    context["form"] = form
    context["attachments"] = filing.attachments.select_related("uploaded_by")
    context["ever_submitted"] = ever_submitted(filing)
    context["max_bytes"] = settings.GOVAPP_MAX_DOCUMENT_BYTES
    return render(request, "registry/filing_documents.html", context, status=status)


@login_required
@explain_denials
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = visible_attachment(request, pk)
    filing = attachment.filing
    require_editable(request.user, filing)
    if attachment.uploaded_by_id != request.user.pk:
        raise PermissionDenied(_("You can delete only documents you uploaded yourself."))
    name = attachment.original_name
    if attachment_remove(attachment=attachment, actor=request.user) == "withdrawn":
        messages.success(
            request,
            _("“%(name)s” withdrawn. It stays in the filing's record, marked withdrawn.") % {"name": name},
        )
    else:
        messages.success(request, _("“%(name)s” deleted.") % {"name": name})
    return redirect("registry:filing_edit", filing.pk, "documents")


@login_required
@explain_denials
@require_http_methods(["GET"])
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = visible_attachment(request, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The stored file is missing; ask the administrator to restore it.")) from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type or "application/octet-stream",
    )


def filing_detail_context(request: HttpRequest, filing: Filing) -> dict[str, Any]:
    """Everything the filing page shows; also used when an action form is re-shown with errors."""
    events = FilingEvent.objects.filter(filing=filing)
    deficiency = latest_deficiency_event(filing)
    context: dict[str, Any] = {
        "filing": filing,
        "app": filing.app,
        "clock": filing_clock(filing),
        "groups": material_groups(filing),
        "attachments": filing.attachments.select_related("uploaded_by"),
        "history": history(events),
        "actions": available_actions(request.user, filing),
        "can_edit": can_edit(request.user, filing),
        "deficiency": deficiency,
        "deficiency_items": linked_items(filing, (deficiency.data or {}).get("items", []))
        if deficiency
        else [],
        "extension_expected": None,
    }
    if filing.state == FilingState.PROVINCIAL_REVIEW and request.user.has_perm(
        "registry.review_provincial", filing
    ):
        # The completeness review: what is missing (the app packages too) is returned, never forwarded.
        context["completeness_gaps"] = linked_items(filing, missing_materials(filing))
        context["opinions"] = {
            "current": list(joint_review.current_opinions(filing).values()),
            "verdicts": ReviewOpinion.Verdict.choices,
            "joint": joint_review.is_joint(filing),
        }
    context["next_case"] = next_case(request.user, filing)
    if assignment.may_assign(request.user, filing):
        context["assignment"] = {"colleagues": assignment.colleagues(request.user)}
    if filing.extended:
        extend = events.filter(action="extend").order_by("-at", "-id").first()
        context["extension_expected"] = (extend.data or {}).get("expected") if extend else None
    if filing.procedure == ProcedureKind.CHANGE:
        base = change_base(filing)
        if base is not None:
            context["diff"] = diff_rows(services.material_diff(base, filing))
        else:
            approve = events.filter(action="approve").order_by("-at", "-id").first()
            context["diff"] = diff_rows((approve.data or {}).get("diff", [])) if approve else []
    if filing.state == FilingState.NATIONAL_REVIEW and request.user.has_perm(
        "registry.review_national", filing
    ):
        context["approval_blockers"] = services.approval_blockers(filing)
    if context["can_edit"]:
        context["missing"] = linked_items(filing, missing_materials(filing))
    context["sections"] = filing_page_sections(request, filing)
    if marks.may_mark(request.user, filing):
        context["marking"] = marking_context(request, filing, context["groups"])
    context["answer"] = answer_rows(filing)
    return context


def marking_context(request: HttpRequest, filing: Filing, groups: list[dict[str, Any]]) -> dict[str, Any]:
    """The marks of the current stage beside each material row, the office's phrases, the list's action."""
    current = {m.field: m for m in marks.current_marks(filing)}
    for group in groups:
        group["rows"] = [
            {"name": r.name, "label": r.label, "value": r.value, "mark": current.get(r.name)}
            for r in group["rows"]
        ]
    # Called only for who may mark (marks.may_mark): the stage writes a list.
    slug = workflow.REVIEW_STAGES[filing.state].list_action
    return {
        "marks": list(current.values()),
        "attachments_field": marks.ATTACHMENTS,
        "attachments_mark": current.get(marks.ATTACHMENTS),
        "phrases": list(marks.phrases_of(marks.office_of(request.user), get_language())),
        "list_url": reverse(f"registry:filing_{slug}", args=[filing.pk]),
        "list_label": FILING_ACTIONS[slug].label,
    }


@login_required
@explain_denials
@require_http_methods(["GET"])
def filing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    filing = visible_filing(request, pk)
    return render(request, "registry/filing_detail.html", filing_detail_context(request, filing))


@login_required
@explain_denials
@require_http_methods(["GET"])
def filing_list(request: HttpRequest) -> HttpResponse:
    filings = queries.with_shown_status(services.visible_filings(request.user))
    state = request.GET.get("state", "")
    procedure = request.GET.get("procedure", "")
    province = request.GET.get("province", "")
    if state in FilingState.values:
        filings = filings.filter(shown_status=state)
    if procedure in ProcedureKind.values:
        filings = filings.filter(procedure=procedure)
    national = signed_in_user(request).is_national_role
    if national and province in PROVINCE_FILTERS:
        filings = filings.filter(app__unit__province="" if province == "central" else province)
    context = worklist_context(request, filings, default_sort="-created")
    context.update(
        {
            "state_groups": [
                (_("Procedure"), [(s.value, s.label) for s in queries.PROCEDURE_STATUSES]),
                (_("App in the register"), [(s.value, s.label) for s in queries.STANDING_STATUSES]),
            ],
            "procedures": ProcedureKind.choices,
            "provinces": PROVINCE_CHOICES if national else None,
            "filters": {"state": state, "procedure": procedure, "province": province},
            "can_file": request.user.has_perm("registry.file_app"),
            "steps": STEPS,
        }
    )
    return render(request, "registry/filing_list.html", context)
