from django.urls import path

from .views import plans, search_reviews

app_name = "consolidation"
urlpatterns = [
    path("similar/", search_reviews.similar_search, name="similar"),
    path("reviews/", search_reviews.review_list, name="review_list"),
    path("reviews/new/", search_reviews.review_new, name="review_new"),
    path("reviews/<int:pk>/", search_reviews.review_detail, name="review_detail"),
    path("mine/", search_reviews.obligations, name="obligations"),
    path("funding/", search_reviews.funding_inbox, name="funding_inbox"),
    path("plans/", plans.plan_index, name="plan_index"),
    path("plans/<slug:slug>/", plans.plan_detail, name="plan_detail"),
    path("plans/<slug:slug>/start/", plans.plan_start, name="plan_start"),
    path("plans/<slug:slug>/settings/", plans.plan_settings, name="plan_settings"),
    path("plans/<slug:slug>/decide/", plans.plan_decide, name="plan_decide"),
    path("plans/<slug:slug>/cluster/", plans.plan_cluster, name="plan_cluster"),
    path("plans/<slug:slug>/report-overdue/", plans.plan_report_overdue, name="plan_report_overdue"),
]
