"""The OpenAPI document and the documentation page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_openapi_document_lists_the_public_paths_with_named_schemas() -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/public/filings/{number}" in document["paths"]
    assert "/api/v1/public/filings" in document["paths"]
    schemas = document["components"]["schemas"]
    assert {"PublicFilingOut", "PublicFilingPage", "ErrorOut"} <= set(schemas)
    assert schemas["PublicFilingOut"]["description"]
    assert schemas["PublicFilingOut"]["properties"]["status"]["description"]
    listing = document["paths"]["/api/v1/public/filings"]["get"]
    assert {"q", "package", "bundle", "appid", "cert_sha256", "page", "page_size"} <= {
        p["name"] for p in listing["parameters"]
    }


def test_docs_page_loads_nothing_from_outside() -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert Client().get("/static/ninja/swagger-ui-bundle.js").status_code == 200
    external = re.findall(r"""(?:src|href)=["'](?:https?:)?//[^"']+""", html)
    assert external == []
