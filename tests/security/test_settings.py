"""Production settings are safe without the operator remembering every switch, and refuse to guess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = (
    "import json, govapp.settings as s; print(json.dumps({'secure': s.SESSION_COOKIE_SECURE, "
    "'csrf_secure': s.CSRF_COOKIE_SECURE, 'hosts': s.ALLOWED_HOSTS, 'debug': s.DEBUG, 'mode': s.GOVAPP_MODE, "
    "'storage': s.STORAGES['default']['BACKEND'], 'cache': s.CACHES['default']['BACKEND'], "
    "'email': s.EMAIL_BACKEND, 'demo': s.GOVAPP_DEMO_ALLOWED, 'proxies': s.GOVAPP_TRUSTED_PROXIES, "
    "'hsts': getattr(s, 'SECURE_HSTS_SECONDS', 0), 'proxy_ssl': getattr(s, 'SECURE_PROXY_SSL_HEADER', None)}))"
)

# A complete production environment (docs/operations.md); nothing here is contacted by the probes.
PRODUCTION = {
    "GOVAPP_MODE": "production",
    "DATABASE_URL": "postgres://govapp@db.example.gov.cn:5432/govapp",
    "GOVAPP_S3_ENDPOINT_URL": "https://s3.example.gov.cn",
    "GOVAPP_S3_BUCKET": "govapp",
    "GOVAPP_S3_ACCESS_KEY": "access",
    "GOVAPP_S3_SECRET_KEY": "secret",
    "GOVAPP_ALLOWED_HOSTS": "registry.example.gov.cn",
    "GOVAPP_CSRF_TRUSTED_ORIGINS": "https://registry.example.gov.cn",
    "GOVAPP_TRUSTED_PROXIES": "10.0.0.5,10.0.1.0/24",
    "GOVAPP_EMAIL_HOST": "smtp.example.gov.cn",
    "GOVAPP_EMAIL_FROM": "registry@example.gov.cn",
    "GOVAPP_REDIS_URL": "redis://cache.example.gov.cn:6379/0",
    "GOVAPP_CERT_KEY_FILE": "/etc/govapp/cert.pem",
    "GOVAPP_SECRET_KEY": "Zq8-v1!xK3p_R7wT2mN9bL4cY6hJ0dF5gS8aQ1eU3iO7rW2tV9zX4nM6kB0jH5",
}


def _clean_env(tmp_path: Path, **env: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GOVAPP_") and k != "DATABASE_URL"}
    clean.update(GOVAPP_VAR_DIR=str(tmp_path / "var"), **env)
    return clean


def _settings(tmp_path: Path, **env: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=_clean_env(tmp_path, **env), capture_output=True, text=True,
        check=True, timeout=60,
    )  # fmt: skip
    return json.loads(result.stdout)


def _govapp(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "govapp", *args], env=_clean_env(tmp_path, **env), capture_output=True,
        text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip


def test_production_uses_the_shared_services_and_secure_transport(tmp_path: Path) -> None:
    prod = _settings(tmp_path, **PRODUCTION)
    assert prod["mode"] == "production" and prod["debug"] is False
    assert prod["secure"] is True and prod["csrf_secure"] is True
    assert prod["hosts"] == ["registry.example.gov.cn"]
    assert prod["storage"] == "storages.backends.s3.S3Storage"
    assert prod["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert prod["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert prod["demo"] is False
    assert prod["proxies"] == ["10.0.0.5", "10.0.1.0/24"]
    assert prod["hsts"] >= 365 * 24 * 3600 and prod["proxy_ssl"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    opted_out = _settings(tmp_path, **PRODUCTION, GOVAPP_SECURE_COOKIES="0")
    assert opted_out["secure"] is False


def test_embedded_mode_keeps_local_services_and_plain_http(tmp_path: Path) -> None:
    embedded = _settings(tmp_path)
    assert embedded["mode"] == "embedded" and embedded["demo"] is True
    assert embedded["secure"] is False and embedded["hsts"] == 0
    assert embedded["storage"] == "django.core.files.storage.FileSystemStorage"
    assert embedded["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert "testserver" not in embedded["hosts"]


@pytest.mark.parametrize(
    ("unset", "named"),
    [
        ("DATABASE_URL", "DATABASE_URL (database)"),
        ("GOVAPP_S3_BUCKET", "GOVAPP_S3_BUCKET (object storage)"),
        ("GOVAPP_ALLOWED_HOSTS", "GOVAPP_ALLOWED_HOSTS (allowed hosts)"),
        ("GOVAPP_TRUSTED_PROXIES", "GOVAPP_TRUSTED_PROXIES (trusted proxies)"),
        ("GOVAPP_EMAIL_HOST", "GOVAPP_EMAIL_HOST (SMTP)"),
        ("GOVAPP_REDIS_URL", "GOVAPP_REDIS_URL (shared cache)"),
        ("GOVAPP_SECRET_KEY", "GOVAPP_SECRET_KEY (secret key)"),
    ],
)
def test_production_names_the_missing_setting_in_one_line(tmp_path: Path, unset: str, named: str) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != unset}
    result = _govapp(tmp_path, "check", **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0] and "GOVAPP_MODE=production" in lines[0]
    assert not (tmp_path / "var").exists()  # nothing was created before refusing


def test_production_names_everything_missing_at_once(tmp_path: Path) -> None:
    result = _govapp(tmp_path, "worker", "--batch", GOVAPP_MODE="production")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    for name in ("DATABASE_URL", "GOVAPP_S3_ENDPOINT_URL", "GOVAPP_ALLOWED_HOSTS", "GOVAPP_TRUSTED_PROXIES",
                 "GOVAPP_EMAIL_HOST", "GOVAPP_REDIS_URL", "GOVAPP_SECRET_KEY"):  # fmt: skip
        assert name in line


def test_production_refuses_sqlite_a_wildcard_host_and_an_unknown_mode(tmp_path: Path) -> None:
    sqlite = _govapp(tmp_path, "check", **{**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert sqlite.returncode == 2 and "PostgreSQL" in sqlite.stderr
    wildcard = _govapp(tmp_path, "check", **{**PRODUCTION, "GOVAPP_ALLOWED_HOSTS": "*"})
    assert wildcard.returncode == 2 and "'*' is refused" in wildcard.stderr
    unknown = _govapp(tmp_path, "check", GOVAPP_MODE="prod")
    assert unknown.returncode == 2 and "GOVAPP_MODE must be 'embedded' or 'production'" in unknown.stderr
    proxies = _govapp(tmp_path, "check", **{**PRODUCTION, "GOVAPP_TRUSTED_PROXIES": "nginx.local"})
    assert proxies.returncode == 2 and "not an IP address or network" in proxies.stderr


def test_check_deploy_is_clean_in_a_configured_production(tmp_path: Path) -> None:
    result = _govapp(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_shared_database_without_a_secret_key_refuses_to_start(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=_clean_env(tmp_path, DATABASE_URL="postgres://u@db.example/govapp"),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "GOVAPP_SECRET_KEY is not set" in result.stderr
