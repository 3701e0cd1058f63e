"""Complaint fixtures: filed apps in Zhejiang, Jiangsu and of a ministry, and a fresh rate-limit budget."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from govapp.complaints import services
from govapp.complaints.models import Complaint
from govapp.registry import services as registry_services
from govapp.registry.models import App
from tests.conftest import login
from tests.factories import complete_filing
from tests.public.builders import approve


def in_english(client: Client) -> Client:
    """Pages default to Chinese; the assertions read the English msgids (the cookie is the user's choice)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def client(client):  # type: ignore[no-untyped-def]
    return in_english(client)


@pytest.fixture
def client_for():  # type: ignore[no-untyped-def]
    return lambda user: in_english(login(user))


@pytest.fixture
def no_technical_test(monkeypatch):  # type: ignore[no-untyped-def]
    """Approval normally waits for a package scan; complaints are not about the technical test."""
    monkeypatch.setattr(registry_services, "APPROVAL_CHECKS", [])


@dataclasses.dataclass
class Apps:
    zj: App  # filed, unit in Zhejiang (filer's unit)
    js: App  # filed, unit in Jiangsu
    central: App  # filed, a ministry's
    draft: App  # never filed, Zhejiang


@pytest.fixture
def apps(
    filer,
    far_filer,
    ministry_filer,
    provincial_reviewer,
    other_provincial_reviewer,  # type: ignore[no-untyped-def]
    national_reviewer,
    no_technical_test,
) -> Apps:
    zj = approve(
        complete_filing(filer, name="浙里打卡"),
        filer=filer,
        provincial_reviewer=provincial_reviewer,
        national_reviewer=national_reviewer,
    )
    js = approve(
        complete_filing(
            far_filer,
            name="苏政通",
            android_package="cn.gov.js.tong",
            android_cert_sha256="b" * 64,
            harmony_bundle="",
        ),
        filer=far_filer,
        provincial_reviewer=other_provincial_reviewer,
        national_reviewer=national_reviewer,
    )
    central = approve(
        complete_filing(
            ministry_filer,
            name="水利一张图",
            android_package="cn.gov.mwr.map",
            android_cert_sha256="e" * 64,
            harmony_bundle="",
        ),
        filer=ministry_filer,
        provincial_reviewer=provincial_reviewer,
        national_reviewer=national_reviewer,
    )
    draft = complete_filing(filer, name="杭州草稿应用", android_package="cn.gov.hz.draft").app
    return Apps(zj=zj, js=js, central=central, draft=draft)


def submit(**overrides: Any) -> Complaint:
    """A valid anonymous complaint through the service, with any field overridden."""
    values: dict[str, Any] = {
        "category": "checkin",
        "description": "每天早上必须在应用里打卡签到，没打卡的人会被通报。",
        "app_name": "浙里打卡",
    }
    values.update(overrides)
    return services.complaint_submit(**values)
