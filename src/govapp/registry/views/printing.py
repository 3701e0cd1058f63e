"""The print view of a filing: materials, the technical-test summary and the history, on A4."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .. import worklist
from ..models import Filing, FilingEvent
from .access import explain_denials, visible_filing
from .presentation import history, material_groups


@login_required
@explain_denials
@require_http_methods(["GET"])
def filing_print(request: HttpRequest, pk: int) -> HttpResponse:
    filing = visible_filing(request, pk)
    verdict = getattr(
        worklist.with_test_verdict(Filing.objects.filter(pk=filing.pk)).first(), "test_verdict", ""
    )
    context = {
        "filing": filing,
        "app": filing.app,
        "groups": material_groups(filing),
        "attachments": filing.attachments.all(),
        "history": history(FilingEvent.objects.filter(filing=filing)),
        "verdict": verdict,
        "printed_at": timezone.localtime(),
    }
    return render(request, "registry/filing_print.html", context)
