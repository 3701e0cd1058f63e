"""Register data for the public tests, made through the real services (no row is written by hand)."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.utils import timezone

from govapp.registry import services
from govapp.registry.models import App, Filing
from tests.factories import add_attachment, attach_packages, complete_filing


def approve(filing: Filing, *, filer: Any, provincial_reviewer: Any, national_reviewer: Any) -> App:
    """Submit, forward (unless central) and approve; returns the filed app."""
    services.filing_submit(filing=filing, actor=filer)
    filing = Filing.objects.get(pk=filing.pk)  # protected state fields forbid refresh_from_db()
    if filing.state == Filing.State.PROVINCIAL_REVIEW:
        services.filing_forward(filing=filing, actor=provincial_reviewer)
    services.filing_approve(filing=filing, actor=national_reviewer)
    return App.objects.select_related("current_number", "unit").get(pk=filing.app_id)


@dataclasses.dataclass
class Register:
    filed: App
    revoked: App
    deregistered: App
    refiled: App  # revoked, then filed again: its first number is superseded
    first_number: str  # the superseded number of `refiled`
    mini: App
    central: App
    draft: Filing  # never submitted
    pending: Filing  # submitted, never approved


def build_register(
    *, filer: Any, other_filer: Any, ministry_filer: Any, provincial_reviewer: Any, national_reviewer: Any
) -> Register:
    people = {"provincial_reviewer": provincial_reviewer, "national_reviewer": national_reviewer}
    filed = approve(complete_filing(filer, name="浙里办"), filer=filer, **people)
    revoked = approve(
        complete_filing(
            filer,
            name="杭州打卡通",
            android_package="cn.gov.hz.daka",
            android_cert_sha256="b" * 64,
            harmony_bundle="",
        ),
        filer=filer,
        **people,
    )
    services.app_order_rectification(app=revoked, actor=national_reviewer, reason="强制打卡")
    services.app_revoke(app=revoked, actor=national_reviewer, reason="强制打卡，整改逾期")
    deregistered = approve(
        complete_filing(
            other_filer,
            name="宁波旧平台",
            android_package="cn.gov.nb.old",
            harmony_bundle="",
            android_cert_sha256="c" * 64,
        ),
        filer=other_filer,
        **people,
    )
    today = timezone.localdate()
    services.shutdown_announce(
        app=deregistered, actor=other_filer, notice="https://nb.gov.cn/notice", offline_date=today
    )
    services.app_deregister(app=deregistered, actor=other_filer, report="已于今日下线并告知用户")
    refiled = approve(
        complete_filing(
            filer,
            name="杭州办事",
            android_package="cn.gov.hz.banshi",
            harmony_bundle="",
            android_cert_sha256="d" * 64,
        ),
        filer=filer,
        **people,
    )
    first_number = number_of(refiled)
    services.app_order_rectification(app=refiled, actor=national_reviewer, reason="存在积分排名")
    services.app_revoke(app=refiled, actor=national_reviewer, reason="整改未通过")
    refiling = services.refiling_start(app=refiled, actor=filer)
    add_attachment(refiling)  # the signed commitment is given anew for each procedure
    attach_packages(refiling)
    refiled = approve(refiling, filer=filer, **people)
    mini = approve(
        complete_filing(
            other_filer, name="宁波随申码", kind="mini_program", miniprogram_appid="wxabcdef1234567890"
        ),
        filer=other_filer,
        **people,
    )
    central = approve(
        complete_filing(
            ministry_filer,
            name="水利一张图",
            android_package="cn.gov.mwr.map",
            harmony_bundle="cn.gov.mwr.map",
            android_cert_sha256="e" * 64,
        ),
        filer=ministry_filer,
        **people,
    )
    draft = complete_filing(filer, name="秘密草稿应用", android_package="cn.gov.hz.draft")
    pending = complete_filing(other_filer, name="审核中应用", android_package="cn.gov.nb.pending")
    services.filing_submit(filing=pending, actor=other_filer)
    return Register(
        filed=filed,
        revoked=revoked,
        deregistered=deregistered,
        refiled=refiled,
        first_number=first_number,
        mini=mini,
        central=central,
        draft=draft,
        pending=pending,
    )


def number_of(app: App) -> str:
    number = App.objects.select_related("current_number").get(pk=app.pk).current_number
    assert number is not None
    return number.number
