"""The demo's stories: about thirty apps whose procedures end in every state of both state machines,
spread over the months since the Measures were published."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from govapp.registry.choices import AppKind, FormalismCategory, SpecialScenario

from . import consolidation

# The Measures were published on 2026-01-28: no story starts before it.
EARLIEST = dt.date(2026, 2, 2)

A, X, K = AppKind.APP, AppKind.MINI_PROGRAM, AppKind.QUICK_APP


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
    # Last: the supplement that runs out while the demo runs (see above).
    # The technical test decides: a package that is not the filed app, a violation awaiting the reviewer's
    # decision, and a second unit claiming an identity another unit holds (a conflict for the national office).
    Story("hz", "杭州不动产登记", A, _steps("submit forward"), 10, "cn.gov.hz.bdc", "登记查询、预约办理、投诉建议",
          {"harmony_bundle": "cn.gov.hz.bdcdj"}),
    Story("gz_hz", "海珠区网格巡查", X, _steps("submit forward"), 11, "hzwgxc", "网格巡查、每日打卡签到、投诉建议"),
    Story("nj", "南京办事服务", A, _steps("submit forward"), 7, "cn.gov.hz.bsfw", "一网通办、办件查询、投诉建议"),
    # Consolidation: a Zhejiang cluster of county grid apps and a party-study pair (consolidation.py).
    *(Story(unit, name, kind, _steps(steps), days, ident, functions)
      for unit, name, kind, steps, days, ident, functions in consolidation.STORIES),
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
