"""Personas and shared fixtures (style.md: every view has a "refuses the outsider" test)."""

from __future__ import annotations

import os

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from govapp.accounts.models import Role, UnitFunction, UnitLevel
from tests.factories import PASSWORD, make_totp_device, make_unit, make_user

# Property tests draw the same examples on every run, with no time limit per example (a loaded machine
# must not fail them); `HYPOTHESIS_PROFILE=explore` draws new and more examples to look for bugs.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None, deadline=None)
hypothesis_settings.register_profile("explore", max_examples=2000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(autouse=True)
def _english_outside_requests():  # type: ignore[no-untyped-def]
    """Services and commands speak the active language (Chinese by default); tests assert English.

    Requests still get Chinese by default: the locale middleware sets the language per request.
    """
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_rate_limits(monkeypatch):  # type: ignore[no-untyped-def]
    """Rate-limit counters live in the cache: each test starts with none spent by the previous ones.

    The windows are fixed (minutes, hours): the limiter's clock is pinned mid-window, or a test whose
    requests straddle a window boundary would see its budget renewed.
    """
    from types import SimpleNamespace

    from django.core.cache import cache

    from govapp.core import ratelimit

    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_030.0))
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def certificate_key_pem() -> str:
    """One SM2 signing key for the whole run (generating one per test would only cost time)."""
    from govapp.certificates.signing import SM2, generate_key

    return generate_key(SM2).pem()


@pytest.fixture(autouse=True, scope="session")
def _flush_past_the_row_guards():  # type: ignore[no-untyped-def]
    """Transactional tests empty every table between tests. PostgreSQL's TRUNCATE passes the
    append-only triggers (core/db_guards.py); SQLite deletes row by row, so its flush drops them
    first, and the post_migrate that follows every flush installs them again."""
    from django.db import connection

    from govapp.core.db_guards import GUARDS, remove_sql

    if connection.vendor != "sqlite":
        yield
        return
    DatabaseOperations = type(connection.ops)
    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):  # type: ignore[no-untyped-def]
        drops = [sql for guard in GUARDS if guard.table in tables for sql in remove_sql("sqlite", guard)]
        return drops + original(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


@pytest.fixture(autouse=True)
def _fresh_similarity_index():  # type: ignore[no-untyped-def]
    # The similar-apps index lives for the process; a test's rolled-back rows must not reach the next test.
    from govapp.consolidation import service

    service.reset()
    yield
    service.reset()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path, certificate_key_pem):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    # Approval signs a certificate: never with (or into) the developer's ./var/ key.
    settings.GOVAPP_CERT_ALGORITHM = "SM2"
    settings.GOVAPP_CERT_KEY = certificate_key_pem
    settings.GOVAPP_CERT_KEY_FILE = str(tmp_path / "certificate_key.pem")
    settings.GOVAPP_CERT_RETIRED_KEYS_FILE = str(tmp_path / "certificate_retired_keys.json")
    settings.GOVAPP_CERT_KEY_GENERATE = True
    # Real hashing costs ~0.3 s per user; tests create dozens.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Whatever the mode, tests run with the second factor required (login() passes it).
    settings.GOVAPP_REQUIRE_SECOND_FACTOR = True


@pytest.fixture(autouse=True)
def _official_calendar(request, django_db_blocker):  # type: ignore[no-untyped-def]
    """Transactional tests end with a flush that empties the calendar the migration seeded: restore it."""
    yield
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        from govapp.core import calendar, calendar_import

        with django_db_blocker.unblock():
            calendar_import.install_seed()
        calendar.clear_cache()


