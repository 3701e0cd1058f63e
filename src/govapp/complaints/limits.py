"""Per-address limits on sending complaints and on looking up receipts (on top of the public page limit).

Sending is limited per hour (a person rarely has more than a few complaints; a script has many); lookups
per minute, which with 60-bit receipt codes makes guessing hopeless. Counted by core.ratelimit.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from govapp.core.ratelimit import count_in_window

SUBMIT_WINDOW = 3600
LOOKUP_WINDOW = 60


def submit_limit() -> int:
    return int(getattr(settings, "GOVAPP_COMPLAINTS_PER_HOUR", 5))


def lookup_limit() -> int:
    return int(getattr(settings, "GOVAPP_COMPLAINT_LOOKUPS_PER_MINUTE", 60))


def check_submit(request: HttpRequest, *, consume: bool) -> None:
    """Raise RateLimited when the address has sent its complaints for this hour; ``consume`` counts one."""
    count_in_window(
        request, scope="complaint-submit", limit=submit_limit(), window=SUBMIT_WINDOW, consume=consume
    )


def check_lookup(request: HttpRequest) -> None:
    count_in_window(request, scope="complaint-lookup", limit=lookup_limit(), window=LOOKUP_WINDOW)
