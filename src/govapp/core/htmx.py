"""The request of a view that answers htmx: django-htmx's middleware sets ``request.htmx`` on every request."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """For annotations only (the type django-htmx recommends); requests stay plain HttpRequests."""

    htmx: HtmxDetails
