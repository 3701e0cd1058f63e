from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("verify/", views.verify, name="verify"),
    # What QR codes in apps encode; the number may be URL-encoded Chinese.
    path("verify/<str:number>/", views.verify, name="verify"),
    path("register/", views.register, name="list"),
    path("register/<str:number>/", views.verify, name="app"),
]
