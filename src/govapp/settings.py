"""Settings, read from the environment with safe defaults for the embedded mode.

Embedded mode (``govapp serve``): SQLite under ./var/, DEBUG off, a secret key generated once
into ./var/secret_key. Production sets DATABASE_URL, GOVAPP_SECRET_KEY and GOVAPP_ALLOWED_HOSTS;
a missing secret key outside the embedded mode stops start-up with a clear message.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("GOVAPP_VAR_DIR", Path.cwd() / "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}.")
    return value


def _env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = _env_bool("GOVAPP_DEBUG", False)
EMBEDDED = "DATABASE_URL" not in os.environ


def _secret_key() -> str:
    key = os.environ.get("GOVAPP_SECRET_KEY")
    if key:
        return key
    if not EMBEDDED and not DEBUG:
        raise ImproperlyConfigured(
            "GOVAPP_SECRET_KEY is not set. Production (DATABASE_URL set) needs a long random secret key."
        )
    # Embedded mode: one random key per installation, kept beside the database.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
if EMBEDDED:
    # The embedded SQLite database and uploads live here; SQLite cannot create the directory itself.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
# Django's test set-up adds "testserver" itself; a production host list must not carry it.
ALLOWED_HOSTS = _env_list("GOVAPP_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = _env_list("GOVAPP_CSRF_TRUSTED_ORIGINS", [])
# Our own page (both languages, the site's look) instead of Django's bare one that points at DEBUG.
CSRF_FAILURE_VIEW = "govapp.core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "django_fsm",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "govapp.core",
    "govapp.accounts",
    "govapp.registry",
    "govapp.inspection",
    "govapp.supervision",
    "govapp.complaints",
    "govapp.public",
    "govapp.api",
    "govapp.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "govapp.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "govapp.urls"
WSGI_APPLICATION = "govapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "govapp.portal.context_processors.site",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'govapp.sqlite3'}",
        conn_max_age=_env_int("GOVAPP_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the worker writes; IMMEDIATE avoids lock upgrades
        # failing mid-transaction when two writers meet.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "public:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Chinese first: served by default whatever the browser asks for; English by explicit choice.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Production: set GOVAPP_STATIC_ROOT and run `govapp collectstatic`; embedded mode serves from the apps.
STATIC_ROOT = os.environ.get("GOVAPP_STATIC_ROOT") or None
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("GOVAPP_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never served publicly: uploads are streamed by permission-checked views
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads: materials are documents, packages may be large (streamed to disk, never held in memory).
GOVAPP_MAX_DOCUMENT_BYTES = _env_int("GOVAPP_MAX_DOCUMENT_BYTES", 20 * 1024**2, minimum=1)
GOVAPP_MAX_PACKAGE_BYTES = _env_int("GOVAPP_MAX_PACKAGE_BYTES", 2 * 1024**3, minimum=1)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024**2
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024**2
FILE_UPLOAD_PERMISSIONS = 0o640

SESSION_COOKIE_HTTPONLY = True
# Production runs behind a TLS proxy (docs/operations.md): session and CSRF cookies never travel in
# clear text unless the operator says so; the embedded mode serves plain HTTP on the local machine.
SESSION_COOKIE_SECURE = _env_bool("GOVAPP_SECURE_COOKIES", not EMBEDDED and not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("GOVAPP_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "scans"],
    }
}

CACHES = {
    "default": {
        # Rate limits count per process in embedded mode; production points this at a shared cache.
        "BACKEND": os.environ.get("GOVAPP_CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"),
        "LOCATION": os.environ.get("GOVAPP_CACHE_LOCATION", "govapp"),
    }
}

EMAIL_BACKEND = os.environ.get("GOVAPP_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("GOVAPP_EMAIL_HOST", "localhost")
EMAIL_PORT = _env_int("GOVAPP_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("GOVAPP_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("GOVAPP_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("GOVAPP_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("GOVAPP_EMAIL_FROM", "govapp@localhost")

# Working-day limits of the Measures (regulation §4). N1 is fixed by the Measures; the others were
# not published in any text we could read and are settings with these defaults.
GOVAPP_LIMITS = {
    "N1": _env_int("GOVAPP_N1", 10, minimum=1),  # provincial completeness review
    "N2": _env_int("GOVAPP_N2", 20, minimum=1),  # national material review + technical test
    "N3": _env_int("GOVAPP_N3", 10, minimum=1),  # unit's supplement / rectification statement
    "N4": _env_int("GOVAPP_N4", 10, minimum=1),  # change filing, before the change takes effect
    "N5": _env_int("GOVAPP_N5", 10, minimum=1),  # deregistration report, after going offline
    "COMPLAINT": _env_int("GOVAPP_COMPLAINT_DAYS", 15),  # complaint handling (not in the Measures)
    "RECTIFY": _env_int("GOVAPP_RECTIFY_DAYS", 15),  # rectification order (default; per order too)
    "SPOT_PACKAGE": _env_int("GOVAPP_SPOT_PACKAGE_DAYS", 5),  # units send the package for a spot check
    "SELF_INSPECTION": _env_int("GOVAPP_SELF_INSPECTION_DAYS", 20),  # self-inspection questionnaire
}

# The provincial completeness review is joint (cyberspace office and government-service administration):
# with this on, the cyberspace office forwards or returns only once the administration's opinion is on
# record. Off, the province's cyberspace office reviews alone (both opinions are still recorded if given).
GOVAPP_JOINT_PROVINCIAL_REVIEW = _env_bool("GOVAPP_JOINT_PROVINCIAL_REVIEW", False)

# Filing number format (docs/filing-numbers.md): region abbreviation (国 for central ministries),
# year, zero-padded sequence per (region, year), app kind letter.
GOVAPP_FILING_NUMBER_FORMAT = os.environ.get(
    "GOVAPP_FILING_NUMBER_FORMAT", "{region}政备{year}{seq:06d}{kind}"
)

# How often the worker applies the time rules (abandonment, overdue rectifications, reminders).
GOVAPP_TICK_MINUTES = _env_int("GOVAPP_TICK_MINUTES", 10, minimum=1)

# Public API rate limit: requests per minute per client address.
GOVAPP_PUBLIC_RATE_LIMIT = _env_int("GOVAPP_PUBLIC_RATE_LIMIT", 120)
# Key of the complaint receipt hashes; unset, one is derived from SECRET_KEY (complaints/receipts.py).
GOVAPP_RECEIPT_KEY = os.environ.get("GOVAPP_RECEIPT_KEY", "")
# Reverse proxies in front of us that append X-Forwarded-For; 0 = use REMOTE_ADDR (the header is forgeable).
GOVAPP_TRUSTED_PROXY_COUNT = _env_int("GOVAPP_TRUSTED_PROXY_COUNT", 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GOVAPP_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
