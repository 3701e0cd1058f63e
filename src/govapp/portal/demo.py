"""Demo data for the embedded mode: units in three provinces and the centre, one login per role, and
about thirty apps whose stories end in every state of both state machines.

Everything is written through ``registry.services`` exactly as users would; afterwards only time
stamps (events, notifications, clocks) are moved into the past so that each story reads like months
of real work. States are never assigned. Demo mode only: every login shares ``DEMO_PASSWORD``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Max
from django.test.utils import override_settings
from django.utils import timezone

from govapp.accounts.models import Role, Unit, UnitFunction, UnitKind, UnitLevel, User
from govapp.core.calendar import deadline_for
from govapp.core.db_guards import guards_lifted
from govapp.core.models import Notification
from govapp.registry import services
from govapp.registry.choices import AppKind, AttachmentKind, FormalismCategory, SpecialScenario
from govapp.registry.materials import Deficiency, filing_field_label
from govapp.registry.models import App, Attachment, Filing, FilingEvent, FilingNumber

from . import demo_consolidation

DEMO_PASSWORD = "demo-pass-2026"
# The Measures were published on 2026-01-28: no story starts before it.
EARLIEST = dt.date(2026, 2, 2)

A, X, K = AppKind.APP, AppKind.MINI_PROGRAM, AppKind.QUICK_APP
NAT, PROV, CITY, COUNTY, TOWN = (
    UnitLevel.NATIONAL, UnitLevel.PROVINCIAL, UnitLevel.CITY, UnitLevel.COUNTY, UnitLevel.TOWNSHIP,
)  # fmt: skip
ADM, INST = UnitKind.ADMINISTRATIVE, UnitKind.PUBLIC_INSTITUTION
F = UnitFunction

# key: (name, level, province, function, kind, parent key)
UNITS: dict[str, tuple[str, str, str, str, str, str]] = {
    "cac": ("国家互联网信息办公室", NAT, "", F.NATIONAL_OFFICE, ADM, ""),
    "cncert": ("国家计算机网络应急技术处理协调中心", NAT, "", F.TESTING_BODY, INST, ""),
    "ndrc": ("国家发展和改革委员会", NAT, "", F.IT_APPROVAL_AUTHORITY, ADM, ""),
    "mof": ("财政部", NAT, "", F.OM_FUNDING_AUTHORITY, ADM, ""),
    "mwr": ("水利部", NAT, "", F.GOVERNMENT_UNIT, ADM, ""),
    "mem": ("应急管理部", NAT, "", F.GOVERNMENT_UNIT, ADM, ""),
    "zj_cac": ("浙江省委网信办", PROV, "33", F.CYBERSPACE_OFFICE, ADM, ""),
    "zj_data": ("浙江省大数据发展管理局", PROV, "33", F.GOV_SERVICE_ADMIN, ADM, ""),
    "zj_drc": ("浙江省发展和改革委员会", PROV, "33", F.IT_APPROVAL_AUTHORITY, ADM, ""),
    "zj_fin": ("浙江省财政厅", PROV, "33", F.OM_FUNDING_AUTHORITY, ADM, ""),
    "hz": ("杭州市数据资源管理局", CITY, "33", F.GOVERNMENT_UNIT, ADM, "zj_data"),
    "yh": ("杭州市余杭区应急管理局", COUNTY, "33", F.GOVERNMENT_UNIT, ADM, "hz"),
    "cq": ("余杭区仓前街道办事处", TOWN, "33", F.GOVERNMENT_UNIT, ADM, "yh"),
    "js_cac": ("江苏省委网信办", PROV, "32", F.CYBERSPACE_OFFICE, ADM, ""),
    "js_gov": ("江苏省政务服务管理办公室", PROV, "32", F.GOV_SERVICE_ADMIN, ADM, ""),
    "nj": ("南京市大数据管理局", CITY, "32", F.GOVERNMENT_UNIT, ADM, "js_gov"),
    "ks": ("昆山市政务服务管理办公室", COUNTY, "32", F.GOVERNMENT_UNIT, ADM, "nj"),
    "gd_cac": ("广东省委网信办", PROV, "44", F.CYBERSPACE_OFFICE, ADM, ""),
    "gd_gov": ("广东省政务服务和数据管理局", PROV, "44", F.GOV_SERVICE_ADMIN, ADM, ""),
    "sz": ("深圳市政务服务和数据管理局", CITY, "44", F.GOVERNMENT_UNIT, ADM, "gd_gov"),
    "gz_hz": ("广州市海珠区政务服务数据管理局", COUNTY, "44", F.GOVERNMENT_UNIT, ADM, ""),
}

# username: (role, unit key, display name). The first of each role is the one to try first.
USERS: dict[str, tuple[str, str, str]] = {
    "filer": (Role.FILER, "hz", "陈静（杭州市数据资源管理局）"),
    "zj_reviewer": (Role.PROVINCIAL_REVIEWER, "zj_cac", "周伟（浙江省委网信办）"),
    "zj_coreviewer": (Role.PROVINCIAL_COREVIEWER, "zj_data", "吴敏（浙江省大数据发展管理局）"),
    "national": (Role.NATIONAL_REVIEWER, "cac", "郑涛（国家网信办）"),
    "inspector": (Role.INSPECTOR, "cncert", "孙磊（国家互联网应急中心）"),
    "admin": (Role.ADMIN, "cac", "系统管理员"),
    "zj_data_filer": (Role.FILER, "zj_data", "王芳（浙江省大数据发展管理局）"),
    "yh_filer": (Role.FILER, "yh", "沈建国（余杭区应急管理局）"),
    "cq_filer": (Role.FILER, "cq", "钱晓燕（仓前街道）"),
    "js_reviewer": (Role.PROVINCIAL_REVIEWER, "js_cac", "刘洋（江苏省委网信办）"),
    "js_filer": (Role.FILER, "js_gov", "张丽（江苏省政务服务管理办公室）"),
    "nj_filer": (Role.FILER, "nj", "赵强（南京市大数据管理局）"),
    "ks_filer": (Role.FILER, "ks", "顾琳（昆山市政务服务管理办公室）"),
    "gd_reviewer": (Role.PROVINCIAL_REVIEWER, "gd_cac", "黄志明（广东省委网信办）"),
    "gd_filer": (Role.FILER, "gd_gov", "林海（广东省政务服务和数据管理局）"),
    "sz_filer": (Role.FILER, "sz", "何雪（深圳市政务服务和数据管理局）"),
    "gz_filer": (Role.FILER, "gz_hz", "梁伟（海珠区政务服务数据管理局）"),
    "mwr_filer": (Role.FILER, "mwr", "马骏（水利部信息中心）"),
    "mem_filer": (Role.FILER, "mem", "杨帆（应急管理部信息化工作办公室）"),
}

UNITS.update(demo_consolidation.UNITS)
USERS.update(demo_consolidation.USERS)

FILER_OF_UNIT = {unit: name for name, (role, unit, _d) in USERS.items() if role == Role.FILER}
REVIEWER_OF_PROVINCE = {"33": "zj_reviewer", "32": "js_reviewer", "44": "gd_reviewer"}


@dataclass(frozen=True)
class Story:
    """One app: who files it, what it is, and the steps its procedures went through."""

    unit: str
    name: str
    kind: str
    steps: tuple[str, ...]
    start_days_ago: int
    ident: str  # stem of package names and appids
    functions: str
    extra: dict[str, Any] = field(default_factory=dict)


def _steps(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FILED = "submit forward approve"
FILED_CENTRAL = "submit approve"

# Ordered so that the one overdue supplement is made overdue after the abandonment story has run the
# time rule: the tick of the running demo then has exactly one filing to abandon.
STORIES: tuple[Story, ...] = (
    # Zhejiang
    Story("zj_data", "浙里办", A, _steps(f"{FILED} change_draft change_submit forward approve"), 260, "cn.gov.zj.zlb",
          "办事服务、证照查询、社保公积金、投诉建议"),
    Story("zj_data", "浙政钉", A, _steps(f"{FILED} change_draft change_submit"), 75, "cn.gov.zj.zzd",
          "公文流转、即时通讯、通知公告、投诉建议"),
    Story("hz", "杭州办事服务", A, _steps(FILED), 200, "cn.gov.hz.bsfw", "一网通办、预约叫号、办件查询、投诉建议"),
    Story("hz", "杭州市智慧党建", A, _steps(f"{FILED} rectify"), 190, "cn.gov.hz.zhdj",
          "党员学习、组织生活、党费缴纳、投诉建议"),
    Story("hz", "杭州公交出行", X, _steps(f"{FILED} shutdown"), 180, "hzbus", "线路查询、到站提醒、投诉建议"),
    Story("hz", "杭州市民卡服务", A, _steps("submit"), 6, "cn.gov.hz.smk", "市民卡申领、挂失、余额查询、投诉建议"),
    Story("hz", "杭州防汛防台", A, _steps("submit return"), 12, "cn.gov.hz.fxft", "汛情上报、预警发布、投诉建议"),
    Story("hz", "杭州市网格巡查", A, _steps("submit forward request"), 30, "cn.gov.hz.wgxc",
          "事件上报、巡查记录、投诉建议"),
    Story("hz", "杭州市移动执法", A, _steps("draft"), 3, "cn.gov.hz.ydzf", "执法检查、文书制作、投诉建议"),
    Story("yh", "余杭区应急值守", A, _steps(FILED), 150, "cn.gov.yh.yjzs",
          "值班签到（应急值守岗位）、突发事件报送、投诉建议",
          {"special_scenario": SpecialScenario.EMERGENCY,
           "special_scenario_justification": "依据《浙江省突发事件应急预案管理办法》，应急值守人员须按班次到岗签到，仅限值守岗位使用。",
           "declared_categories": [FormalismCategory.CHECKIN],
           "checkin_functions": "应急值守岗位按班次签到，非值守人员不使用，不作考核排名。"}),
    Story("cq", "仓前街道网格通", A, _steps("submit"), 9, "cn.gov.yh.cqwgt", "网格事件上报、民情日志、投诉建议",
          {"below_county_justification": "街道承担防汛防台网格化管理任务，省市平台暂无对应模块，经区政府同意建设，"
                                         "待市级平台上线后并入。"}),
    Story("zj_data", "浙江政务服务快应用", K, _steps("submit forward extend"), 45, "cn.gov.zj.quick",
          "办事指南、办件查询、投诉建议"),
    # Jiangsu
    Story("js_gov", "苏服办", A, _steps(FILED), 230, "cn.gov.js.sfb", "一网通办、电子证照、好差评、投诉建议"),
    Story("js_gov", "苏政通", A, _steps("submit forward extend"), 50, "cn.gov.js.szt", "协同办公、公文流转、投诉建议"),
    Story("js_gov", "江苏政务服务小程序", X, _steps("submit forward request supplement"), 30, "jszwfw",
          "办事指南、预约办理、投诉建议"),
    Story("nj", "我的南京", A, _steps(FILED), 210, "cn.gov.nj.wdnj", "城市服务、公积金查询、投诉建议"),
    Story("nj", "某区学习打卡", A, _steps(f"{FILED} rectify revoke"), 170, "cn.gov.nj.xxdk",
          "理论学习、学习时长统计、积分排名"),
    Story("nj", "南京旧版政务通", A, _steps(f"{FILED} shutdown deregister"), 220, "cn.gov.nj.jbzwt",
          "公文查阅、通知公告"),
    Story("ks", "昆山政务学习", A, _steps("submit withdraw"), 60, "cn.gov.ks.zwxx", "政策学习、考试测评"),
    Story("ks", "昆山一网通办", X, _steps("draft"), 2, "ksywtb", "办事服务、投诉建议"),
    # Guangdong
    Story("gd_gov", "粤省事", X, _steps(FILED), 250, "yueshengshi", "社保、公积金、电子证照、投诉建议"),
    Story("gd_gov", "粤政易", A, _steps("submit forward"), 14, "cn.gov.gd.yzy", "协同办公、即时通讯、投诉建议"),
    Story("sz", "i深圳", A, _steps(f"{FILED} rectify rectified"), 200, "cn.gov.sz.isz",
          "城市服务、办事预约、投诉建议"),
    Story("sz", "某区网格员考勤", A, _steps("submit forward request abandon"), 90, "cn.gov.sz.wgkq",
          "网格员签到、轨迹上报、在线时长统计"),
    Story("gz_hz", "海珠区营商服务", X, _steps("submit return resubmit"), 25, "hzysfw",
          "政策推送、诉求办理、投诉建议"),
    # Central ministries file directly with the national office.
    Story("mwr", "水利一张图", A, _steps(FILED_CENTRAL), 160, "cn.gov.mwr.slyzt", "水利数据查询、工程监管、投诉建议"),
    Story("mwr", "水利督查", A, _steps("submit"), 8, "cn.gov.mwr.sldc", "督查任务、问题整改、投诉建议"),
    Story("mem", "应急管理部值班值守", A, _steps(f"{FILED_CENTRAL} rectify revoke refile"), 210, "cn.gov.mem.zbzs",
          "值班签到、信息报送、投诉建议"),
    Story("mem", "安全生产举报", X, _steps("draft"), 1, "aqscjb", "隐患举报、办理反馈"),
    # The technical test decides: a package that is not the filed app, a violation awaiting the reviewer's
    # decision, and a second unit claiming an identity another unit holds (a conflict for the national office).
    Story("hz", "杭州不动产登记", A, _steps("submit forward"), 10, "cn.gov.hz.bdc", "登记查询、预约办理、投诉建议",
          {"harmony_bundle": "cn.gov.hz.bdcdj"}),
    Story("gz_hz", "海珠区网格巡查", X, _steps("submit forward"), 11, "hzwgxc", "网格巡查、每日打卡签到、投诉建议"),
    Story("nj", "南京办事服务", A, _steps("submit forward"), 7, "cn.gov.hz.bsfw", "一网通办、办件查询、投诉建议"),
    # Consolidation: a Zhejiang cluster of county grid apps and a party-study pair (demo_consolidation.py).
    *(Story(unit, name, kind, _steps(steps), days, ident, functions)
      for unit, name, kind, steps, days, ident, functions in demo_consolidation.STORIES),
    # Last: the supplement that runs out while the demo runs (see above).
    Story("gd_gov", "粤商通", A, _steps("submit forward request overdue"), 45, "cn.gov.gd.yst",
          "涉企服务、政策兑现、投诉建议"),
)  # fmt: skip

# How many calendar days each step is after the previous one (a working week or two, as in practice).
STEP_GAP = {
    "draft": 0, "submit": 5, "return": 6, "resubmit": 4, "forward": 7, "request": 12, "supplement": 6,
    "extend": 15, "approve": 14, "abandon": 0, "overdue": 0, "withdraw": 9, "change_draft": 40,
    "change_submit": 5, "rectify": 30, "rectified": 20, "revoke": 25, "refile": 10, "shutdown": 30,
    "deregister": 12,
}  # fmt: skip


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
        # The demo uploads a HarmonyOS package for native apps (the technical test needs one package per
        # declared platform it reads); iOS is declared too, which no package format covers yet.
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


def _upload_package(filing: Filing, story: Story, user: User, version: str) -> None:
    from govapp.inspection.services import package_upload

    number = filing.app.current_number.number if filing.app.current_number else ""
    name, content = _package(story, version, number)
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


class _Clock:
    """Moves what a step just wrote (events, notifications, time stamps, clocks) to its story date."""

    def __init__(self, when: dt.datetime) -> None:
        self.when = when
        self.last_event = FilingEvent.objects.aggregate(m=Max("id"))["m"] or 0
        self.last_notification = Notification.objects.aggregate(m=Max("id"))["m"] or 0

    def advance(self, days: int) -> None:
        today = timezone.localdate()
        target = min(self.when + dt.timedelta(days=days), timezone.make_aware(
            dt.datetime.combine(today, dt.time(9, 0))
        ))  # fmt: skip
        self.when = max(self.when + dt.timedelta(minutes=17), target)

    def stamp(self, app: App, restart_clock: bool) -> None:
        day = timezone.localdate(self.when)
        # Events are append-only for users; the seeding step alone places them on the story's dates.
        FilingEvent._base_manager.filter(pk__gt=self.last_event).update(at=self.when)
        Notification.objects.filter(pk__gt=self.last_notification).update(created_at=self.when)
        self.last_event = FilingEvent.objects.aggregate(m=Max("id"))["m"] or 0
        self.last_notification = Notification.objects.aggregate(m=Max("id"))["m"] or 0
        for filing in Filing.objects.filter(app=app):
            updates: dict[str, Any] = {}
            if filing.created_at > self.when:
                updates["created_at"] = self.when
            if filing.submitted_at and filing.submitted_at > self.when:
                updates["submitted_at"] = self.when
            if filing.decided_at and filing.decided_at > self.when:
                updates["decided_at"] = self.when
            if restart_clock and filing.clock_limit and filing.clock_start and filing.clock_start > day:
                deadline = deadline_for(filing.clock_limit, day)
                updates.update(
                    clock_start=deadline.start, clock_due=deadline.due, clock_provisional=deadline.provisional
                )
            if updates:
                Filing.objects.filter(pk=filing.pk).update(**updates)
        app_updates: dict[str, Any] = {}
        app = App.objects.get(pk=app.pk)
        if app.created_at > self.when:
            app_updates["created_at"] = self.when
        if app.filed_at and app.filed_at > self.when:
            app_updates["filed_at"] = self.when
        if app.changed_at and app.changed_at > self.when:
            app_updates["changed_at"] = self.when
        if app_updates:
            App.objects.filter(pk=app.pk).update(**app_updates)
        FilingNumber.objects.filter(app=app, issued_at__gt=self.when).update(issued_at=self.when)
        from govapp.inspection.models import FilingPackage, Scan

        FilingPackage.objects.filter(filing__app=app, uploaded_at__gt=self.when).update(uploaded_at=self.when)
        scans = Scan.objects.filter(filing__app=app)
        scans.filter(created_at__gt=self.when).update(created_at=self.when)
        scans.filter(started_at__gt=self.when).update(started_at=self.when)
        scans.filter(finished_at__gt=self.when).update(finished_at=self.when + dt.timedelta(minutes=3))
        FilingNumber.objects.filter(app=app, status_changed_at__gt=self.when).update(
            status_changed_at=self.when
        )


def _items(*pairs: tuple[str, str]) -> list[Deficiency]:
    return [Deficiency(name, filing_field_label(name), message) for name, message in pairs]


class _Teller:
    """Runs one story's steps through the services, as the people of the story."""

    def __init__(self, story: Story, users: dict[str, User]) -> None:
        self.story = story
        self.users = users
        self.filer = users[FILER_OF_UNIT[story.unit]]
        province = UNITS[story.unit][2]
        self.province_reviewer = users[REVIEWER_OF_PROVINCE[province]] if province else None
        self.national = users["national"]
        self.filing: Filing | None = None
        self.app: App | None = None

    def _latest(self) -> Filing:
        assert self.app is not None
        return Filing.objects.filter(app=self.app).order_by("-created_at", "-pk").first()  # type: ignore[return-value]

    def draft(self) -> None:
        story = self.story
        self.filing = services.filing_create(actor=self.filer, app_name=story.name, app_kind=story.kind)
        self.app = self.filing.app
        materials = _materials(story)
        if story.steps == ("draft",):
            # A draft being written: the O&M, acceptance and commitment parts are still empty.
            for name in (
                "om_team",
                "om_rules",
                "acceptance_result",
                "acceptance_opinion",
                "commitment_signed_by",
            ):
                materials[name] = ""
            materials["commitment_confirmed"] = False
        for name, value in materials.items():
            setattr(self.filing, name, value)
        self.filing.full_clean(exclude=["state"])
        self.filing.save()
        if story.steps != ("draft",):
            _attach(self.filing, story, self.filer)
            _upload_package(self.filing, story, self.filer, "3.2.0")

    def submit(self) -> None:
        if self.filing is None:
            self.draft()
        services.filing_submit(filing=self._latest(), actor=self.filer)

    def resubmit(self) -> None:
        filing = self._latest()
        filing.security_testing += "测试报告编号：CSTC-2026-0412，测试日期 2026 年 4 月 12 日。"
        filing.save()
        services.filing_submit(filing=filing, actor=self.filer)

    def forward(self) -> None:
        note = "材料齐全，同意报送。"
        services.filing_forward(filing=self._latest(), actor=self.province_reviewer, note=note)

    def return_(self) -> None:
        items = _items(
            ("security_testing", "安全测试情况未注明测试报告编号和测试日期，请补充。"),
            ("same_kind_apps", "请逐一列明本单位在用的同类应用并说明不重复建设的理由。"),
        )
        services.filing_return_incomplete(filing=self._latest(), actor=self.province_reviewer, items=items,
                                          note="一次性告知：请补齐以下材料后重新提交。")  # fmt: skip

    def request(self) -> None:
        items = _items(
            ("main_functions", "请说明“事件上报”功能是否要求基层人员定时上传工作照片或轨迹。"),
            ("mlps_assessment", "请补充等级保护测评报告编号及有效期。"),
        )
        services.filing_request_supplement(filing=self._latest(), actor=self.national, items=items,
                                           note="材料审核需补充说明。")  # fmt: skip

    def supplement(self) -> None:
        filing = self._latest()
        filing.mlps_assessment += "测评报告编号 DJCP-2026-0317，有效期至 2027 年 3 月。"
        filing.save()
        services.filing_supplement(filing=filing, actor=self.filer,
                                   statement="已补充等级保护测评报告编号；事件上报不强制上传照片或轨迹。")  # fmt: skip

    def extend(self) -> None:
        filing = self._latest()
        expected = max(filing.clock_due or timezone.localdate(), timezone.localdate()) + dt.timedelta(days=21)
        services.filing_extend(filing=filing, actor=self.national, expected_date=expected,
                               reason="涉及跨部门数据共享，需征求相关部门意见，审核期限延长。")  # fmt: skip

    def approve(self) -> None:
        _finish_scans(self._latest())
        services.filing_approve(filing=self._latest(), actor=self.national, note="材料审核和技术检测通过。")

    def withdraw(self) -> None:
        services.filing_withdraw(filing=self._latest(), actor=self.filer,
                                 reason="功能与“苏服办”重复，决定并入后者，撤回备案。")  # fmt: skip

    def _expire_supplement(self, clock: _Clock) -> None:
        """The unit did not answer: move the N3 clock back so that it ended yesterday."""
        filing = self._latest()
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        Filing.objects.filter(pk=filing.pk).update(
            clock_start=yesterday - dt.timedelta(days=14), clock_due=yesterday
        )

    def change_draft(self) -> None:
        assert self.app is not None
        filing = services.change_start(app=self.app, actor=self.filer)
        filing.main_functions += "、适老化长辈版"
        filing.responsible_name = "李志远"
        filing.change_description = "新增“长辈版”模块；信息化工作分管负责人调整。"
        filing.change_effective_date = timezone.localdate() + dt.timedelta(days=45)
        filing.save()
        _attach(filing, self.story, self.filer)
        _upload_package(filing, self.story, self.filer, "3.3.0")

    def change_submit(self) -> None:
        services.filing_submit(filing=self._latest(), actor=self.filer)

    def rectify(self) -> None:
        assert self.app is not None
        from govapp.supervision.enforcement.rectification import rectification_order_issue

        rectification_order_issue(
            app=self.app, actor=self.national, source="spot_check",
            findings=[
                {"category": FormalismCategory.RANKING, "description": "“学习积分排名”页面按积分对干部排名"},
                {"category": FormalismCategory.ONLINE_TIME, "description": "“在线时长统计”计入月度考核"},
            ],
            required_actions="下线积分排名和在线时长统计功能，提交整改说明和新版安装包。",
            article="第十三条第二项", workdays=20,
        )  # fmt: skip

    def rectified(self) -> None:
        assert self.app is not None
        from govapp.supervision.enforcement.rectification import rectification_accept, rectification_answer
        from govapp.supervision.models import RectificationOrder

        order = RectificationOrder.objects.filter(app=self.app).latest("pk")
        rectification_answer(order=order, actor=self.filer, statement="已下线积分排名和在线时长统计功能。")
        rectification_accept(order=order, actor=self.national, note="复测通过，相关功能已下线。")

    def revoke(self) -> None:
        assert self.app is not None
        services.app_revoke(app=self.app, actor=self.national,
                            reason="逾期未整改强制打卡和积分排名功能，撤销备案；暂停相关立项和运维经费。")  # fmt: skip

    def refile(self) -> None:
        assert self.app is not None
        services.refiling_start(app=self.app, actor=self.filer)

    def shutdown(self, clock: _Clock) -> None:
        assert self.app is not None
        deregistered_next = "deregister" in self.story.steps
        offline = (
            timezone.localdate(clock.when)
            if deregistered_next
            else timezone.localdate() + dt.timedelta(days=20)
        )
        services.shutdown_announce(app=self.app, actor=self.filer, offline_date=offline,
                                   notice="本应用将停止服务，相关功能已整合至统一平台，请用户迁移使用。")  # fmt: skip

    def deregister(self) -> None:
        assert self.app is not None
        services.app_deregister(app=self.app, actor=self.filer,
                                report="已按期下线，应用商店已下架，公告已在门户网站公示 30 日。")  # fmt: skip

    def tell(self) -> App:
        story = self.story
        start = max(timezone.localdate() - dt.timedelta(days=story.start_days_ago), EARLIEST)
        clock = _Clock(timezone.make_aware(dt.datetime.combine(start, dt.time(9, 30))))
        steps: dict[str, Callable[[], None]] = {
            "draft": self.draft, "submit": self.submit, "resubmit": self.resubmit, "forward": self.forward,
            "return": self.return_, "request": self.request, "supplement": self.supplement,
            "extend": self.extend, "approve": self.approve, "withdraw": self.withdraw,
            "change_draft": self.change_draft, "change_submit": self.change_submit, "rectify": self.rectify,
            "rectified": self.rectified, "revoke": self.revoke, "refile": self.refile,
            "deregister": self.deregister,
        }  # fmt: skip
        for index, step in enumerate(story.steps):
            if index:
                clock.advance(STEP_GAP[step])
            if step == "shutdown":
                self.shutdown(clock)
            elif step == "overdue":
                self._expire_supplement(clock)
                continue
            elif step == "abandon":
                self._expire_supplement(clock)
                services.filings_abandon_overdue()
            else:
                steps[step]()
            assert self.app is not None
            clock.stamp(self.app, restart_clock=step not in ("extend",))
        assert self.app is not None
        return self.app


