from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "govapp.complaints"
    label = "complaints"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from govapp.core import calendar
        from govapp.core.scheduler import register_time_rule

        from .services import complaints_mark_overdue

        # deadline_for() names every limit it counts; complaint handling is ours (settings "COMPLAINT").
        calendar.LIMIT_NAMES.setdefault("COMPLAINT", gettext_lazy("complaint handling"))
        register_time_rule("complaints_overdue", complaints_mark_overdue)
