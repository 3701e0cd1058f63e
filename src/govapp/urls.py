from django.urls import include, path
from django.views.i18n import set_language

from govapp.api.urls import api
from govapp.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("accounts/", include("govapp.accounts.urls")),
    path("work/", include("govapp.portal.urls")),
    path("work/", include("govapp.core.urls")),
    path("filings/", include("govapp.registry.urls")),
    path("inspection/", include("govapp.inspection.urls")),
    path("supervision/", include("govapp.supervision.urls")),
    path("complaints/", include("govapp.complaints.urls")),
    path("consolidation/", include("govapp.consolidation.urls")),
    path("statistics/", include("govapp.stats.urls")),
    path("", include("govapp.public.urls")),
]

handler400 = "govapp.core.views.bad_request"
handler403 = "govapp.core.views.permission_denied"
handler404 = "govapp.core.views.page_not_found"
handler500 = "govapp.core.views.server_error"
