from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "govapp.accounts"
    label = "accounts"

    def ready(self) -> None:
        # django-cas-ng writes its CAS_* defaults into the settings when first imported: import it at
        # start-up, not inside the first CAS request (whose settings may be a temporary override).
        import django_cas_ng  # noqa: F401
