"""Upgrading rectification orders whose article is free text: the reference is kept, the rest is a note."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from govapp.accounts.models import Unit, User
from govapp.registry.models import App

BEFORE = [("supervision", "0005_protect_events")]
AFTER = [("supervision", "0006_article_as_reference_and_note")]


@pytest.mark.django_db(transaction=True)
def test_article_texts_become_references_and_free_text_a_note() -> None:
    # Units, users and apps are at the latest schema throughout: made with today's models.
    unit = Unit.objects.create(name="某市数据局", level="municipal", kind="government", province="33")
    user = User.objects.create(username="r", role="national_reviewer", unit=unit)
    app = App.objects.create(unit=unit, name="某某通", kind="app", state="filed")
    executor = MigrationExecutor(connection)
    try:
        _upgrade(executor, app, user)
    finally:
        # Whatever happened, the next test on this database finds the latest schema.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def _upgrade(executor: MigrationExecutor, app: App, user: User) -> None:
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    order_model = old.get_model("supervision", "RectificationOrder")
    texts = ["Art. 13", "《办法》第十三条第二项", "第十三条；首页强制打卡", "见整改要求"]
    pks = [
        order_model.objects.create(
            app_id=app.pk, source="reviewer", required_actions="删除打卡", article=text, workdays=20,
            issued_on=dt.date(2026, 12, 1), due=dt.date(2026, 12, 29), issued_by_id=user.pk,
            findings=[{"category": "checkin", "article": text, "description": "打卡"}],
        ).pk
        for text in texts
    ]  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    orders = new.get_model("supervision", "RectificationOrder").objects.in_bulk(pks)
    got = [(orders[pk].article_ref, orders[pk].article_note, orders[pk].findings[0]["article"]) for pk in pks]
    assert got == [
        ("13", "", "13"),
        ("13.2", "", "13.2"),
        ("13", "首页强制打卡", "13"),
        ("13", "见整改要求", "见整改要求"),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_campaigns_population_snapshot_moves_to_its_own_table() -> None:
    unit = Unit.objects.create(name="国家网信办", level="national", kind="government")
    user = User.objects.create(username="n", role="national_reviewer", unit=unit)
    executor = MigrationExecutor(connection)
    try:
        before = [("supervision", "0006_article_as_reference_and_note")]
        after = [("supervision", "0007_spot_check_population_table_and_tick_indexes")]
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        snapshot = [{"id": n, "province": "33", "score": 0.5} for n in range(1, 6)]
        campaign = old.get_model("supervision", "SpotCheckCampaign").objects.create(
            title="抽查", created_by_id=user.pk, started_on=dt.date(2026, 9, 1), due=dt.date(2026, 9, 8),
            method="random", size=2, seed="1", population=snapshot,
        )  # fmt: skip
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        moved = new.get_model("supervision", "SpotCheckCampaign").objects.get(pk=campaign.pk)
        assert moved.population_size == 5
        assert (
            new.get_model("supervision", "SpotCheckPopulation").objects.get(campaign_id=campaign.pk).rows
            == snapshot
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
