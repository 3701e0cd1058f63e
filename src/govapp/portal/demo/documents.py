"""What the demo's units upload: complete filing materials, the signed commitment, the app packages."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import plistlib
import struct
import zipfile
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from govapp.accounts.models import User
from govapp.registry.choices import AttachmentKind
from govapp.registry.models import Attachment, Filing

from .people import FILER_OF_UNIT, UNITS, USERS
from .stories import A, Story, X


def _hex(text: str, n: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def _materials(story: Story) -> dict[str, Any]:
    """A complete set of filing materials (regulation §4) in the wording units use."""
    province_doc = {"33": "浙发改数字", "32": "苏发改信", "44": "粤发改数", "": "发改高技"}
    unit_name, _level, province = UNITS[story.unit][:3]
    materials: dict[str, Any] = {
        "responsible_name": USERS[FILER_OF_UNIT[story.unit]][2].split("（")[0],
        "responsible_post": "信息化工作分管负责人",
        "responsible_phone": f"0{int(_hex(story.name, 6), 16) % 900 + 100}-{int(_hex(story.ident, 8), 16) % 90000000 + 10000000}",
        "responsible_email": f"xxzx-{_hex(story.ident, 6)}@example.gov.cn",
        "approval_basis": "《数字政府建设总体规划》及本级信息化项目管理办法",
        "approval_content": f"建设“{story.name}”，整合原有分散渠道，不新增重复功能。",
        "approval_result": "同意立项",
        "approval_doc_number": f"{province_doc[province]}〔2025〕{int(_hex(story.name, 4), 16) % 300 + 1}号",
        "main_functions": story.functions,
        "om_team": f"{unit_name}信息中心运维组（驻场运维 4 人，7×24 小时值守）",
        "om_rules": "《政务应用运维管理制度》《变更与发布管理规程》",
        "technical_plan": "前后端分离，服务部署于政务云，支持 IPv6；适配 Android、iOS、HarmonyOS。",
        "security_testing": "上线前由第三方测评机构完成渗透测试与源代码审计，高危问题已全部整改。",
        "mlps_level": "3" if province == "" else "2",
        "mlps_assessment": "已通过网络安全等级保护测评，测评结论为“良”。",
        "security_rules": "《数据安全管理办法》《个人信息保护管理规定》《密码应用方案》",
        "acceptance_requirements": "功能完备性、性能稳定性、交互便捷性",
        "acceptance_content": "全部功能模块、压力测试、适老化与无障碍",
        "acceptance_result": "通过验收",
        "acceptance_opinion": "同意上线运行",
        "same_kind_apps": "无同类应用。",
        "commitment_signed_by": "单位主要负责人",
        "commitment_date": dt.date(2026, 2, 10),
        "commitment_confirmed": True,
    }
    if story.kind == A:
        # Native apps run on HarmonyOS and iOS; the demo uploads a package for each (the technical test
        # needs one package per declared platform it reads).
        materials.update(platforms=["harmonyos", "ios"], harmony_bundle=story.ident, ios_bundle=story.ident)
    elif story.kind == X:
        materials.update(platforms=["wechat", "alipay"], miniprogram_appid=f"wx{_hex(story.ident, 16)}")
    else:
        materials.update(platforms=["quickapp"], quickapp_package=story.ident)
    materials.update(story.extra)
    return materials


def _commitment_pdf(story: Story) -> bytes:
    """A small, valid one-page PDF: the scanned commitment stands in for the sealed paper original."""
    text = f"Filing commitment - {story.ident} - materials are true and complete (demo)"
    stream = f"BT /F1 11 Tf 50 780 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 2, 2, 9, 0, 0)), text)
    return buffer.getvalue()


def _package(story: Story, version: str, number: str = "") -> tuple[str, bytes]:
    """The app package the unit uploads for the technical test: a HarmonyOS HAP for native apps,
    the source zip for mini-programs, an .rpk for quick apps. Small, but real for the engine.
    A filed app's package shows its filing number (Art. 8), as the technical test checks."""
    page = f"export const title = '{story.name}';\nexport const menu = '{story.functions}';\n"
    if number:
        page += f"export const filing = '备案号：{number}';\n"
    if story.kind == A:
        code = int(version.replace(".", "")) * 100
        module = {
            "app": {"bundleName": story.ident, "versionName": version, "versionCode": code, "label": story.name},
            "module": {"name": "entry", "type": "entry", "abilities": [{"name": "EntryAbility"}],
                       "requestPermissions": [{"name": "ohos.permission.INTERNET"}]},
        }  # fmt: skip
        pack = {"summary": {"app": {"bundleName": story.ident, "version": {"code": code, "name": version}},
                            "modules": [{"mainAbility": "EntryAbility",
                                         "distro": {"moduleName": "entry", "moduleType": "entry"}}]}}  # fmt: skip
        files = {"module.json": json.dumps(module, ensure_ascii=False), "pack.info": json.dumps(pack),
                 "ets/pages/Index.ets": page}  # fmt: skip
        if number:
            files["resources/rawfile/about.txt"] = f"{story.name} 备案号：{number}\n"
        return f"{story.ident}-{version}.hap", _zip(files)
    if story.kind == X:
        appid = _materials(story)["miniprogram_appid"]
        files = {
            "project.config.json": json.dumps({"appid": appid, "projectname": story.ident, "libVersion": version}),
            "app.json": json.dumps({"pages": ["pages/index/index"], "window": {"navigationBarTitleText": story.name}},
                                   ensure_ascii=False),
            "pages/index/index.js": f"Page({{ data: {{ title: '{story.name}', menu: '{story.functions}' }} }})\n",
            "pages/index/index.wxml": "<view class=\"title\">{{title}}</view><view>{{menu}}</view>\n",
        }  # fmt: skip
        if number:
            files["pages/index/about.wxml"] = f"<view>备案号：{number}</view>\n"
        return f"{story.ident}-{version}.zip", _zip(files)
    manifest = {"package": story.ident, "name": story.name, "versionName": version, "versionCode": 1,
                "minPlatformVersion": 1070, "features": [],
                "router": {"entry": "Home", "pages": {"Home": {"component": "index"}}}}  # fmt: skip
    files = {"manifest.json": json.dumps(manifest, ensure_ascii=False), "app.js": "module.exports = {};\n",
             "Home/index.js": page}  # fmt: skip
    return f"{story.ident}-{version}.rpk", _zip(files)


