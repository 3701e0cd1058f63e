"""Fixtures of the public side: a register with every status, a fresh rate-limit budget per test."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from govapp.registry import services
from tests.public.builders import Register, build_register


@pytest.fixture(autouse=True)
def _fast_passwords(settings):  # type: ignore[no-untyped-def]
    # Eleven personas per test: the production hasher's cost would dominate these tests' run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_rate_limit():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def no_technical_test(monkeypatch):  # type: ignore[no-untyped-def]
    """Approval normally waits for a package scan; the public side is not about the technical test."""
    monkeypatch.setattr(services, "APPROVAL_CHECKS", [])


@pytest.fixture
def register(
    filer,
    other_filer,
    ministry_filer,
    provincial_reviewer,
    national_reviewer,  # type: ignore[no-untyped-def]
    no_technical_test,
) -> Register:
    return build_register(
        filer=filer,
        other_filer=other_filer,
        ministry_filer=ministry_filer,
        provincial_reviewer=provincial_reviewer,
        national_reviewer=national_reviewer,
    )
