from django.urls import path

from . import decision_views, views

app_name = "inspection"
urlpatterns = [
    path("filings/<int:pk>/", views.panel, name="panel"),
    path("filings/<int:pk>/package/", views.upload, name="upload"),
    path("filings/<int:pk>/rescan/", views.rescan, name="rescan"),
    path("scans/<int:pk>/", views.report, name="report"),
    path("scans/<int:pk>/report.json", views.report_json, name="report_json"),
    path("scans/<int:pk>/report.html", views.report_html, name="report_html"),
    path("scans/<int:pk>/decide/", decision_views.decide, name="decide"),
    path("filings/<int:pk>/key-change/", decision_views.key_change, name="key_change"),
    path(
        "filings/<int:pk>/conflict/<str:outcome>/", decision_views.conflict_resolve, name="conflict_resolve"
    ),
    path("rules/precision/", decision_views.precision, name="precision"),
]
