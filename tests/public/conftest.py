"""Fixtures of the public side: a register with every status, a fresh rate-limit budget per test."""

from __future__ import annotations

import pytest

from govapp.registry import services
from tests.public.builders import Register, build_register


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
