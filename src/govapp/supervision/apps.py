from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "govapp.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        # Rectification and revocation consequences: the registry records every revocation and approval
        # as a FilingEvent; supervision reacts to those rows (see supervision/suspension.py).
        from govapp.core.scheduler import register_time_rule

        from . import suspension
        from .rectification import rectification_mark_overdue

        suspension.connect()
        register_time_rule("rectification_overdue", rectification_mark_overdue)
        register_time_rule("suspension_lift_refiled", suspension.lift_refiled)
