"""The register at national size: the search on indexes gives the same apps as the plain OR of LIKEs did, the
count is not recounted on every page yet follows every filing, and on PostgreSQL the order and the Chinese
search read their indexes."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext

from govapp.public import queries
from govapp.registry.models import App, FilingNumber
from tests.factories import complete_filing
from tests.public.builders import Register, approve, number_of

pytestmark = pytest.mark.django_db


def reference(text: str) -> list[int]:
    """The search as it was: one OR of LIKEs across the joined tables."""
    text = queries.normalise_text(text)
    numbers = FilingNumber.objects.filter(number__icontains=text.upper()).values("app_id")
    apps = App.objects.publicly_listed().filter(
        Q(name__icontains=text) | Q(unit__name__icontains=text) | Q(pk__in=numbers)
    )
    return list(apps.order_by("-filed_at", "-pk").values_list("pk", flat=True))


def test_the_search_finds_what_the_or_of_likes_found(register: Register) -> None:
    old_number = register.first_number
    current = number_of(register.refiled)
    texts = [
        "浙里办",  # a whole name (3 characters)
        "浙里",  # 2 characters: below a trigram, still found
        "办",  # 1 character
        "打卡通",
        "杭州市数据资源",  # a unit name's substring
        "水利部",
        "大数据发展",
        old_number,  # a superseded number finds the app's current entry
        old_number[-7:].lower(),  # a number's tail, any case
        current[:5],
        "2026",
        "没有这个应用",
        "ｗｘ",  # full-width: normalised
    ]
    for text in texts:
        got = list(queries.public_apps(q=text).values_list("pk", flat=True))
        assert got == reference(text), text
    assert list(queries.public_apps(q=old_number).values_list("pk", flat=True)) == [register.refiled.pk]


def test_the_count_is_cached_per_query_and_follows_every_filing(
    register: Register, filer, provincial_reviewer, national_reviewer
) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.get("/register/", {"lang": "en"}).content.decode().count("6 apps found") == 1
    with CaptureQueriesContext(connection) as again:
        html = client.get("/register/", {"lang": "en"}).content.decode()
    assert "6 apps found" in html
    assert not any("COUNT(" in query["sql"].upper() for query in again.captured_queries)
    # Another query has its own count.
    assert client.get("/api/v1/public/filings", {"q": "水利"}).json()["count"] == 1
    approve(complete_filing(filer, name="杭州新应用", android_package="cn.gov.hz.fresh"), filer=filer,
            provincial_reviewer=provincial_reviewer, national_reviewer=national_reviewer)  # fmt: skip
    assert "7 apps found" in client.get("/register/", {"lang": "en"}).content.decode()
    api = client.get("/api/v1/public/filings").json()
    assert api["count"] == 7 == App.objects.publicly_listed().count()


def test_a_revocation_changes_the_count_of_a_status_filter(register: Register, national_reviewer) -> None:  # type: ignore[no-untyped-def]
    from govapp.registry import services

    client = Client()
    before = client.get("/api/v1/public/filings", {"status": "revoked"}).json()["count"]
    services.app_order_rectification(app=register.filed, actor=national_reviewer, reason="强制打卡")
    services.app_revoke(app=register.filed, actor=national_reviewer, reason="整改逾期")
    assert client.get("/api/v1/public/filings", {"status": "revoked"}).json()["count"] == before + 1


postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigram indexes are PostgreSQL's"
)


def _plan(sql: str, params: tuple[object, ...], *, bitmap_only: bool = True) -> str:
    """The plan when the tiny test tables may not be read in full: can an index serve the condition at all?
    ``bitmap_only``: no plain index scan either (it could walk a primary key and filter)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if bitmap_only:
            cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgresql
def test_on_postgresql_the_chinese_search_reads_the_trigram_indexes(register: Register) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["%_trgm"])
        names = {row[0] for row in cursor.fetchall()}
    assert names >= {"registry_app_name_trgm", "registry_filingnumber_number_trgm", "accounts_unit_name_trgm"}
    sql, params = queries.public_apps(q="数据资源管理")[:20].query.sql_with_params()
    plan = _plan(sql, params)
    for name in ("registry_app_name_trgm", "registry_filingnumber_number_trgm", "accounts_unit_name_trgm"):
        assert name in plan, plan


@postgresql
def test_on_postgresql_a_register_page_reads_the_order_index(register: Register) -> None:
    sql, params = queries.public_apps()[:20].query.sql_with_params()
    assert "app_register_order" in _plan(sql, params, bitmap_only=False)
