from django.urls import path

from . import views_calendar, views_home

app_name = "core"
urlpatterns = [
    path("", views_home.home, name="home"),
    path("inbox/", views_home.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", views_home.inbox_read, name="inbox_read"),
    path("inbox/read-all/", views_home.inbox_read_all, name="inbox_read_all"),
    path("calendar/", views_calendar.calendar_page, name="calendar"),
]
