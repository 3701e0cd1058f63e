from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "govapp.public"
    label = "public"

    def ready(self) -> None:
        from django.db import transaction
        from django.db.models.signals import post_delete, post_save

        from govapp.accounts.models import Unit
        from govapp.registry.models import App, FilingNumber

        from .queries import register_changed

        def changed(**kwargs: object) -> None:
            # Now, so that this transaction's own reads count afresh, and after the commit, so that a count
            # another request cached in between from the old rows is not kept.
            register_changed()
            transaction.on_commit(register_changed)

        for model in (App, FilingNumber, Unit):
            post_save.connect(
                changed, sender=model, weak=False, dispatch_uid=f"public-register-{model.__name__}-save"
            )
            post_delete.connect(
                changed, sender=model, weak=False, dispatch_uid=f"public-register-{model.__name__}-delete"
            )
