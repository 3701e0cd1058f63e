"""Health check, error pages and the signed-in home page."""

from __future__ import annotations

import logging

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from govapp import __version__

log = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness plus a database round trip, for load balancers and operators."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure makes us unhealthy
        # The error may name hosts and users: it goes to the log, not to anonymous callers.
        log.exception("health check: database unavailable")
        return JsonResponse(
            {"status": "error", "database": "unavailable", "version": __version__}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok", "version": __version__})


def _error(request: HttpRequest, status: int, template: str, reason: str = "") -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": reason or _DETAIL[status]}, status=status)
    return render(request, template, {"reason": reason}, status=status)


_DETAIL = {400: "Bad request", 403: "Forbidden", 404: "Not found", 500: "Server error"}


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, "errors/400.html")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # PermissionDenied raised with a message (services do) tells the user why; a bare one does not.
    return _error(request, 403, "errors/403.html", str(exception) if exception and str(exception) else "")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "errors/404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, "errors/500.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: usually an expired form or blocked cookies; say so and how to go on."""
    # Django's reason ("CSRF token missing", "Origin checking failed …") is for the log, not for people.
    log.warning("CSRF failure on %s: %s", request.path, reason)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "CSRF verification failed"}, status=403)
    referer = request.headers.get("Referer", "")
    back = referer if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}) else ""
    return render(request, "errors/csrf.html", {"back": back}, status=403)


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico: browsers and feed readers ask for it on every site even without a <link rel=icon>."""
    response = redirect(static("govapp/favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response