@pytest.fixture
def units(db):  # type: ignore[no-untyped-def]
    national = make_unit(
        "国家互联网信息办公室", level=UnitLevel.NATIONAL, function=UnitFunction.NATIONAL_OFFICE
    )
    zj_office = make_unit(
        "浙江省委网信办", level=UnitLevel.PROVINCIAL, province="33", function=UnitFunction.CYBERSPACE_OFFICE
    )
    zj_service = make_unit(
        "浙江省政务服务管理办公室",
        level=UnitLevel.PROVINCIAL,
        province="33",
        function=UnitFunction.GOV_SERVICE_ADMIN,
    )
    js_office = make_unit(
        "江苏省委网信办", level=UnitLevel.PROVINCIAL, province="32", function=UnitFunction.CYBERSPACE_OFFICE
    )
    hz = make_unit("杭州市数据资源管理局", level=UnitLevel.CITY, province="33")
    nb = make_unit("宁波市大数据发展管理局", level=UnitLevel.CITY, province="33")
    nj = make_unit("南京市政务服务管理办公室", level=UnitLevel.CITY, province="32")
    township = make_unit("余杭区某街道办事处", level=UnitLevel.TOWNSHIP, province="33", parent=hz)
    ministry = make_unit("水利部", level=UnitLevel.NATIONAL)
    testing = make_unit(
        "国家计算机网络应急技术处理协调中心", level=UnitLevel.NATIONAL, function=UnitFunction.TESTING_BODY
    )
    return {
        "national": national,
        "zj_office": zj_office,
        "zj_service": zj_service,
        "js_office": js_office,
        "hz": hz,
        "nb": nb,
        "nj": nj,
        "township": township,
        "ministry": ministry,
        "testing": testing,
    }


@pytest.fixture
def filer(units):  # type: ignore[no-untyped-def]
    return make_user("filer", role=Role.FILER, unit=units["hz"])


@pytest.fixture
def other_filer(units):  # type: ignore[no-untyped-def]
    """A filer of another unit in the same province."""
    return make_user("other_filer", role=Role.FILER, unit=units["nb"])


@pytest.fixture
def far_filer(units):  # type: ignore[no-untyped-def]
    """A filer in another province."""
    return make_user("far_filer", role=Role.FILER, unit=units["nj"])


@pytest.fixture
def township_filer(units):  # type: ignore[no-untyped-def]
    return make_user("township_filer", role=Role.FILER, unit=units["township"])


@pytest.fixture
def ministry_filer(units):  # type: ignore[no-untyped-def]
    return make_user("ministry_filer", role=Role.FILER, unit=units["ministry"])


@pytest.fixture
def provincial_reviewer(units):  # type: ignore[no-untyped-def]
    return make_user("zj_reviewer", role=Role.PROVINCIAL_REVIEWER, unit=units["zj_office"])


@pytest.fixture
def provincial_coreviewer(units):  # type: ignore[no-untyped-def]
    return make_user("zj_coreviewer", role=Role.PROVINCIAL_COREVIEWER, unit=units["zj_service"])


@pytest.fixture
def other_provincial_reviewer(units):  # type: ignore[no-untyped-def]
    return make_user("js_reviewer", role=Role.PROVINCIAL_REVIEWER, unit=units["js_office"])


@pytest.fixture
def national_reviewer(units):  # type: ignore[no-untyped-def]
    return make_user("national", role=Role.NATIONAL_REVIEWER, unit=units["national"])


@pytest.fixture
def inspector(units):  # type: ignore[no-untyped-def]
    return make_user("inspector", role=Role.INSPECTOR, unit=units["testing"])


@pytest.fixture
def sysadmin(units):  # type: ignore[no-untyped-def]
    return make_user("sysadmin", role=Role.ADMIN, unit=units["national"])


def login(user) -> Client:  # type: ignore[no-untyped-def]
    """A client signed in with the password and, for the roles that need it, the second factor."""
    from django.http import HttpRequest

    client = Client()
    # The lockout backend needs a request to know the address the attempt came from.
    assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)
    pass_second_factor(client, user)
    return client


def pass_second_factor(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    """Mark the client's session as verified by the user's authenticator (enrolled here if needed)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from govapp.accounts.second_factor import second_factor_required

    if not second_factor_required(user):
        return
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = make_totp_device(user).persistent_id
    session.save()


@pytest.fixture
def client_for():  # type: ignore[no-untyped-def]
    """client_for(user) -> a logged-in test client."""
    return login


@pytest.fixture
def without_technical_test(monkeypatch):  # type: ignore[no-untyped-def]
    """Approve without a scanned package, for tests about the workflow rather than the technical test."""
    from govapp.registry import services

    monkeypatch.setattr(services, "APPROVAL_CHECKS", [])


@pytest.fixture
def immediate_tasks(settings):  # type: ignore[no-untyped-def]
    """Tasks (scans) run at once inside the request or commit that enqueues them."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "scans"],
        }
    }
