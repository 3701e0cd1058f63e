"""Demo data for the embedded mode: units in three provinces and the centre, one login per role, and
about thirty apps whose stories end in every state of both state machines.

Everything is written through the services exactly as users would, each step at its own date in the
story (``teller``), so that every history, clock and notification agrees with itself. States are never
assigned. Demo mode only: every login shares ``DEMO_PASSWORD``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings

from govapp.accounts.models import Role, Unit, User

from . import consolidation, drift
from .people import DEMO_PASSWORD, UNITS, USERS, create_people
from .stories import EARLIEST, STORIES
from .teller import _Teller

__all__ = ["DEMO_PASSWORD", "EARLIEST", "STORIES", "UNITS", "USERS", "create_people", "load_demo",
           "demo_present", "logins_table"]  # fmt: skip

# The name the tests and older callers use.
_create_people = create_people


def load_demo() -> dict[str, int]:
    """Create the demo units, logins and apps in an empty database; returns counts. Refuses otherwise."""
    if not settings.GOVAPP_DEMO_ALLOWED:
        # The demo logins share one published password: never in a production database.
        raise RuntimeError(
            f"Demo data is loaded only in embedded mode (GOVAPP_MODE=embedded); this is {settings.GOVAPP_MODE}."
        )
    if Unit.objects.exists() or User.objects.filter(username__in=list(USERS)).exists():
        raise RuntimeError(
            "The database already has units or demo users; demo data goes only into an empty one."
        )
    # Demo notifications stay in the in-app inbox: no mail to the example addresses.
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        users = create_people()
        apps = [_Teller(story, users).tell() for story in STORIES]
        figures = consolidation.load_consolidation(users)
        figures["drifted"] = drift.show_drift()
    return {"units": len(UNITS), "users": len(users), "apps": len(apps), **figures}


def demo_present() -> bool:
    """True when the demo logins exist (so that `govapp serve` can print them)."""
    return User.objects.filter(username__in=list(USERS), is_active=True).count() == len(USERS)


def logins_table() -> str:
    """The demo logins as a text table: username, password, role, unit."""
    rows = [("username", "password", "role", "unit")]
    for username, (role, unit, _display) in USERS.items():
        rows.append((username, DEMO_PASSWORD, str(Role(role).label), UNITS[unit][0]))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["Demo logins (demo mode only — every account shares the demo password):"]
    for row in rows:
        lines.append(
            "  "
            + "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=False))
            + "  "
            + row[3]
        )
    return "\n".join(lines)
