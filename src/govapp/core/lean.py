"""Stateless routes skip the stateful middleware: the public API needs no session, user, messages, second factor
or htmx, and at national scale their work was a large share of each answer.

``settings.GOVAPP_STATELESS_PREFIXES`` names the routes (default ``/api/v1/public/``). Settings wrap each stateful
middleware in ``stateful_only`` (settings.py); security headers, CSP, the database-outage page, the language, the
rate limits (in the views) and the common middleware still run on every route. On stateless routes a GET is
also answered conditionally (``StatelessConditionalGet``): an ``ETag`` of the body (and the ``Last-Modified`` a
view sets), so that an app store revalidating an answer it holds gets ``304 Not Modified`` without a body.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.http import ConditionalGetMiddleware
from django.utils.module_loading import import_string

GetResponse = Callable[[HttpRequest], HttpResponse]

# The stateful middleware of settings.MIDDLEWARE, by the wrapper that runs it only off the stateless routes.
STATEFUL = {
    "django.contrib.sessions.middleware.SessionMiddleware": "govapp.core.lean.Sessions",
    "django.contrib.auth.middleware.AuthenticationMiddleware": "govapp.core.lean.Authentication",
    "django_otp.middleware.OTPMiddleware": "govapp.core.lean.Otp",
    "govapp.accounts.second_factor.SecondFactorMiddleware": "govapp.core.lean.SecondFactor",
    "django.contrib.messages.middleware.MessageMiddleware": "govapp.core.lean.Messages",
    "django_htmx.middleware.HtmxMiddleware": "govapp.core.lean.Htmx",
    # django.middleware.csrf.CsrfViewMiddleware stays as it is: Django's deployment check looks for it by name
    # (a wrapped one reads as "no CSRF protection"), and on a CSRF-exempt ninja view it only reads a cookie.
    # axes.middleware.AxesMiddleware stays as it is: its system check looks for it by name, and it only reads
    # an attribute the login sets, so it costs a stateless route nothing.
}


def stateful_only(middleware: list[str]) -> list[str]:
    """settings.MIDDLEWARE with each stateful middleware wrapped (the order is kept)."""
    return [STATEFUL.get(path, path) for path in middleware]


@cache
def _prefixes() -> tuple[str, ...]:
    return tuple(getattr(settings, "GOVAPP_STATELESS_PREFIXES", ("/api/v1/public/",)))


def is_stateless(request: HttpRequest) -> bool:
    return request.path_info.startswith(_prefixes())


class StatefulOnly:
    """Runs ``wrapped`` (a middleware's dotted path) on every route except the stateless ones."""

    wrapped = ""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.inner = import_string(self.wrapped)(get_response)
        # The handler looks these hooks up on the instance; offer only those the wrapped middleware has.
        for hook in ("process_view", "process_exception", "process_template_response"):
            if hasattr(self.inner, hook):
                setattr(self, hook, self._hook(getattr(self.inner, hook)))

    @staticmethod
    def _hook(method: Callable[..., Any]) -> Callable[..., Any]:
        def hook(request: HttpRequest, *args: Any) -> Any:
            return None if is_stateless(request) else method(request, *args)

        return hook

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_stateless(request):
            return self.get_response(request)
        response: HttpResponse = self.inner(request)
        return response


class Sessions(StatefulOnly):
    wrapped = "django.contrib.sessions.middleware.SessionMiddleware"


class Authentication(StatefulOnly):
    wrapped = "django.contrib.auth.middleware.AuthenticationMiddleware"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_stateless(request):
            from django.contrib.auth.models import AnonymousUser

            request.user = AnonymousUser()  # nobody signs in on a stateless route; code that asks gets nobody
        return super().__call__(request)


class Otp(StatefulOnly):
    wrapped = "django_otp.middleware.OTPMiddleware"


class SecondFactor(StatefulOnly):
    wrapped = "govapp.accounts.second_factor.SecondFactorMiddleware"


class Messages(StatefulOnly):
    wrapped = "django.contrib.messages.middleware.MessageMiddleware"


class Htmx(StatefulOnly):
    wrapped = "django_htmx.middleware.HtmxMiddleware"


class StatelessConditionalGet:
    """Django's conditional GET (ETag of the body, Last-Modified, 304) on the stateless routes only."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.conditional = ConditionalGetMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_stateless(request) or response.status_code != 200:
            return response
        return cast(HttpResponse, self.conditional.process_response(request, response))
