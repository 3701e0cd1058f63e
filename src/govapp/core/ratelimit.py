"""Per-client rate limit of the public pages and API, counted on the Django cache.

One fixed one-minute window per client address: simple, one cache round trip per request, and
good enough against scraping of the register. Pages and API share the budget of an address.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache, wraps
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

WINDOW_SECONDS = 60


class RateLimited(Exception):
    """The client used up this minute's budget; retry_after is whole seconds to the next window."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limit exceeded, retry after {retry_after} s")
        self.retry_after = retry_after


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ip_network(item, strict=False) for item in trusted)


def _is_trusted(address: str, networks: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or, when the request came from a trusted proxy (GOVAPP_TRUSTED_PROXIES), the
    address that proxy chain received it from.

    Each proxy appends the address it received the request from. Read from the right, entries
    appended by our own proxies are skipped; the first one that is not a trusted proxy is the client.
    Everything further left was written by the client and is forgeable, and a header on a request
    that did not come from a trusted proxy is ignored altogether.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    networks = _networks(tuple(getattr(settings, "GOVAPP_TRUSTED_PROXIES", ())))
    if not networks or not _is_trusted(remote, networks):
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    client = remote
    for entry in reversed(forwarded):
        client = entry
        if not _is_trusted(entry, networks):
            break
    return client


def check_rate(request: HttpRequest, *, scope: str = "public") -> None:
    """Count this request; raise RateLimited when the address is over GOVAPP_PUBLIC_RATE_LIMIT per minute."""
    # 0 or less switches the limit off (e.g. behind a gateway that limits already)
    count_in_window(request, scope=scope, limit=settings.GOVAPP_PUBLIC_RATE_LIMIT, window=WINDOW_SECONDS)


def count_in_window(
    request: HttpRequest, *, scope: str, limit: int, window: int, consume: bool = True
) -> None:
    """One fixed window of ``window`` seconds per (scope, client address): count this request (or with
    ``consume`` False only look) and raise RateLimited once more than ``limit`` fall in the window.
    A ``limit`` of 0 or less counts nothing."""
    if limit <= 0:
        return
    now = time.time()
    slot = int(now // window)
    key = f"ratelimit:{scope}:{client_address(request)}:{slot}"
    retry_after = max(1, int((slot + 1) * window - now + 0.999))
    if not consume:
        if (cache.get(key) or 0) >= limit:
            raise RateLimited(retry_after)
        return
    # add() is atomic where the backend supports it; the first request of a window sets the counter.
    if cache.add(key, 1, timeout=window + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window + 5)
            count = 1
    if count > limit:
        raise RateLimited(retry_after)


def rate_limited_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a public page: over the limit, a friendly 429 page with Retry-After."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            check_rate(request)
        except RateLimited as exc:
            response = render(request, "errors/429.html", {"retry_after": exc.retry_after}, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        return view(request, *args, **kwargs)

    return wrapper
