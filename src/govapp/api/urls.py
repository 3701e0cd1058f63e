"""The JSON API (django-ninja); OpenAPI 3.1 at /api/v1/openapi.json, documentation at /api/v1/docs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.openapi.docs import Swagger

from govapp import __version__
from govapp.core.ratelimit import RateLimited

from .public import ApiError
from .public import router as public_router

api = NinjaAPI(
    title="GovApp Registry API",
    version=__version__,
    description=(
        "政务应用程序规范化管理系统 — public verification of filing numbers, the public register, "
        "app-store look-ups by package, bundle, appid or signing certificate, and complaints. "
        "Public endpoints need no login and are rate-limited per client address (HTTP 429 with Retry-After)."
    ),
    urls_namespace="api",
    # Swagger UI from ninja's own static files ("ninja" is an installed app), never from a CDN.
    docs=Swagger(),
    docs_url="/docs",
)
api.add_router("/public/", public_router)
api.add_router("/public/", "govapp.api.certificates.router")
api.add_router("/public/complaints", "govapp.api.complaints.router")
api.add_router("/public/", "govapp.api.packages.router")
api.add_router("/similar", "govapp.api.similar.router")


def _error(status: int, detail: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"detail": detail, "message": message, **{k: v for k, v in extra.items() if v is not None}}


@api.exception_handler(ApiError)
def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return api.create_response(
        request, _error(exc.status, exc.english, exc.message, parameter=exc.parameter), status=exc.status
    )


@api.exception_handler(RateLimited)
def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    def sentence() -> str:
        return _("Too many requests from your address; retry after %(seconds)d seconds.") % {
            "seconds": exc.retry_after
        }

    with override("en"):
        detail = sentence()
    response = api.create_response(request, _error(429, detail, sentence()), status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _parameter_of(error: dict[str, Any]) -> str:
    location = [str(part) for part in error.get("loc", ())]
    # ninja reports ("query", "filters", "page_size") or ("path", "number"): the last part names it.
    return location[-1] if location else ""


# pydantic's own messages are English only; each error type we can meet gets a sentence of ours.
_REASONS: dict[str, str] = {
    "missing": gettext_noop("it is required"),
    "bool_type": gettext_noop("it must be true or false (a JSON boolean, not a string or a number)"),
    "bool_parsing": gettext_noop("it must be true or false (a JSON boolean, not a string or a number)"),
    "string_type": gettext_noop("it must be a string"),
    "int_type": gettext_noop("it must be a whole number"),
    "int_parsing": gettext_noop("it must be a whole number"),
    "greater_than_equal": gettext_noop("it is below the smallest allowed value"),
    "less_than_equal": gettext_noop("it is above the largest allowed value"),
    "string_too_long": gettext_noop("it is too long"),
    "string_too_short": gettext_noop("it is too short"),
    "literal_error": gettext_noop("it is not one of the allowed values"),
    "enum": gettext_noop("it is not one of the allowed values"),
    "model_type": gettext_noop("it must be a JSON object"),
    "dict_type": gettext_noop("it must be a JSON object"),
    "json_invalid": gettext_noop("the request body is not valid JSON"),
    "date_from_datetime_parsing": gettext_noop("it must be a date (YYYY-MM-DD)"),
    "date_parsing": gettext_noop("it must be a date (YYYY-MM-DD)"),
}
_ANY_REASON = gettext_noop("its value is not valid")


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """One readable sentence naming the parameter, with ninja's field-level list kept under `errors`."""
    first = exc.errors[0] if exc.errors else {}
    parameter = _parameter_of(first)
    reason = _REASONS.get(str(first.get("type", "")), _ANY_REASON)

    def sentence() -> str:
        return _("Invalid parameter “%(name)s”: %(reason)s.") % {"name": parameter, "reason": _(reason)}

    with override("en"):
        detail = sentence()
    body = _error(422, detail, sentence(), parameter=parameter or None, errors=exc.errors)
    return api.create_response(request, body, status=422)
