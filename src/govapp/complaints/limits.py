"""Per-address limits on sending complaints and on looking up receipts (on top of the public page limit).

Sending is limited per hour (a person rarely has more than a few complaints; a script has many); lookups
per minute, which with 60-bit receipt codes makes guessing hopeless. Counted like public.ratelimit.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from govapp.public.ratelimit import RateLimited, client_address

SUBMIT_WINDOW = 3600
LOOKUP_WINDOW = 60


def submit_limit() -> int:
    return int(getattr(settings, "GOVAPP_COMPLAINTS_PER_HOUR", 5))


def lookup_limit() -> int:
    return int(getattr(settings, "GOVAPP_COMPLAINT_LOOKUPS_PER_MINUTE", 60))


def _count(request: HttpRequest, *, scope: str, limit: int, window: int, consume: bool) -> None:
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


def check_submit(request: HttpRequest, *, consume: bool) -> None:
    """Raise RateLimited when the address has sent its complaints for this hour; ``consume`` counts one."""
    _count(request, scope="complaint-submit", limit=submit_limit(), window=SUBMIT_WINDOW, consume=consume)


def check_lookup(request: HttpRequest) -> None:
    _count(request, scope="complaint-lookup", limit=lookup_limit(), window=LOOKUP_WINDOW, consume=True)