def _create_people() -> dict[str, User]:
    units: dict[str, Unit] = {}
    for key, (name, level, province, function, kind, parent) in UNITS.items():
        units[key] = Unit.objects.create(
            name=name, level=level, province=province, function=function, kind=kind,
            parent=units[parent] if parent else None,
        )  # fmt: skip
    users: dict[str, User] = {}
    # One hash for the shared demo password: hashing it per user would add seconds to every start.
    password = make_password(DEMO_PASSWORD)
    for username, (role, unit, display) in USERS.items():
        users[username] = User.objects.create(
            username=username, password=password, role=role, unit=units[unit], display_name=display,
            email=f"{username}@demo.example.gov.cn",
        )  # fmt: skip
    return users


def load_demo() -> dict[str, int]:
    """Create the demo units, logins and apps in an empty database; returns counts. Refuses otherwise."""
    if not settings.GOVAPP_DEMO_ALLOWED:
        # The demo logins share one published password: never in a production database.
        raise RuntimeError(
            f"Demo data is loaded only in embedded mode (GOVAPP_MODE=embedded); this is {settings.GOVAPP_MODE}."
        )
    if Unit.objects.exists() or User.objects.filter(username__in=list(USERS)).exists():
        raise RuntimeError(
            "The database already has units or demo users; demo data goes only into an empty one."
        )
    # Demo notifications stay in the in-app inbox: no mail to the example addresses.
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
        guards_lifted(),  # the story's events are dated afterwards (_Clock.stamp)
    ):
        users = _create_people()
        apps = [_Teller(story, users).tell() for story in STORIES]
        consolidation = demo_consolidation.load_consolidation(users)
    return {"units": len(UNITS), "users": len(users), "apps": len(apps), **consolidation}


def demo_present() -> bool:
    """True when the demo logins exist (so that `govapp serve` can print them)."""
    return User.objects.filter(username__in=list(USERS), is_active=True).count() == len(USERS)


def logins_table() -> str:
    """The demo logins as a text table: username, password, role, unit."""
    rows = [("username", "password", "role", "unit")]
    for username, (role, unit, _display) in USERS.items():
        rows.append((username, DEMO_PASSWORD, str(Role(role).label), UNITS[unit][0]))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["Demo logins (demo mode only — every account shares the demo password):"]
    for row in rows:
        lines.append(
            "  "
            + "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=False))
            + "  "
            + row[3]
        )
    return "\n".join(lines)
