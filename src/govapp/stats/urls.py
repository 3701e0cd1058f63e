from django.urls import path

from . import published, views

app_name = "statistics"

urlpatterns = [
    path("", views.statistics_page, name="page"),
    path("export.csv", views.statistics_export, {"fmt": "csv"}, name="export_csv"),
    path("export.xlsx", views.statistics_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("report.pdf", views.monthly_report, name="report"),
    path("rows/<slug:key>/", views.rows_page, name="rows"),
    path("rows/<slug:key>/export.csv", views.rows_export, {"fmt": "csv"}, name="rows_export_csv"),
    path("rows/<slug:key>/export.xlsx", views.rows_export, {"fmt": "xlsx"}, name="rows_export_xlsx"),
    path("published/", published.published_page, name="published"),
]
