from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "govapp.registry"
    label = "registry"

    def ready(self) -> None:
        from govapp.core.clocks import register_clock_owner
        from govapp.core.scheduler import register_time_rule

        from .changes import changes_take_effect
        from .clocks import PAGES, recompute_provisional_clocks

        register_clock_owner("registry", recompute_provisional_clocks, pages=PAGES)
        register_time_rule("changes_take_effect", changes_take_effect)
