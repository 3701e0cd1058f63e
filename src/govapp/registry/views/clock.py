"""The running working-day clock of a filing, as shown in queues and on the filing page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from govapp.core.calendar import LIMIT_NAMES, CalendarGap, workdays_between

from ..models import App, Filing


def _weekdays_between(a: dt.date, b: dt.date) -> int:
    """Monday–Friday count, used (and marked provisional) where the official calendar is missing."""
    sign = 1
    if b < a:
        a, b, sign = b, a, -1
    # Whole weeks at once: a due date years away must not cost a loop over every day.
    weeks, rest = divmod((b - a).days, 7)
    count = weeks * 5 + sum(1 for i in range(1, rest + 1) if (a.weekday() + i) % 7 < 5)
    return sign * count


@dataclass(frozen=True)
class Clock:
    limit: str
    days: int | None
    name: str
    start: dt.date | None
    due: dt.date
    left: int
    provisional: bool
    extended: bool

    @property
    def overdue(self) -> bool:
        return self.left < 0

    @property
    def urgent(self) -> bool:
        return 0 <= self.left <= 2

    @property
    def limit_text(self) -> str:
        if self.days is None:
            return self.limit
        # The name of the limit, never its settings key (RECTIFY, N2): people read the name.
        return ngettext("%(name)s: %(days)d working day", "%(name)s: %(days)d working days", self.days) % {
            "name": self.name,
            "days": self.days,
        }

    @property
    def countdown(self) -> str:
        if self.left < 0:
            return ngettext("%(n)d working day overdue", "%(n)d working days overdue", -self.left) % {
                "n": -self.left
            }
        if self.left == 0:
            return _("due today")
        return ngettext("%(n)d working day left", "%(n)d working days left", self.left) % {"n": self.left}

    def __str__(self) -> str:
        parts = [self.limit_text, _("due %(date)s") % {"date": self.due.isoformat()}, self.countdown]
        text = " · ".join(parts)
        if self.provisional:
            text += " · " + _("provisional")
        return text


def countdown(due: dt.date, today: dt.date | None = None) -> tuple[int, bool]:
    """Working days from today to ``due`` (negative when overdue) and whether the count is provisional."""
    today = today or timezone.localdate()
    try:
        return workdays_between(today, due), False
    except CalendarGap:
        return _weekdays_between(today, due), True


def filing_clock(filing: Filing, today: dt.date | None = None) -> Clock | None:
    """The filing's running clock, or None when no limit runs (draft, returned, decided)."""
    if not filing.clock_due or not filing.clock_limit:
        return None
    left, gap = countdown(filing.clock_due, today)
    limit = filing.clock_limit
    return Clock(
        limit=limit,
        days=settings.GOVAPP_LIMITS.get(limit),
        name=str(LIMIT_NAMES.get(limit, limit)),
        start=filing.clock_start,
        due=filing.clock_due,
        left=left,
        provisional=filing.clock_provisional or gap,
        extended=filing.extended,
    )


def deregistration_clock(app: App, today: dt.date | None = None) -> Clock | None:
    """After a shutdown notice: the offline report is due N5 working days after going offline."""
    if not app.deregistration_due:
        return None
    left, gap = countdown(app.deregistration_due, today)
    return Clock(
        limit="N5",
        days=settings.GOVAPP_LIMITS.get("N5"),
        name=str(LIMIT_NAMES["N5"]),
        start=app.offline_date,
        due=app.deregistration_due,
        left=left,
        provisional=app.deregistration_due_provisional or gap,
        extended=False,
    )
