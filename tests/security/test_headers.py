"""Response headers and error pages a national deployment needs: CSP everywhere, a 503 on outage."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "govapp" / "templates"


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/register/", "/verify/", "/complaints/new/", "/accounts/login/",
                                 "/api/v1/public/filings", "/api/v1/docs", "/healthz", "/no-such-page/"])  # fmt: skip
def test_every_response_carries_a_policy_without_inline_script(url: str) -> None:
    response = Client().get(url)
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_no_template_carries_an_inline_script_or_event_handler() -> None:
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{template.name}: {tag}")
        if re.search(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", text):
            offenders.append(f"{template.name}: event handler attribute")
    assert offenders == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "title"),
    [("zh-hans", "服务暂时不可用"), ("en", "Service temporarily unavailable")],
)
def test_an_unreachable_database_answers_our_503_page(monkeypatch, lang: str, title: str) -> None:  # type: ignore[no-untyped-def]
    def refuse(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    client = Client(raise_request_exception=False)
    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = client.get(f"/register/?lang={lang}")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert f"<title>{title}</title>" in body
    assert "5432" not in body and "Traceback" not in body
