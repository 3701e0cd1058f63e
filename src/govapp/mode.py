"""The two ways to run GovApp Registry, and what production must be given before any process starts.

Embedded (``govapp serve``, the default when GOVAPP_MODE is unset): SQLite, local files, a per-process
cache, console e-mail, demo data allowed. Production (GOVAPP_MODE=production): several machines on
shared services; nothing falls back silently, so a missing setting stops every process at start-up
with one line naming all that is missing (settings.py raises, cli.py and wsgi.py print it).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

EMBEDDED = "embedded"
PRODUCTION = "production"
MODES = (EMBEDDED, PRODUCTION)

# (what it is, the environment variables that must all be non-empty), in the order of the docs.
PRODUCTION_REQUIREMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("database", ("DATABASE_URL",)),
    (
        "object storage",
        ("GOVAPP_S3_ENDPOINT_URL", "GOVAPP_S3_BUCKET", "GOVAPP_S3_ACCESS_KEY", "GOVAPP_S3_SECRET_KEY"),
    ),
    ("allowed hosts", ("GOVAPP_ALLOWED_HOSTS",)),
    ("trusted proxies", ("GOVAPP_TRUSTED_PROXIES",)),
    ("SMTP", ("GOVAPP_EMAIL_HOST", "GOVAPP_EMAIL_FROM")),
    ("shared cache", ("GOVAPP_REDIS_URL",)),
    ("secret key", ("GOVAPP_SECRET_KEY",)),
)


class ProductionNotConfigured(ImproperlyConfigured):
    """Production was asked for without everything it needs; the message is one line."""


def read_mode(environ: Mapping[str, str]) -> str:
    mode = environ.get("GOVAPP_MODE", "").strip().lower() or EMBEDDED
    if mode not in MODES:
        raise ImproperlyConfigured(f"GOVAPP_MODE must be 'embedded' or 'production', got {mode!r}.")
    return mode


def missing_production_settings(environ: Mapping[str, str]) -> list[str]:
    """``NAME (what)`` for every required variable that is unset or empty, or set to something unusable."""
    missing: list[str] = []
    for what, names in PRODUCTION_REQUIREMENTS:
        missing += [f"{name} ({what})" for name in names if not environ.get(name, "").strip()]
    if not (environ.get("GOVAPP_CERT_KEY_FILE", "").strip() or environ.get("GOVAPP_CERT_KEY", "").strip()):
        missing.append(
            "GOVAPP_CERT_KEY_FILE or GOVAPP_CERT_KEY (filing-certificate key: approval signs with it)"
        )
    url = environ.get("DATABASE_URL", "").strip()
    if url and not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        missing.append("DATABASE_URL (database: PostgreSQL, several machines cannot share SQLite)")
    if "*" in environ.get("GOVAPP_ALLOWED_HOSTS", ""):
        missing.append("GOVAPP_ALLOWED_HOSTS (allowed hosts: name them, '*' is refused)")
    return missing


def require_production_settings(environ: Mapping[str, str]) -> None:
    missing = missing_production_settings(environ)
    if missing:
        raise ProductionNotConfigured(
            "GOVAPP_MODE=production refuses to start; missing: "
            + ", ".join(missing)
            + " (docs/operations.md)."
        )
