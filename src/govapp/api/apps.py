from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "govapp.api"
    label = "api"
