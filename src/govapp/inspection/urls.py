from django.urls import path

from . import views

app_name = "inspection"
urlpatterns = [
    path("filings/<int:pk>/", views.panel, name="panel"),
    path("filings/<int:pk>/package/", views.upload, name="upload"),
    path("filings/<int:pk>/rescan/", views.rescan, name="rescan"),
    path("scans/<int:pk>/", views.report, name="report"),
    path("scans/<int:pk>/report.json", views.report_json, name="report_json"),
    path("scans/<int:pk>/report.html", views.report_html, name="report_html"),
]
