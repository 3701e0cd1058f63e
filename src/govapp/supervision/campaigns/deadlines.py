"""The time rule of campaigns: spot-check packages and self-inspection answers past or near their due date."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .selfcheck import selfcheck_deadlines
from .spot_check import spot_check_deadlines


def campaign_deadlines(*, today: dt.date | None = None) -> int:
    """Time rule "campaign_deadlines": spot-check packages and self-inspection answers. Idempotent."""
    today = today or timezone.localdate()
    return spot_check_deadlines(today=today) + selfcheck_deadlines(today=today)
