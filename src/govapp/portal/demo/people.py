"""The demo's cast: units in three provinces and the centre, and one login per role."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from govapp.accounts.models import Role, Unit, UnitFunction, UnitKind, UnitLevel, User

from . import consolidation

DEMO_PASSWORD = "demo-pass-2026"

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
    "js_coreviewer": (Role.PROVINCIAL_COREVIEWER, "js_gov", "许静（江苏省政务服务管理办公室）"),
    "js_filer": (Role.FILER, "js_gov", "张丽（江苏省政务服务管理办公室）"),
    "nj_filer": (Role.FILER, "nj", "赵强（南京市大数据管理局）"),
    "ks_filer": (Role.FILER, "ks", "顾琳（昆山市政务服务管理办公室）"),
    "gd_reviewer": (Role.PROVINCIAL_REVIEWER, "gd_cac", "黄志明（广东省委网信办）"),
    "gd_coreviewer": (Role.PROVINCIAL_COREVIEWER, "gd_gov", "陈晓东（广东省政务服务和数据管理局）"),
    "gd_filer": (Role.FILER, "gd_gov", "林海（广东省政务服务和数据管理局）"),
    "sz_filer": (Role.FILER, "sz", "何雪（深圳市政务服务和数据管理局）"),
    "gz_filer": (Role.FILER, "gz_hz", "梁伟（海珠区政务服务数据管理局）"),
    "mwr_filer": (Role.FILER, "mwr", "马骏（水利部信息中心）"),
    "mem_filer": (Role.FILER, "mem", "杨帆（应急管理部信息化工作办公室）"),
}

UNITS.update(consolidation.UNITS)
USERS.update(consolidation.USERS)

FILER_OF_UNIT = {unit: name for name, (role, unit, _d) in USERS.items() if role == Role.FILER}
REVIEWER_OF_PROVINCE = {"33": "zj_reviewer", "32": "js_reviewer", "44": "gd_reviewer"}
# The government-service administration's reviewer of each province (the joint completeness review).
COREVIEWER_OF_PROVINCE = {"33": "zj_coreviewer", "32": "js_coreviewer", "44": "gd_coreviewer"}


def create_people() -> dict[str, User]:
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
