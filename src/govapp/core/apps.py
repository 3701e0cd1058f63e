from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _guard_recorded_rows(sender: AppConfig, using: str, **kwargs: Any) -> None:
    from django.db import connections

    from .db_guards import install_all

    install_all(connections[using])


class CoreConfig(AppConfig):
    name = "govapp.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # After every migrate (and flush): SQLite drops a table's triggers whenever it rebuilds it.
        post_migrate.connect(_guard_recorded_rows, sender=self, dispatch_uid="core.guard_recorded_rows")
