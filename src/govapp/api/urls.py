"""The JSON API (django-ninja); OpenAPI 3.1 at /api/v1/openapi.json, documentation at /api/v1/docs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import override
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.openapi.docs import DocsBase, Swagger

from govapp import __version__
from govapp.public.ratelimit import RateLimited

from .public import ApiError
from .public import router as public_router


class LocalDocs(DocsBase):
    """Swagger UI from ninja's own static files, never from a CDN (closed government networks).

    Ninja falls back to a CDN page when it is not in INSTALLED_APPS; then we serve a server-rendered
    list of the operations instead, which needs no JavaScript at all.
    """

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:  # type: ignore[override]
        if "ninja" in settings.INSTALLED_APPS:
            return Swagger().render_page(request, api, **kwargs)
        schema = api.get_openapi_schema(path_params=kwargs)
        operations = [
            {"method": method.upper(), "path": path, **operation}
            for path, methods in schema["paths"].items()
            for method, operation in methods.items()
        ]
        context = {"api": api, "operations": operations, "openapi_url": self.get_openapi_url(api, kwargs)}
        return render(request, "public/api_docs.html", context)


api = NinjaAPI(
    title="GovApp Registry API",
    version=__version__,
    description=(
        "政务应用程序规范化管理系统 — public verification of filing numbers, the public register, "
        "app-store look-ups by package, bundle, appid or signing certificate, and complaints. "
        "Public endpoints need no login and are rate-limited per client address (HTTP 429 with Retry-After)."
    ),
    urls_namespace="api",
    docs=LocalDocs(),
    docs_url="/docs",
)
api.add_router("/public/", public_router)
api.add_router("/public/complaints", "govapp.complaints.api.router")


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


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """One readable sentence naming the parameter, with ninja's field-level list kept under `errors`."""
    first = exc.errors[0] if exc.errors else {}
    parameter = _parameter_of(first)
    reason = str(first.get("msg", "invalid value"))

    def sentence() -> str:
        return _("Invalid parameter “%(name)s”: %(reason)s.") % {"name": parameter, "reason": reason}

    with override("en"):
        detail = sentence()
    body = _error(422, detail, sentence(), parameter=parameter or None, errors=exc.errors)
    return api.create_response(request, body, status=422)
