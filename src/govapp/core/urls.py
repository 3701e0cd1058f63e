from django.urls import path

from . import views_calendar

app_name = "core"
urlpatterns = [
    path("calendar/", views_calendar.calendar_page, name="calendar"),
]
