"""Production settings are safe without the operator remembering every switch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = (
    "import json, govapp.settings as s; print(json.dumps({'secure': s.SESSION_COOKIE_SECURE, "
    "'csrf_secure': s.CSRF_COOKIE_SECURE, 'hosts': s.ALLOWED_HOSTS, 'debug': s.DEBUG}))"
)


def _settings(tmp_path: Path, **env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GOVAPP_") and k != "DATABASE_URL"}
    clean.update(GOVAPP_VAR_DIR=str(tmp_path), **env)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(result.stdout)


def test_production_cookies_are_secure_by_default(tmp_path: Path) -> None:
    prod = _settings(tmp_path, DATABASE_URL="postgres://u@db.example/govapp", GOVAPP_SECRET_KEY="k" * 50)
    assert prod["secure"] is True and prod["csrf_secure"] is True
    assert prod["debug"] is False
    assert "testserver" not in prod["hosts"]
    opted_out = _settings(
        tmp_path, DATABASE_URL="postgres://u@db.example/govapp", GOVAPP_SECRET_KEY="k" * 50,
        GOVAPP_SECURE_COOKIES="0",
    )  # fmt: skip
    assert opted_out["secure"] is False


def test_embedded_mode_keeps_plain_http_cookies(tmp_path: Path) -> None:
    embedded = _settings(tmp_path)
    assert embedded["secure"] is False
    assert "testserver" not in embedded["hosts"]


def test_production_without_a_secret_key_refuses_to_start(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GOVAPP_")}
    clean.update(GOVAPP_VAR_DIR=str(tmp_path), DATABASE_URL="postgres://u@db.example/govapp")
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "GOVAPP_SECRET_KEY is not set" in result.stderr
