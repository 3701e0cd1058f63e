from django.urls import path

from .views import handling, public

app_name = "complaints"
urlpatterns = [
    path("new/", public.new, name="new"),
    path("sent/", public.submitted, name="submitted"),
    path("track/", public.track, name="track"),
    path("track/<str:receipt>/", public.status, name="status"),
    path("work/", handling.complaint_list, name="list"),
    path("work/<int:pk>/", handling.complaint_detail, name="detail"),
    path("work/<int:pk>/files/<int:file_pk>/", handling.attachment_download, name="attachment"),
    path("work/<int:pk>/<slug:slug>/", handling.complaint_action, name="action"),
]
