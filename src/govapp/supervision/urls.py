from django.urls import URLPattern, URLResolver, include, path

app_name = "supervision"

# One URL module per context, all under the "supervision" namespace (the URL names are the public ones).
urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("govapp.supervision.enforcement.urls")),
    path("", include("govapp.supervision.campaigns.urls")),
    path("", include("govapp.supervision.legacy.urls")),
]
