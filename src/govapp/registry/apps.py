from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "govapp.registry"
    label = "registry"