def _ipa(story: Story, version: str, number: str = "") -> tuple[str, bytes]:
    """The iOS build of a native app: Info.plist, a minimal arm64 executable (its Mach-O header, no
    code), and its localised title (and filing number once filed)."""
    info = {"CFBundleIdentifier": story.ident, "CFBundleDisplayName": story.name, "CFBundleName": story.ident,
            "CFBundleShortVersionString": version, "CFBundleVersion": version.replace(".", ""),
            "CFBundleExecutable": "App", "CFBundlePackageType": "APPL", "MinimumOSVersion": "14.0"}  # fmt: skip
    executable = struct.pack("<IiiIIIII", 0xFEEDFACF, 0x0100000C, 0, 2, 0, 0, 0, 0)
    # The story's features are told by its HarmonyOS package; the iOS build shows the name only.
    strings = f'"title" = "{story.name}";\n'
    if number:
        strings += f'"filing" = "备案号：{number}";\n'
    root = "Payload/App.app/"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        stamp = (2026, 2, 2, 9, 0, 0)
        archive.writestr(zipfile.ZipInfo(root + "Info.plist", date_time=stamp), plistlib.dumps(info))
        archive.writestr(zipfile.ZipInfo(root + "App", date_time=stamp), executable)
        archive.writestr(
            zipfile.ZipInfo(root + "zh-Hans.lproj/Localizable.strings", date_time=stamp), strings
        )
    return f"{story.ident}-{version}.ipa", buffer.getvalue()


def _upload_package(filing: Filing, story: Story, user: User, version: str) -> None:
    from govapp.inspection.services import package_upload

    number = filing.app.current_number.number if filing.app.current_number else ""
    packages = [_package(story, version, number)]
    if story.kind == A:
        packages.append(_ipa(story, version, number))
    for name, content in packages:
        package_upload(filing=filing, actor=user, uploaded_file=SimpleUploadedFile(name, content))


def _finish_scans(filing: Filing) -> None:
    """Approval waits for the technical test: run this filing's queued scans now, as the worker would."""
    from govapp.inspection.models import Scan
    from govapp.inspection.scanning import scan_run

    for scan_id in Scan.objects.filter(filing=filing, status=Scan.Status.QUEUED).values_list("pk", flat=True):
        scan_run(scan_id)


def _attach(filing: Filing, story: Story, user: User) -> None:
    content = _commitment_pdf(story)
    attachment = Attachment(
        filing=filing, kind=AttachmentKind.COMMITMENT, original_name=f"{story.name}-备案承诺书.pdf",
        size=len(content), sha256=hashlib.sha256(content).hexdigest(), content_type="application/pdf",
        uploaded_by=user,
    )  # fmt: skip
    attachment.file.save(attachment.original_name, ContentFile(content), save=False)
    attachment.save()
