from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "govapp.registry"
    label = "registry"

    def ready(self) -> None:
        # Registered here rather than named in core: core is the bottom layer and imports no other app.
        from govapp.core.scheduler import register_time_rule

        from .services import filings_abandon_overdue

        register_time_rule("filings_abandon_overdue", filings_abandon_overdue)
