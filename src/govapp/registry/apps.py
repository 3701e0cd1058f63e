from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "govapp.registry"
    label = "registry"

    def ready(self) -> None:
        from govapp.core.clocks import register_clock_owner

        from .clocks import PAGES, recompute_provisional_clocks

        register_clock_owner("registry", recompute_provisional_clocks, pages=PAGES)
