"""The periodic duties: time rules, the once-per-period claim, `govapp tick` and `govapp worker`."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from govapp.core import scheduler, tasks
from govapp.core.models import Notification, ScheduledRun
from govapp.registry import services
from govapp.registry.choices import EventAction, FilingState
from govapp.registry.materials import Deficiency
from govapp.registry.models import Filing
from tests.factories import complete_filing


@pytest.fixture
def awaiting(filer, provincial_reviewer, national_reviewer):  # type: ignore[no-untyped-def]
    """A filing waiting for the unit's supplement, its N3 clock ending yesterday."""
    filing = complete_filing(filer)
    services.filing_submit(filing=filing, actor=filer)
    services.filing_forward(filing=filing, actor=provincial_reviewer)
    services.filing_request_supplement(
        filing=filing,
        actor=national_reviewer,
        items=[Deficiency("mlps_assessment", "MLPS", "Add the report.")],
    )
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Filing.objects.filter(pk=filing.pk).update(clock_due=yesterday)
    return Filing.objects.get(pk=filing.pk)


@pytest.fixture
def _only_builtin_rules():  # type: ignore[no-untyped-def]
    """For the tests of registration itself: only the registry's rule and the ones the test registers."""
    saved = dict(scheduler._registered)
    scheduler._registered.clear()
    scheduler._registered["filings_abandon_overdue"] = saved["filings_abandon_overdue"]
    yield
    scheduler._registered.clear()
    scheduler._registered.update(saved)


def test_tick_abandons_overdue_supplement_with_event_and_notification(awaiting, filer, national_reviewer):
    counts = scheduler.apply_time_rules()

    assert counts["filings_abandon_overdue"] == 1
    filing = Filing.objects.get(pk=awaiting.pk)
    assert filing.state == FilingState.ABANDONED
    assert filing.clock_due is None
    event = filing.events.order_by("-at", "-id").first()
    assert event.action == EventAction.ABANDON and event.actor is None
    assert "N3" in event.reason
    notices = Notification.objects.filter(subject__startswith="Filing deemed abandoned")
    recipients = set(notices.values_list("recipient__username", flat=True))
    assert {filer.username, national_reviewer.username} <= recipients


def test_tick_twice_changes_nothing_the_second_time(awaiting):
    assert scheduler.apply_time_rules()["filings_abandon_overdue"] == 1
    events = awaiting.events.count()
    notifications = Notification.objects.count()

    assert set(scheduler.apply_time_rules().values()) == {0}
    assert awaiting.events.count() == events
    assert Notification.objects.count() == notifications


def test_supplement_not_yet_due_is_left_alone(awaiting):
    Filing.objects.filter(pk=awaiting.pk).update(clock_due=timezone.localdate())

    assert scheduler.apply_time_rules()["filings_abandon_overdue"] == 0
    assert Filing.objects.get(pk=awaiting.pk).state == FilingState.AWAITING_SUPPLEMENT


def test_tick_for_a_past_date_respects_that_date(awaiting):
    """`--date` replays a day: on the due day itself nothing is overdue yet."""
    due = timezone.localdate() - dt.timedelta(days=1)

    assert scheduler.apply_time_rules(due)["filings_abandon_overdue"] == 0
    assert scheduler.apply_time_rules(due + dt.timedelta(days=1))["filings_abandon_overdue"] == 1


@pytest.mark.usefixtures("db", "_only_builtin_rules")
def test_registered_rules_run_and_a_failing_rule_does_not_stop_the_others():
    seen: list[dt.date] = []

    def counts_calls(*, today: dt.date) -> int:
        seen.append(today)
        return 2

    def broken(*, today: dt.date) -> int:
        raise RuntimeError("complaint table missing")

    scheduler.register_time_rule("complaint_deadlines", counts_calls)
    scheduler.register_time_rule("broken", broken)

    with pytest.raises(scheduler.TimeRulesFailed) as failed:
        scheduler.apply_time_rules(dt.date(2026, 12, 1))

    assert failed.value.counts == {"filings_abandon_overdue": 0, "complaint_deadlines": 2}
    assert "complaint table missing" in failed.value.failures["broken"]
    assert seen == [dt.date(2026, 12, 1)]


