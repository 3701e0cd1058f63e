"""What the filing page and the unit's filing steps show from this context: the similar apps (with the
declared "none" flagged), and the project-review opinion the filing names as its 立项 material."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from govapp.registry.choices import FilingState
from govapp.registry.models import Filing

from .. import service
from ..declarations import declares_none
from ..models import ProjectReview
from ..reasons import STRONG_SCORE, display_row
from ..sources import app_key

SHOWN = 5
# Steps of the unit's filing where the similar apps help: once the name and the functions are known.
STEPS_SHOWING = frozenset(["basic", "functions", "declarations", "review"])


def _matches(request: HttpRequest, filing: Filing) -> list[dict[str, Any]]:
    if not (filing.app_name or filing.main_functions):
        return []
    matches = service.similar_apps(
        user=request.user,
        name=filing.app_name,
        functions="\n".join(x for x in (filing.main_functions, filing.grassroots_functions) if x),
        kind=filing.app_kind,
        province=filing.app.unit.province,
        level=filing.app.unit.level,
        exclude=frozenset([app_key(filing.app_id)]),
        limit=SHOWN,
    )
    return [display_row(m) for m in matches]


def project_review_of(filing: Filing) -> ProjectReview | None:
    """The opinion whose number the filing gives as its approval document, for the filing's own unit."""
    number = (filing.approval_doc_number or "").strip()
    if not number:
        return None
    return (
        ProjectReview.objects.select_related("authority", "target_app", "decided_by")
        .filter(number=number, unit_id=filing.app.unit_id)
        .first()
    )


def filing_page_section(request: HttpRequest, filing: Filing) -> dict[str, Any] | None:
    matches = _matches(request, filing)
    strong = [m for m in matches if m["score"] >= STRONG_SCORE]
    return {
        "template": "consolidation/_filing_similar.html",
        "similar": matches,
        "declared": filing.same_kind_apps,
        "declared_none_flag": bool(strong) and declares_none(filing.same_kind_apps),
        "project_review": project_review_of(filing),
    }


def filing_step_section(request: HttpRequest, filing: Filing, step: str) -> dict[str, Any] | None:
    if step not in STEPS_SHOWING or filing.state not in (FilingState.DRAFT, FilingState.RETURNED):
        return None
    matches = _matches(request, filing)
    if not matches:
        return None
    return {"template": "consolidation/_step_similar.html", "similar": matches}
