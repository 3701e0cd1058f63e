"""The running working-day clock of a filing, as shown in queues and on the filing page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from govapp.core.calendar import LIMIT_NAMES, Countdown, countdown

from ..choices import FilingState
from ..models import App, Filing


@dataclass(frozen=True)
class Clock:
    """A running working-day limit with its countdown, as the queues and pages show it."""

    limit: str
    days: int | None
    name: str
    start: dt.date | None
    due: dt.date
    left: int
    provisional: bool
    extended: bool

    @classmethod
    def running(
        cls, *, limit: str, countdown: Countdown, start: dt.date | None = None, days: int | None = None,
        extended: bool = False,
    ) -> Clock:  # fmt: skip
        """The clock of ``limit`` (days: the configured number unless a decision set its own)."""
        return cls(
            limit=limit, days=days if days is not None else settings.GOVAPP_LIMITS.get(limit),
            name=str(LIMIT_NAMES.get(limit, limit)), start=start, due=countdown.due, left=countdown.days_left,
            provisional=countdown.provisional, extended=extended,
        )  # fmt: skip

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


def filing_clock(filing: Filing, today: dt.date | None = None) -> Clock | None:
    """The filing's running clock, or None when no limit runs (draft, returned, decided)."""
    if not filing.clock_due or not filing.clock_limit:
        return None
    return Clock.running(
        limit=filing.clock_limit,
        start=filing.clock_start,
        countdown=countdown(filing.clock_due, today=today, provisional=filing.clock_provisional),
        extended=filing.extended,
    )


def deregistration_clock(app: App, today: dt.date | None = None) -> Clock | None:
    """After a shutdown notice: the offline report is due N5 working days after going offline."""
    # The limit runs only while the report is awaited: once deregistered (or revoked) nothing is due.
    if not app.deregistration_due or app.state != FilingState.SHUTDOWN_NOTICED:
        return None
    return Clock.running(
        limit="N5",
        start=app.offline_date,
        countdown=countdown(
            app.deregistration_due, today=today, provisional=app.deregistration_due_provisional
        ),
    )
