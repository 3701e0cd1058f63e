from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "govapp.complaints"
    label = "complaints"