@pytest.mark.usefixtures("_only_builtin_rules")
def test_registering_a_rule_twice_keeps_one():
    scheduler.register_time_rule("x", lambda *, today: 0)
    scheduler.register_time_rule("x", lambda *, today: 1)

    assert list(scheduler.time_rules()).count("x") == 1
    with pytest.raises(ValueError, match="needs a name and a callable"):
        scheduler.register_time_rule("", lambda *, today: 0)


def test_tick_command_prints_counts(awaiting):
    out = StringIO()

    call_command("tick", stdout=out)

    assert "filings_abandon_overdue: 1" in out.getvalue().splitlines()
    assert Filing.objects.get(pk=awaiting.pk).state == FilingState.ABANDONED


def test_tick_command_rejects_a_bad_date(db):
    with pytest.raises(CommandError, match="expected a date as YYYY-MM-DD"):
        call_command("tick", "--date", "2026-02-30")


def test_period_key_is_the_same_everywhere_in_a_period_and_changes_after():
    start = dt.datetime(2026, 12, 1, 8, 20, tzinfo=dt.UTC)

    key = scheduler.period_key(start, 10)

    assert key == "10m@2026-12-01T08:20Z"
    assert scheduler.period_key(start + dt.timedelta(minutes=9, seconds=59), 10) == key
    beijing = dt.timezone(dt.timedelta(hours=8))
    assert scheduler.period_key(start.astimezone(beijing), 10) == key
    assert scheduler.period_key(start + dt.timedelta(minutes=10), 10) != key
    with pytest.raises(ValueError, match="aware"):
        scheduler.period_key(dt.datetime(2026, 12, 1), 10)


@pytest.mark.django_db(transaction=True)
def test_only_one_claim_per_period_and_the_winner_enqueues_the_tick():
    now = timezone.now()

    assert tasks.enqueue_tick_if_due(now) is True
    assert tasks.enqueue_tick_if_due(now) is False  # a second worker in the same period loses
    assert ScheduledRun.objects.filter(name="tick").count() == 1
    assert DBTaskResult.objects.filter(task_path="govapp.core.tasks.run_time_rules").count() == 1


def test_bad_tick_minutes_is_a_clear_error(settings):
    settings.GOVAPP_TICK_MINUTES = "often"

    with pytest.raises(ValueError, match="whole number of minutes"):
        scheduler.tick_minutes()


@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_tick_and_an_enqueued_task(filer, provincial_reviewer, national_reviewer):
    filing = complete_filing(filer)
    services.filing_submit(filing=filing, actor=filer)
    services.filing_forward(filing=filing, actor=provincial_reviewer)
    services.filing_request_supplement(
        filing=filing, actor=national_reviewer, items=[Deficiency("om_team", "O&M", "Name the team.")]
    )
    Filing.objects.filter(pk=filing.pk).update(clock_due=timezone.localdate() - dt.timedelta(days=3))
    from govapp.core.tasks import run_time_rules

    queued = run_time_rules.enqueue(today=timezone.localdate().isoformat())
    mail.outbox = []

    call_command("worker", "--batch", "--interval", "0.1", verbosity=0)

    assert DBTaskResult.objects.get(id=queued.id).status == "SUCCESSFUL"
    assert Filing.objects.get(pk=filing.pk).state == FilingState.ABANDONED
    run = ScheduledRun.objects.get(name="tick")
    assert run.finished_at is not None and run.summary["counts"]["filings_abandon_overdue"] == 0
    assert set(run.summary["counts"]) == set(scheduler.time_rules())
    assert any("abandoned" in message.subject for message in mail.outbox)


def test_worker_refuses_unknown_queue(db):
    with pytest.raises(CommandError, match="Unknown queue"):
        call_command("worker", "--queue", "default,email", "--batch")


ALL_RULES = {
    "filings_abandon_overdue", "rectification_overdue", "suspension_lift_refiled", "campaign_deadlines",
    "legacy_reminders", "complaints_overdue", "changes_take_effect", "consolidation_overdue",
}  # fmt: skip


def test_every_app_registers_its_time_rules_once_ready():
    assert set(scheduler.time_rules()) == ALL_RULES


