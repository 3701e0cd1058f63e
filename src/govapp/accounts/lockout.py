"""Lockout after repeated wrong passwords (django-axes): what a locked-out person sees, what admins lift."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from govapp.core.ratelimit import client_address


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the rate limits see it (trusted proxies honoured); None when unknown."""
    address = client_address(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


@dataclass(frozen=True)
class Lockout:
    """One locked account or address, as the admin page lists it."""

    attempt_id: int
    username: str
    ip_address: str
    failures: int
    last_failure: dt.datetime
    locked_until: dt.datetime


def _cool_off() -> dt.timedelta:
    return get_cool_off() or dt.timedelta(0)


def locked_until_for(*, username: str, ip_address: str | None) -> dt.datetime | None:
    """When the lock on this account or address ends; None when neither is locked."""
    now = timezone.now()
    match = Q(username=username) if username else Q(pk__in=[])
    if ip_address:
        match |= Q(ip_address=ip_address)
    latest = (
        AccessAttempt.objects.filter(match, failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if latest is None or latest + _cool_off() <= now:
        return None
    return latest + _cool_off()


def current_lockouts() -> list[Lockout]:
    """Accounts and addresses locked now, the most recent first."""
    since = timezone.now() - _cool_off()
    rows = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gt=since
    ).order_by("-attempt_time")
    return [
        Lockout(
            attempt_id=row.pk,
            username=row.username or "",
            ip_address=row.ip_address or "",
            failures=row.failures_since_start,
            last_failure=row.attempt_time,
            locked_until=row.attempt_time + _cool_off(),
        )
        for row in rows
    ]


def lift_lockout(*, attempt_id: int) -> int:
    """Forget the failures behind one lockout (its account and its address); returns rows removed."""
    row = AccessAttempt.objects.filter(pk=attempt_id).first()
    if row is None:
        return 0
    removed = 0
    if row.username:
        removed += reset(username=row.username)
    if row.ip_address:
        removed += reset(ip=row.ip_address)
    return removed


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """The page a locked-out person sees instead of the sign-in form: until when, and whom to ask."""
    username = str((credentials or {}).get("username") or request.POST.get("username", ""))
    until = locked_until_for(username=username, ip_address=client_ip(request))
    # Rendered here: axes returns this from its middleware, after the template-response phase.
    return render(
        request,
        "accounts/locked.html",
        {
            "locked_until": until,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "help": settings.GOVAPP_SIGNIN_HELP,
        },
        status=429,
    )
