"""Demo data of consolidation (瘦身) and 立项审核: a Zhejiang cluster of county grid-inspection apps
beside the provincial grassroots-governance platform they are merged into, a party-study pair, logins for
the IT-project approval and O&M funding authorities, an opinion on a proposed project and a plan in
progress (one merge done, one pending, one overdue and reported to the funding authority).

Pure data here plus ``load_consolidation``, which runs after the stories of ``demo`` have been told.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

from django.utils import timezone

from govapp.accounts.models import Role, UnitFunction, UnitKind, UnitLevel
from govapp.registry.choices import AppKind

F, ADM = UnitFunction, UnitKind.ADMINISTRATIVE
PROV, COUNTY = UnitLevel.PROVINCIAL, UnitLevel.COUNTY
FILED = "submit forward approve"

# key: (name, level, province, function, kind, parent key); parents are units of ``demo.UNITS``.
UNITS: dict[str, tuple[str, str, str, str, str, str]] = {
    "zj_party": ("中共浙江省委组织部", PROV, "33", F.GOVERNMENT_UNIT, ADM, ""),
    "la": ("杭州市临安区社会治理中心", COUNTY, "33", F.GOVERNMENT_UNIT, ADM, "hz"),
    "tl": ("桐庐县社会治理综合服务中心", COUNTY, "33", F.GOVERNMENT_UNIT, ADM, "hz"),
    "ca": ("淳安县基层治理综合指挥中心", COUNTY, "33", F.GOVERNMENT_UNIT, ADM, "hz"),
    "tl_party": ("中共桐庐县委组织部", COUNTY, "33", F.GOVERNMENT_UNIT, ADM, "hz"),
}

# username: (role, unit key, display name). Authority staff act through their unit's function.
USERS: dict[str, tuple[str, str, str]] = {
    "zj_party_filer": (Role.FILER, "zj_party", "许静（省委组织部信息中心）"),
    "la_filer": (Role.FILER, "la", "方明（临安区社会治理中心）"),
    "tl_filer": (Role.FILER, "tl", "章慧（桐庐县社会治理中心）"),
    "ca_filer": (Role.FILER, "ca", "余建华（淳安县基层治理指挥中心）"),
    "tl_party_filer": (Role.FILER, "tl_party", "叶青（桐庐县委组织部）"),
    "zj_drc_user": (Role.FILER, "zj_drc", "蒋涛（浙江省发展改革委数字处）"),
    "zj_fin_user": (Role.FILER, "zj_fin", "潘丽（浙江省财政厅行政政法处）"),
    "ndrc_user": (Role.FILER, "ndrc", "高远（国家发展改革委高技术司）"),
    "mof_user": (Role.FILER, "mof", "袁媛（财政部经济建设司）"),
}

# (unit, name, kind, steps, start days ago, ident, functions)
STORIES: tuple[tuple[str, str, str, str, int, str, str], ...] = (
    ("zj_data", "浙江基层治理四平台", AppKind.APP, FILED, 240, "cn.gov.zj.jczl",
     "网格员巡查、事件上报、随手拍、矛盾纠纷调处、基层治理事件流转、投诉建议"),
    ("la", "临安区网格通", AppKind.APP, FILED, 200, "cn.gov.la.wgt",
     "网格巡查、事件上报、拍照上报、民情日志、投诉建议"),
    ("tl", "桐庐县网格巡查", AppKind.APP, FILED, 190, "cn.gov.tl.wgxc",
     "网格员日常巡查、问题上报、随手拍、事件流转、投诉建议"),
    ("ca", "淳安县智慧网格", AppKind.MINI_PROGRAM, FILED, 180, "cawgzs",
     "网格化巡查、事件上报、矛盾纠纷排查、投诉建议"),
    ("zj_party", "浙江组工学习", AppKind.APP, FILED, 230, "cn.gov.zj.zgxx",
     "党员学习、组织生活、三会一课、党费缴纳、投诉建议"),
    ("tl_party", "桐庐县智慧党建", AppKind.APP, FILED, 170, "cn.gov.tl.zhdj",
     "党员学习教育、组织生活记录、党费缴纳、投诉建议"),
)  # fmt: skip


def load_consolidation(users: dict[str, Any]) -> dict[str, int]:
    """The opinion, the plan and its decisions, written through the consolidation services."""
    from govapp.consolidation import plans, service
    from govapp.registry import services as registry
    from govapp.registry.models import App

    service.reset()  # the stories were told inside this transaction: read them all afresh
    apps = {app.name: app for app in App.objects.filter(unit__province="33").select_related("unit")}
    today = timezone.localdate()
    # The opinion and the plan were made two months ago, so that every deadline and notice in them is
    # dated before it falls due (one deadline has passed since: the overdue item the plan reports).
    planned = timezone.now() - dt.timedelta(days=60)
    with mock.patch.object(timezone, "now", return_value=planned):
        _plan(users, apps, today)
    # The Chun'an mini-program is already merged: shutdown notice, then deregistration.
    chunan, unit_filer = apps["淳安县智慧网格"], users["ca_filer"]
    registry.shutdown_announce(app=chunan, actor=unit_filer, offline_date=today,
                               notice="淳安县智慧网格已并入浙江基层治理四平台，本小程序停止服务。")  # fmt: skip
    registry.app_deregister(app=App.objects.get(pk=chunan.pk), actor=unit_filer,
                            report="已于今日下线，用户已迁移至浙江基层治理四平台。")  # fmt: skip
    plan = _the_plan()
    plans.plan_settings(actor=users["zj_reviewer"], plan=plan, notify_funding=True)
    reported = plans.report_overdue(plan=plan, actor=users["zj_reviewer"])
    service.reset()
    return {"plan_items": plan.items.count(), "reported": reported}


def _the_plan() -> Any:
    from govapp.consolidation.models import ConsolidationPlan

    return ConsolidationPlan.objects.get(province="33")


def _plan(users: dict[str, Any], apps: dict[str, Any], today: dt.date) -> None:
    from govapp.consolidation import plans, reviews
    from govapp.consolidation.models import Opinion

    target, party_target = apps["浙江基层治理四平台"], apps["浙江组工学习"]
    reviews.project_review_record(
        actor=users["zj_drc_user"], unit=users["la_filer"].unit, project_name="临安区基层治理移动端二期",
        functions="网格巡查、事件上报、积分排行", budget_line="2027年区级信息化项目（运维类）", kind=AppKind.APP,
        opinion=Opinion.MODULE, target_app=target,
        reason="与浙江基层治理四平台的网格巡查、事件上报功能重复，不单独立项，作为四平台的区级专题模块建设。",
    )  # fmt: skip
    office = users["zj_reviewer"]
    plan = plans.plan_start(actor=office, province="33", title="浙江省政务应用瘦身整合方案（2026—2027）")
    plans.plan_decide(actor=office, plan=plan, app=target, decision="keep", target=None, deadline=None,
                      reason="省级统一基层治理平台，作为网格类应用的整合目标。")  # fmt: skip
    decisions = (
        (
            "临安区网格通",
            target,
            today + dt.timedelta(days=90),
            "功能与四平台重复，网格事件并入四平台区级专题。",
        ),
        ("桐庐县网格巡查", target, today - dt.timedelta(days=10), "功能与四平台重复，限期并入。"),
        ("淳安县智慧网格", target, today + dt.timedelta(days=30), "并入四平台后关停小程序。"),
        (
            "桐庐县智慧党建",
            party_target,
            today + dt.timedelta(days=120),
            "党员学习统一使用省级组工学习平台。",
        ),
    )
    for name, into, deadline, reason in decisions:
        plans.plan_decide(actor=office, plan=plan, app=apps[name], decision="merge", target=into,
                          deadline=deadline, reason=reason)  # fmt: skip
