from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "govapp.supervision"
    label = "supervision"
