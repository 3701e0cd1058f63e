"""Telling a story: each step runs through the services as its person, at the story's own moment.

The steps run with the clock of Django (``timezone.now``) set to the step's date, so every event,
notification, clock, deadline and sentence a step writes is computed from that date, as it was when the
people of the story acted; nothing is moved afterwards. The moments never pass the real present.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from unittest import mock

from django.utils import timezone

from govapp.accounts.models import User
from govapp.registry import joint_review, services
from govapp.registry.choices import FormalismCategory
from govapp.registry.materials import Deficiency, filing_field_label
from govapp.registry.models import App, Filing

from .documents import _attach, _finish_scans, _materials, _upload_package
from .people import COREVIEWER_OF_PROVINCE, FILER_OF_UNIT, REVIEWER_OF_PROVINCE, UNITS
from .stories import EARLIEST, STEP_GAP, Story


class StoryTime:
    """The moment of the current step: moves forward by the gaps of the story, never past the present."""

    def __init__(self, when: dt.datetime, present: dt.datetime) -> None:
        self.when = when
        self.present = present

    def advance(self, days: int) -> None:
        """Move on by ``days`` calendar days (at least a few minutes, at most up to the present)."""
        target = min(self.when + dt.timedelta(days=days), self.present - dt.timedelta(minutes=30))
        self.when = max(self.when + dt.timedelta(minutes=17), target)

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        with mock.patch.object(timezone, "now", return_value=self.when):
            yield


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
        self.province_coreviewer = users[COREVIEWER_OF_PROVINCE[province]] if province else None
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

    def _administration_opinion(self, verdict: str, text: str) -> None:
        """In a joint review the government-service administration gives its opinion first."""
        filing = self._latest()
        if self.province_coreviewer is not None and joint_review.is_joint(filing):
            joint_review.opinion_record(
                filing=filing, actor=self.province_coreviewer, verdict=verdict, text=text
            )

    def forward(self) -> None:
        note = "材料齐全，同意报送。"
        self._administration_opinion("complete", "经核，材料齐全，同意报送。")
        services.filing_forward(filing=self._latest(), actor=self.province_reviewer, note=note)

    def return_(self) -> None:
        items = _items(
            ("security_testing", "安全测试情况未注明测试报告编号和测试日期，请补充。"),
            ("same_kind_apps", "请逐一列明本单位在用的同类应用并说明不重复建设的理由。"),
        )
        self._administration_opinion("incomplete", "安全测试和同类应用说明不完整。")
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

    def shutdown(self, clock: StoryTime) -> None:
        assert self.app is not None
        # Deregistered later in the story: offline at once; otherwise still online today, offline soon.
        deregistered_next = "deregister" in self.story.steps
        offline = (
            timezone.localdate(clock.when)
            if deregistered_next
            else timezone.localdate(clock.present) + dt.timedelta(days=20)
        )
        services.shutdown_announce(app=self.app, actor=self.filer, offline_date=offline,
                                   notice="本应用将停止服务，相关功能已整合至统一平台，请用户迁移使用。")  # fmt: skip

    def deregister(self) -> None:
        assert self.app is not None
        services.app_deregister(app=self.app, actor=self.filer,
                                report="已按期下线，应用商店已下架，公告已在门户网站公示 30 日。")  # fmt: skip

    def tell(self) -> App:
        story = self.story
        present = timezone.now()
        start = max(timezone.localdate(present) - dt.timedelta(days=story.start_days_ago), EARLIEST)
        clock = StoryTime(timezone.make_aware(dt.datetime.combine(start, dt.time(9, 30))), present)
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
            if step == "abandon":
                # The time rule runs the night after the N3 clock ran out (holidays make that date vary).
                due = self._latest().clock_due
                assert due is not None
                night = timezone.make_aware(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(1, 0)))
                clock.when = min(max(clock.when, night), clock.present - dt.timedelta(minutes=30))
            if step == "overdue":
                continue  # the unit never answers: the N3 clock runs out by itself before today
            with clock.running():
                if step == "shutdown":
                    self.shutdown(clock)
                elif step == "abandon":
                    services.filings_abandon_overdue()  # the time rule, on the day after N3 ran out
                else:
                    steps[step]()
        assert self.app is not None
        return self.app