def test_every_rule_changes_nothing_the_second_time_across_national_day(  # type: ignore[no-untyped-def]
    awaiting, filer, provincial_reviewer, national_reviewer, monkeypatch
):
    """One overdue case for each rule, due on the last working day before the 2026 National Day holiday;
    each day from before the holiday to after it is ticked twice: the second tick finds nothing to do."""
    from govapp.complaints.models import Complaint
    from govapp.complaints.services import complaint_submit
    from govapp.registry.models import App
    from govapp.supervision.campaigns import selfcheck, spot_check
    from govapp.supervision.campaigns.models import SelfInspectionCampaign, SpotCheckCampaign
    from govapp.supervision.enforcement.rectification import rectification_order_issue
    from govapp.supervision.legacy.models import LegacyApp
    from govapp.supervision.models import RectificationOrder

    monkeypatch.setattr(services, "APPROVAL_CHECKS", [])
    filing = complete_filing(filer, name="节前应用", android_package="cn.gov.zj.holiday")
    services.filing_submit(filing=filing, actor=filer)
    services.filing_forward(filing=filing, actor=provincial_reviewer)
    services.filing_approve(filing=filing, actor=national_reviewer)
    app = App.objects.get(pk=filing.app_id)
    order = rectification_order_issue(app=app, actor=national_reviewer, source="reviewer", required_actions="删除打卡",
                                      article="第十三条", findings=[{"category": "checkin", "description": "打卡"}])  # fmt: skip
    complaint = complaint_submit(category="checkin", description="每天必须打卡", app_name=app.name)
    spot = spot_check.campaign_create(actor=national_reviewer, title="节前抽查", size=1, method="random",
                                             seed="1")  # fmt: skip
    inspection = selfcheck.selfcheck_launch(actor=national_reviewer, title="节前自查")
    LegacyApp.objects.create(unit=filer.unit, name="存量应用", android_package="cn.gov.zj.legacy", kind="app",
                             platforms=["android"], online_since=dt.date(2023, 5, 18), created_by=filer)  # fmt: skip
    due = dt.date(2026, 9, 30)  # the holiday runs 1–7 October; 10 October (Saturday) is a make-up working day
    Filing.objects.filter(pk=awaiting.pk).update(clock_due=due)
    RectificationOrder.objects.filter(pk=order.pk).update(due=due)
    Complaint.objects.filter(pk=complaint.pk).update(due=due)
    SpotCheckCampaign.objects.filter(pk=spot.pk).update(due=due)
    SelfInspectionCampaign.objects.filter(pk=inspection.pk).update(due=due)
    from govapp.accounts.models import UnitFunction, UnitLevel
    from govapp.consolidation import plans
    from tests.factories import make_unit

    make_unit(
        "浙江省财政厅", level=UnitLevel.PROVINCIAL, province="33", function=UnitFunction.OM_FUNDING_AUTHORITY
    )
    plan = plans.plan_start(actor=provincial_reviewer, province="33", title="节前瘦身")
    plans.plan_decide(actor=provincial_reviewer, plan=plan, app=app, decision="close", target=None, deadline=due,
                      reason="使用率低，关停")  # fmt: skip
    plans.plan_settings(actor=provincial_reviewer, plan=plan, notify_funding=True)

    changed: dict[str, int] = dict.fromkeys(ALL_RULES, 0)
    day = dt.date(2026, 9, 28)
    while day <= dt.date(2026, 10, 12):
        first = scheduler.apply_time_rules(day)
        second = scheduler.apply_time_rules(day)
        assert set(first) == ALL_RULES
        assert second == dict.fromkeys(ALL_RULES, 0), f"second tick on {day} changed {second}"
        if day <= due:
            assert first["rectification_overdue"] == first["complaints_overdue"] == 0, day
        for name, count in first.items():
            changed[name] += count
        day += dt.timedelta(days=1)

    # Not vacuous: every rule with a case found it once in the period.
    # A change waiting for its effective date is ticked in tests/registry/test_change_timing.py.
    assert {name for name, count in changed.items() if count} == ALL_RULES - {
        "suspension_lift_refiled", "changes_take_effect",
    }  # fmt: skip
    assert Filing.objects.get(pk=awaiting.pk).state == FilingState.ABANDONED
    assert RectificationOrder.objects.get(pk=order.pk).state == "overdue"
