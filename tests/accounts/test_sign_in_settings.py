"""The sign-in settings as each mode reads them from the environment, in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.security.test_settings import PRODUCTION

SRC = Path(__file__).resolve().parents[2] / "src"
PRINT = (
    "from django.conf import settings as s; "
    "print(s.GOVAPP_REQUIRE_SECOND_FACTOR, s.SESSION_COOKIE_AGE, s.AXES_FAILURE_LIMIT, s.AXES_LOCKOUT_PARAMETERS)"
)


def _settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GOVAPP_", "DATABASE_URL"))}
    base.update(
        DJANGO_SETTINGS_MODULE="govapp.settings", PYTHONPATH=str(SRC), GOVAPP_VAR_DIR=str(tmp_path), **env
    )
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {PRINT}"],
        env=base, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_the_embedded_demo_goes_without_the_second_factor_and_production_requires_it(tmp_path: Path) -> None:
    embedded = _settings(tmp_path)
    assert embedded.stdout.split()[0] == "False", embedded.stderr
    production = _settings(tmp_path, **PRODUCTION)
    assert production.stdout.split()[:4] == ["True", "36000", "5", "['username',"], production.stderr


def test_production_refuses_to_start_without_the_second_factor(tmp_path: Path) -> None:
    result = _settings(tmp_path, **PRODUCTION, GOVAPP_REQUIRE_SECOND_FACTOR="0")
    assert result.returncode != 0
    assert "GOVAPP_REQUIRE_SECOND_FACTOR cannot be turned off in production" in result.stderr


@pytest.mark.parametrize(
    ("value", "parameters"),
    [("username", "['username']"), ("username+ip_address", "[['username', 'ip_address']]")],
)
def test_lockout_by_is_a_setting(tmp_path: Path, value: str, parameters: str) -> None:
    result = _settings(
        tmp_path, GOVAPP_LOCKOUT_BY=value, GOVAPP_LOGIN_FAILURE_LIMIT="3", GOVAPP_SESSION_HOURS="8"
    )
    assert result.stdout.strip() == f"False 28800 3 {parameters}", result.stderr
