from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "govapp.accounts"
    label = "accounts"
