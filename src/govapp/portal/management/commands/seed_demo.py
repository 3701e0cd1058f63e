"""`govapp seed_demo`: load the demo units, logins and apps into an empty database (demo mode only)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from govapp.portal import demo


class Command(BaseCommand):
    help = "Load demo data (units in three provinces, one login per role, ~30 apps in every state)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = demo.load_demo()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Loaded {counts['units']} units, {counts['users']} logins and {counts['apps']} apps."
        )
        self.stdout.write(demo.logins_table())
