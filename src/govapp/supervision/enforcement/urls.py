"""Rectification, revocation, suspension-notice and typical-problem-notice pages (included by
supervision/urls.py, namespace "supervision")."""

from django.urls import path

from . import views

urlpatterns = [
    path("rectification/", views.order_list, name="order_list"),
    path("rectification/new/<int:app_pk>/", views.order_new, name="order_new"),
    path("rectification/<int:pk>/", views.order_detail, name="order_detail"),
    path("rectification/<int:pk>/<slug:action>/", views.order_action, name="order_action"),
    path("revoke/<int:app_pk>/", views.app_revoke, name="app_revoke"),
    path("suspensions/", views.suspension_inbox, name="suspension_inbox"),
    path("suspensions/<int:pk>/", views.suspension_detail, name="suspension_detail"),
    path("suspensions/<int:pk>/pdf/", views.suspension_pdf, name="suspension_pdf"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/pdf/", views.notice_pdf, name="notice_pdf"),
    path("notices/manage/", views.notice_manage, name="notice_manage"),
    path("notices/manage/<int:pk>/", views.notice_edit, name="notice_edit"),
]
