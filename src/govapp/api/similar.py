"""``GET /api/v1/similar``: the apps most like a description, for reviewers, the national office and the
IT-project approval and O&M funding authorities (signed in; the same visibility as the pages)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema
from ninja.security import django_auth
from pydantic import Field

from govapp.accounts.divisions import BY_CODE
from govapp.consolidation import service
from govapp.consolidation.reasons import match_row

from .public import ApiError
from .schemas import ErrorOut

router = Router(tags=["similar"], auth=django_auth)

KINDS = {"app": "app", "miniprogram": "mini_program", "quickapp": "quick_app"}


class SimilarFilters(Schema):
    name: str = Field(..., min_length=1, max_length=100, description="name of the app or project")
    functions: str = Field("", max_length=2000, description="its main functions, free text")
    province: str = Field("", max_length=2, description="two-digit province code, e.g. 33")
    kind: str = Field("", description="app | miniprogram | quickapp")
    limit: int = Field(10, ge=1, le=50)


class ReasonOut(Schema):
    code: str
    text: str
    detail: list[str]


class SimilarOut(Schema):
    key: str
    name: str
    kind: str
    unit: str
    province: str
    state: str
    score: float
    reasons: list[ReasonOut]


@router.get("", response={200: list[SimilarOut], 400: ErrorOut, 403: ErrorOut}, summary="Similar apps")
def similar(request: HttpRequest, filters: Query[SimilarFilters]) -> list[dict[str, object]]:
    if not service.is_reviewing_user(request.user):
        raise ApiError(
            403, gettext_lazy("Only reviewers and the approval and funding authorities may search.")
        )
    if filters.province and filters.province not in BY_CODE:
        raise ApiError(400, gettext_lazy("Unknown province code."), parameter="province")
    if filters.kind and filters.kind not in KINDS:
        raise ApiError(400, gettext_lazy("Unknown kind: use app, miniprogram or quickapp."), parameter="kind")
    matches = service.similar_apps(
        user=request.user,
        name=filters.name,
        functions=filters.functions,
        kind=KINDS.get(filters.kind, ""),
        province=filters.province,
        limit=filters.limit,
    )
    return [match_row(m) for m in matches]
