from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "govapp.registry"
    label = "registry"

    def ready(self) -> None:
        # Registered here rather than named in core: core is the bottom layer and imports no other app.
        from govapp.core.clocks import register_clock_owner
        from govapp.core.scheduler import register_time_rule

        from .changes import changes_take_effect
        from .clocks import PAGES, recompute_provisional_clocks
        from .services import filings_abandon_overdue

        register_clock_owner("registry", recompute_provisional_clocks, pages=PAGES)
        register_time_rule("filings_abandon_overdue", filings_abandon_overdue)
        register_time_rule("changes_take_effect", changes_take_effect)
