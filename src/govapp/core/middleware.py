"""Chinese is served by default; English only when the user chose it (cookie or ?lang=)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

_SUPPORTED = {code for code, _name in settings.LANGUAGES}


class ChineseFirstLocaleMiddleware:
    """Unlike LocaleMiddleware, ignores Accept-Language: the regulation's terms are Chinese."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.GET.get("lang") or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen.lower() if chosen and chosen.lower() in _SUPPORTED else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # override() restores whatever was active before, so a request leaves no language behind.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
