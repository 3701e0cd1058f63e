"""A database outage answers 503 with our own page, in the visitor's language, instead of a generic 500.

The page is rendered without a request context: the context processors read the database, which is
the thing that is down. Retry-After tells browsers and load balancers to come back shortly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
OUTAGE_ERRORS = (OperationalError, InterfaceError)


def outage_response() -> HttpResponse:
    body = render_to_string(
        "errors/503.html", {"retry_after": RETRY_AFTER_SECONDS, "LANGUAGE_CODE": translation.get_language()}
    )
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Turns a lost or refused database connection, wherever it surfaces, into the 503 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except OUTAGE_ERRORS:  # raised by a middleware below us (sessions, authentication)
            log.exception("database unavailable: %s %s", request.method, request.path)
            return outage_response()

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OUTAGE_ERRORS):
            log.error("database unavailable: %s %s (%s)", request.method, request.path, exception)
            return outage_response()
        return None
