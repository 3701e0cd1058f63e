"""Builders for test data: units, users and complete filings, written through the real services."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from govapp.accounts.models import Unit, UnitFunction, UnitKind, UnitLevel, User
from govapp.registry import services
from govapp.registry.choices import AppKind, AttachmentKind
from govapp.registry.models import Attachment, Filing

PASSWORD = "correct-horse-battery"


def make_unit(
    name: str,
    *,
    level: str = UnitLevel.CITY,
    province: str = "33",
    function: str = UnitFunction.GOVERNMENT_UNIT,
    kind: str = UnitKind.ADMINISTRATIVE,
    parent: Unit | None = None,
) -> Unit:
    if level == UnitLevel.NATIONAL:
        province = ""
    return Unit.objects.create(
        name=name, level=level, province=province, function=function, kind=kind, parent=parent
    )


def make_user(username: str, *, role: str, unit: Unit | None, email: str = "") -> User:
    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        unit=unit,
        email=email or f"{username}@example.gov.cn",
        display_name=username,
    )


def make_totp_device(user: User) -> Any:
    """A confirmed authenticator for the user, as if enrolled; ``totp_code(device)`` gives its code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def totp_code(device: Any, *, steps_ago: int = 0) -> str:
    """The code the authenticator app shows now (or ``steps_ago`` 30-second steps earlier)."""
    import time

    from django_otp.oath import TOTP

    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    clock.time = int(time.time()) - steps_ago * device.step
    return f"{clock.token():0{device.digits}d}"


COMPLETE_MATERIALS: dict[str, Any] = {
    "platforms": ["android", "harmonyos"],
    "android_package": "cn.gov.zj.example",
    "android_cert_sha256": "a" * 64,
    "harmony_bundle": "cn.gov.zj.example",
    "responsible_name": "王明",
    "responsible_post": "信息中心主任",
    "responsible_phone": "0571-88888888",
    "responsible_email": "wangming@example.gov.cn",
    "approval_basis": "数字政府建设规划",
    "approval_content": "建设移动办公应用",
    "approval_result": "同意立项",
    "approval_doc_number": "浙发改信〔2026〕12号",
    "main_functions": "公文流转、通知公告、投诉建议",
    "om_team": "信息中心运维组，5人",
    "om_rules": "运维管理制度（2026版）",
    "technical_plan": "原生应用，后端部署于政务云",
    "security_testing": "2026年3月通过第三方安全测试",
    "mlps_level": "2",
    "mlps_assessment": "二级测评通过",
    "security_rules": "数据安全管理办法",
    "acceptance_requirements": "功能完备、性能稳定、交互便捷",
    "acceptance_content": "全部功能",
    "acceptance_result": "通过",
    "acceptance_opinion": "同意上线",
    "same_kind_apps": "无",
    "commitment_signed_by": "李华",
    "commitment_date": dt.date(2026, 11, 1),
    "commitment_confirmed": True,
}


def add_attachment(
    filing: Filing,
    *,
    kind: str = AttachmentKind.COMMITMENT,
    content: bytes = b"%PDF-1.4 commitment",
    name: str = "commitment.pdf",
) -> Attachment:
    digest = hashlib.sha256(content).hexdigest()
    attachment = Attachment(
        filing=filing,
        kind=kind,
        original_name=name,
        size=len(content),
        sha256=digest,
        content_type="application/pdf",
        uploaded_by=filing.created_by,
    )
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    return attachment


def workflow_package(filing: Filing, platform: str) -> tuple[str, bytes]:
    """A small package of ``platform`` for the filing's identifiers, recognised by its structure, as
    workflow tests upload it to complete the materials. The technical test's own tests upload real
    built and signed packages (tests/inspection/apkbuild.py, tests/inspection/builders/)."""
    from tests.inspection.builders import (
        hap,
        info_plist,
        ipa,
        macho,
        module_json,
        project_zip,
        quickapp_manifest,
        rpk,
        zip_bytes,
    )

    if platform == "android":
        files = {"AndroidManifest.xml": b"\x03\x00\x08\x00" + filing.android_package.encode(),
                 "classes.dex": b"dex\n035\x00"}  # fmt: skip
        return "app-release.apk", zip_bytes(files)
    if platform == "harmonyos":
        return "entry-default-signed.hap", hap(
            manifest=module_json(filing.harmony_bundle or "cn.gov.example")
        )
    if platform == "ios":
        info = info_plist(bundle_id=filing.ios_bundle or "cn.gov.example", name=filing.app_name)
        return "app.ipa", ipa(info=info, executable=macho())
    if platform == "web":
        files = {"package.json": json.dumps({"name": "web-app", "version": "1.0.0"}),
                 "index.html": "<div id='app'></div><script src='./main.js'></script>", "main.js": "render()\n"}  # fmt: skip
        return "web.zip", zip_bytes(files)
    if platform == "miniprogram":
        config = {"appid": filing.miniprogram_appid, "projectname": filing.app_name}
        return "miniprogram.zip", project_zip({"project.config.json": json.dumps(config), "app.json": "{}"})
    return "app.rpk", rpk(quickapp_manifest(filing.quickapp_package or "cn.gov.example.quick"), signed=False)


def attach_packages(filing: Filing) -> None:
    """Upload, through the real service, a package for each declared platform that still lacks one
    (completeness needs one per declared platform a package format covers)."""
    from govapp.inspection.completeness import package_requirement
    from govapp.inspection.services import package_upload

    for need in package_requirement(filing).missing:
        name, content = workflow_package(filing, need.platform)
        package_upload(
            filing=filing, actor=filing.created_by, uploaded_file=SimpleUploadedFile(name, content)
        )


def complete_filing(
    filer: User,
    *,
    name: str = "浙政钉",
    kind: str = AppKind.APP,
    packages: bool = True,
    **overrides: Any,
) -> Filing:
    """A draft with every material filled in, the commitment uploaded and (unless ``packages=False``)
    a package for each declared platform, ready to submit."""
    filing = services.filing_create(actor=filer, app_name=name, app_kind=kind)
    materials = {**COMPLETE_MATERIALS, **overrides}
    if kind == AppKind.MINI_PROGRAM:
        materials.update(android_package="", android_cert_sha256="", harmony_bundle="", platforms=["wechat"])
        materials.setdefault("miniprogram_appid", "wx1234567890abcdef")
    if kind == AppKind.QUICK_APP:
        materials.update(
            android_package="", android_cert_sha256="", harmony_bundle="", platforms=["quickapp"]
        )
        materials.setdefault("quickapp_package", "cn.gov.example.quick")
    for key, value in materials.items():
        setattr(filing, key, value)
    filing.save()
    add_attachment(filing)
    if packages:
        attach_packages(filing)
    return filing
