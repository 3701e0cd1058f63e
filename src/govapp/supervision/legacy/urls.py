"""Legacy-app deadline pages, included by supervision/urls.py under the "supervision" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("legacy/", views.legacy_list, name="legacy_list"),
    path("legacy/export.csv", views.legacy_export, {"fmt": "csv"}, name="legacy_export_csv"),
    path("legacy/export.xlsx", views.legacy_export, {"fmt": "xlsx"}, name="legacy_export_xlsx"),
    path("legacy/new/", views.legacy_new, name="legacy_new"),
    path("legacy/import/", views.legacy_import, name="legacy_import"),
    path("legacy/template.xlsx", views.legacy_template, name="legacy_template"),
    path("legacy/<int:pk>/", views.legacy_detail, name="legacy_detail"),
    path("legacy/<int:pk>/edit/", views.legacy_edit, name="legacy_edit"),
    path("legacy/<int:pk>/start/", views.legacy_start, name="legacy_start"),
]
