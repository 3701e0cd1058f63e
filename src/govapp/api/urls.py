"""The JSON API (django-ninja); OpenAPI 3.1 at /api/v1/openapi.json."""

from ninja import NinjaAPI

from govapp import __version__

api = NinjaAPI(
    title="GovApp Registry API",
    version=__version__,
    description="政务应用程序规范化管理系统 — public verification, complaints and app-store look-ups.",
    urls_namespace="api",
)
