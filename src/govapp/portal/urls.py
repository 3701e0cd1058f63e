from django.urls import path

from . import drift, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", views.inbox_read, name="inbox_read"),
    path("inbox/read-all/", views.inbox_read_all, name="inbox_read_all"),
    path("drift/", drift.drift_list, name="drift"),
    path("drift/<int:pk>/order/", drift.drift_order, name="drift_order"),
]
