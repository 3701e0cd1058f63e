from django.urls import path

from .views import actions, apps, assignment, filings, marks, printing

app_name = "registry"
urlpatterns = [
    path("", filings.filing_list, name="filing_list"),
    path("new/", filings.filing_create, name="filing_create"),
    path("<int:pk>/", filings.filing_detail, name="filing_detail"),
    path("<int:pk>/edit/<slug:step>/", filings.filing_edit, name="filing_edit"),
    path("documents/<int:pk>/", filings.attachment_download, name="attachment_download"),
    path("documents/<int:pk>/delete/", filings.attachment_delete, name="attachment_delete"),
    path("apps/<int:pk>/", apps.app_detail, name="app_detail"),
    path("<int:pk>/assign/", assignment.filing_assign, name="filing_assign"),
    path("<int:pk>/print/", printing.filing_print, name="filing_print"),
    path("<int:pk>/opinion/", assignment.filing_opinion, name="filing_opinion"),
    path("<int:pk>/mark/", marks.filing_mark, name="filing_mark"),
    path("<int:pk>/mark/clear/", marks.filing_mark_clear, name="filing_mark_clear"),
    path("phrases/", marks.phrase_list, name="phrase_list"),
    path("phrases/<int:pk>/remove/", marks.phrase_retire, name="phrase_retire"),
]
# One URL per action, so that each has its own name (the URL walk and templates use them).
urlpatterns += [
    path(
        f"<int:pk>/{slug.replace('_', '-')}/", actions.filing_action, {"action": slug}, name=f"filing_{slug}"
    )
    for slug in actions.FILING_ACTIONS
]
urlpatterns += [
    path(f"apps/<int:pk>/{slug.replace('_', '-')}/", actions.app_action, {"action": slug}, name=f"app_{slug}")
    for slug in actions.APP_ACTIONS
]
