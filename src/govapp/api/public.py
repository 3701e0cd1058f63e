"""Public API: verify a filing number; the public register and the app-store identity look-up. No login."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import gettext_lazy, override
from ninja import Query, Router, Schema
from pydantic import Field

from govapp.core.ratelimit import check_rate
from govapp.public import queries
from govapp.stats.published import published_statistics

from .schemas import ErrorOut, PublicFilingOut, PublicFilingPage, PublicStatisticsOut

router = Router(tags=["public"])

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class ApiError(Exception):
    """An answer other than 200, with an English `detail` and a `message` in the request's language."""

    def __init__(
        self,
        status: int,
        template: object,
        params: dict[str, object] | None = None,
        parameter: str | None = None,
    ) -> None:
        self.status = status
        self.template = template
        self.params = params or {}
        self.parameter = parameter
        super().__init__(self.english)

    @property
    def message(self) -> str:
        return str(self.template) % self.params if self.params else str(self.template)

    @property
    def english(self) -> str:
        with override("en"):
            return self.message


def filing_out(request: HttpRequest, record: queries.PublicRecord) -> PublicFilingOut:
    return PublicFilingOut(
        number=record.number,
        status=record.status,  # type: ignore[arg-type]
        status_label=record.status_label,
        explanation=record.explanation,
        valid=record.is_valid,
        app_name=record.app_name,
        kind=record.kind,  # type: ignore[arg-type]
        kind_label=record.kind_label,
        unit=record.unit,
        province=record.province,
        province_name=record.province_name,
        filing_date=record.filing_date,
        last_change=record.last_change,
        current_number=record.current_number,
        current_status=record.current_status,  # type: ignore[arg-type]
        verify_url=request.build_absolute_uri(reverse("public:verify", args=[record.number])),
        shutdown_announced_on=record.shutdown_announced_on,
        planned_offline_date=record.planned_offline_date,
        revoked_on=record.revoked_on,
        deregistered_on=record.deregistered_on,
        submitted_on=record.submitted_on,
        forwarded_on=record.forwarded_on,
        working_days_taken=record.working_days_taken,
    )


@router.get(
    "/filings/{number}",
    response={200: PublicFilingOut, 404: ErrorOut, 429: ErrorOut},
    summary="Verify a filing number",
    operation_id="public_filing_verify",
)
def filing_verify(request: HttpRequest, number: str, response: HttpResponse) -> PublicFilingOut:
    """The register's record of one filing number (URL-encode it; full-width characters are accepted).

    Revoked and deregistered numbers resolve with that status; a superseded number names the current one.
    Answers carry an `ETag` and a `Last-Modified`: send them back as `If-None-Match` / `If-Modified-Since`
    and an unchanged record is `304 Not Modified` without a body.
    """
    check_rate(request)
    record = queries.lookup_number(number)
    if record is None:
        shown = queries.normalise_number(number)[:60] or number.strip()[:60]
        raise ApiError(
            404,
            gettext_lazy(
                "There is no filing with number %(number)s. Check each character against the app; "
                "full-width characters and spaces are accepted."
            ),
            {"number": shown},
            parameter="number",
        )
    response["Last-Modified"] = http_date(record.last_change.timestamp())
    return filing_out(request, record)


class RegisterQuery(Schema):
    """Filters of the public register; package / bundle / appid / cert_sha256 are the app-store look-up."""

    q: str | None = Field(None, description="Search in app name, sponsoring unit and filing number.")
    province: str | None = Field(None, description="GB/T 2260 province code (e.g. 33), or `central`.")
    kind: str | None = Field(None, description="app, mini_program or quick_app.")
    status: str | None = Field(
        None, description="valid, revoked or deregistered (status of the current number)."
    )
    package: str | None = Field(
        None, description="Android or quick-app package name, e.g. cn.gov.example.app."
    )
    bundle: str | None = Field(None, description="HarmonyOS bundle name or iOS bundle ID.")
    appid: str | None = Field(None, description="Mini-program appid, e.g. wx1234567890abcdef.")
    cert_sha256: str | None = Field(
        None,
        description="SHA-256 of the Android signing certificate: 64 hex digits, any case, colons allowed.",
    )
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Apps per page, 1 to 100.")


def _page_url(request: HttpRequest, page: int) -> str:
    params = request.GET.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(params.items()))}")


@router.get(
    "/filings",
    response={200: PublicFilingPage, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Public register and app-store look-up",
    operation_id="public_filings_list",
)
def filings_list(request: HttpRequest, filters: Query[RegisterQuery]) -> PublicFilingPage:
    """Apps that hold or hold no longer a filing number, newest first; each says whether it is validly filed now.

    With package / bundle / appid / cert_sha256, only the apps carrying that identity (app stores). Answers carry
    an `ETag`: send it back as `If-None-Match` and an unchanged answer is `304 Not Modified` without a body.
    """
    check_rate(request)
    identity = {
        name: value for name in queries.IDENTITY_PARAMETERS if (value := getattr(filters, name)) is not None
    }
    arguments: dict[str, Any] = {
        "q": filters.q or "",
        "province": (filters.province or "").strip(),
        "kind": (filters.kind or "").strip(),
        "status": (filters.status or "").strip(),
        "identity": identity,
    }
    try:
        apps = queries.public_apps(**arguments)
    except queries.LookupError_ as exc:
        raise ApiError(422, exc.template, exc.params, parameter=exc.parameter) from exc
    paginator = queries.RegisterPaginator(apps, filters.page_size, filters=arguments)
    if filters.page > paginator.num_pages:
        raise ApiError(
            404,
            gettext_lazy("Page %(page)d does not exist: there are %(pages)d pages of results."),
            {"page": filters.page, "pages": paginator.num_pages},
            parameter="page",
        )
    page = paginator.page(filters.page)
    return PublicFilingPage(
        count=paginator.count,
        page=page.number,
        page_size=filters.page_size,
        next=_page_url(request, page.next_page_number()) if page.has_next() else None,
        previous=_page_url(request, page.previous_page_number()) if page.has_previous() else None,
        results=[filing_out(request, record) for record in queries.page_records(page, arguments)],
    )


@router.get(
    "/statistics",
    response={200: PublicStatisticsOut, 429: ErrorOut},
    summary="Published counts and processing times",
    operation_id="public_statistics",
)
def statistics(request: HttpRequest) -> dict[str, object]:
    """Per province: apps by standing and the working days each review stage took (median, p90, share within
    the limit) over the last twelve months. Nothing about people; complaints as counts only."""
    check_rate(request)
    return published_statistics()
