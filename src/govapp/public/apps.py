from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "govapp.public"
    label = "public"
