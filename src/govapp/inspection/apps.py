from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "govapp.inspection"
    label = "inspection"
