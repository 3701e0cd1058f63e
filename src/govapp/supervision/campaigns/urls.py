"""Spot-check and self-inspection campaign pages (included by supervision/urls.py, namespace "supervision")."""

from django.urls import path

from . import views

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/mine/", views.campaign_mine, name="campaign_mine"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/progress/", views.campaign_progress, name="campaign_progress"),
    path("campaigns/<int:pk>/<str:table>.<str:fmt>", views.campaign_export, name="campaign_export"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("campaigns/<int:pk>/report/", views.campaign_report, name="campaign_report"),
    path("campaigns/items/<int:pk>/", views.campaign_item, name="campaign_item"),
    path("campaigns/items/<int:pk>/upload/", views.campaign_item_upload, name="campaign_item_upload"),
    path("selfcheck/", views.selfcheck_list, name="selfcheck_list"),
    path("selfcheck/new/", views.selfcheck_new, name="selfcheck_new"),
    path("selfcheck/<int:pk>/", views.selfcheck_detail, name="selfcheck_detail"),
    path("selfcheck/<int:pk>/close/", views.selfcheck_close, name="selfcheck_close"),
    path("selfcheck/returns/<int:pk>/", views.selfcheck_return, name="selfcheck_return"),
    path("selfcheck/returns/<int:pk>/attachment/", views.selfcheck_attachment, name="selfcheck_attachment"),
]
