"""Settings, read from the environment with safe defaults for the embedded mode.

GOVAPP_MODE=embedded (the default, ``govapp serve``): SQLite under ./var/ unless DATABASE_URL says
otherwise, local files, a per-process cache, DEBUG off, a secret key generated once into ./var/secret_key.
GOVAPP_MODE=production: PostgreSQL, S3 object storage, Redis, SMTP, named hosts and trusted proxies,
all required (mode.py names whatever is missing in one line); docs/operations.md lists every variable.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from govapp.core.lean import stateful_only
from govapp.mode import EMBEDDED as EMBEDDED_MODE
from govapp.mode import PRODUCTION as PRODUCTION_MODE
from govapp.mode import read_mode, require_production_settings

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


GOVAPP_MODE = read_mode(os.environ)
PRODUCTION = GOVAPP_MODE == PRODUCTION_MODE
EMBEDDED = GOVAPP_MODE == EMBEDDED_MODE
if PRODUCTION:
    require_production_settings(os.environ)
DEBUG = _env_bool("GOVAPP_DEBUG", False)
# Demo accounts share one published password: only ever loaded into an embedded installation.
GOVAPP_DEMO_ALLOWED = EMBEDDED


def _secret_key() -> str:
    key = os.environ.get("GOVAPP_SECRET_KEY")
    if key:
        return key
    if "DATABASE_URL" in os.environ and not DEBUG:
        # A shared database means several processes, possibly several machines: one key for all of them.
        raise ImproperlyConfigured(
            "GOVAPP_SECRET_KEY is not set. A shared database (DATABASE_URL set) needs one long random "
            "secret key given to every process."
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
    "csp",
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
    "govapp.certificates",
    "govapp.complaints",
    "govapp.consolidation",
    "govapp.public",
    "govapp.stats",
    "govapp.api",
    "govapp.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "govapp.core.outage.DatabaseOutageMiddleware",
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

# Packages, documents and complaint attachments go through Django's storage API: the local
# directory in embedded mode, an S3 bucket (any S3-compatible server) in production, so that a
# worker on another machine reads what a web process on this one received.
GOVAPP_S3_ENABLED = PRODUCTION or bool(os.environ.get("GOVAPP_S3_BUCKET"))
if GOVAPP_S3_ENABLED:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("GOVAPP_S3_BUCKET", ""),
            "endpoint_url": os.environ.get("GOVAPP_S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("GOVAPP_S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("GOVAPP_S3_SECRET_KEY") or None,
            "region_name": os.environ.get("GOVAPP_S3_REGION", "us-east-1"),
            "addressing_style": os.environ.get("GOVAPP_S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
            "default_acl": None,
            "querystring_auth": True,  # objects are private; views stream them after a permission check
            "file_overwrite": False,
            "location": os.environ.get("GOVAPP_S3_PREFIX", ""),
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads: materials are documents, packages may be large (streamed to disk, never held in memory).
GOVAPP_MAX_DOCUMENT_BYTES = _env_int("GOVAPP_MAX_DOCUMENT_BYTES", 20 * 1024**2, minimum=1)
GOVAPP_MAX_PACKAGE_BYTES = _env_int("GOVAPP_MAX_PACKAGE_BYTES", 2 * 1024**3, minimum=1)
# POST /api/v1/public/packages/check: anonymous uploads, so a smaller cap, a budget of its own per
# client and minute, and a shorter analysis; the package is deleted when the answer is sent.
GOVAPP_PACKAGE_CHECK_MAX_BYTES = _env_int("GOVAPP_PACKAGE_CHECK_MAX_BYTES", 300 * 1024**2, minimum=1)
GOVAPP_PACKAGE_CHECK_RATE_LIMIT = _env_int("GOVAPP_PACKAGE_CHECK_RATE_LIMIT", 10)
GOVAPP_PACKAGE_CHECK_TIMEOUT = _env_int("GOVAPP_PACKAGE_CHECK_TIMEOUT", 120, minimum=1)
# National approval needs one package per declared platform a package format covers (strict); an
# installation may relax it to a warning on the approval page.
GOVAPP_REQUIRE_PACKAGE_PER_PLATFORM = _env_bool("GOVAPP_REQUIRE_PACKAGE_PER_PLATFORM", True)
# The technical test's budget per package, checked from the archive's directory before any analysis:
# a small package of very many, very compressible entries otherwise keeps a worker busy for minutes.
GOVAPP_SCAN_MAX_ENTRIES = _env_int("GOVAPP_SCAN_MAX_ENTRIES", 50_000, minimum=1)
GOVAPP_SCAN_MAX_INFLATED_BYTES = _env_int("GOVAPP_SCAN_MAX_INFLATED_BYTES", 1024**3, minimum=1)
GOVAPP_SCAN_TIMEOUT_SECONDS = _env_int("GOVAPP_SCAN_TIMEOUT_SECONDS", 300, minimum=1)
GOVAPP_SCAN_MEMORY_BYTES = _env_int("GOVAPP_SCAN_MEMORY_BYTES", 2 * 1024**3, minimum=256 * 1024**2)
# The worker's long-lived sandbox (engine/pool.py): capped children started once, each taking one
# package at a time; 0 starts a fresh child per scan. A child is replaced after RECYCLE scans.
GOVAPP_SCAN_POOL_SIZE = _env_int("GOVAPP_SCAN_POOL_SIZE", 1)
GOVAPP_SCAN_POOL_RECYCLE = _env_int("GOVAPP_SCAN_POOL_RECYCLE", 200, minimum=1)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024**2
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024**2
FILE_UPLOAD_PERMISSIONS = 0o640

SESSION_COOKIE_HTTPONLY = True
# Production runs behind a TLS proxy (docs/operations.md): session and CSRF cookies never travel in
# clear text unless the operator says so; the embedded mode serves plain HTTP on the local machine.
SESSION_COOKIE_SECURE = _env_bool("GOVAPP_SECURE_COOKIES", PRODUCTION and not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    # The proxy terminates TLS and sets X-Forwarded-Proto itself (docs/operations.md, nginx); gunicorn
    # listens on loopback only, so no client reaches it with a header of its own choosing.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("GOVAPP_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SECURE_HSTS_SECONDS = _env_int("GOVAPP_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("GOVAPP_HSTS_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _env_bool("GOVAPP_HSTS_PRELOAD", True)

# Content-Security-Policy on every response (django-csp): scripts and styles from our own origin
# only, no inline script (the templates keep JavaScript in static files), no framing, no plug-ins.
# Inline style attributes stay allowed: a few templates and htmx's indicator use them, and they
# cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("GOVAPP_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "scans"],
    }
}

# Rate limits count per process in embedded mode; with several processes and machines they must
# count in one place: Redis (GOVAPP_REDIS_URL, required in production).
GOVAPP_REDIS_URL = os.environ.get("GOVAPP_REDIS_URL", "")
if GOVAPP_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": GOVAPP_REDIS_URL,
            "KEY_PREFIX": os.environ.get("GOVAPP_CACHE_PREFIX", "govapp"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": os.environ.get(
                "GOVAPP_CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"
            ),
            "LOCATION": os.environ.get("GOVAPP_CACHE_LOCATION", "govapp"),
        }
    }
if PRODUCTION:
    # Sessions read from Redis and written through to the database: a Redis restart signs nobody out.
    SESSION_ENGINE = os.environ.get("GOVAPP_SESSION_ENGINE", "django.contrib.sessions.backends.cached_db")

EMAIL_BACKEND = os.environ.get(
    "GOVAPP_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
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
# the cyberspace office forwards or returns only once the administration's opinion is on record.
# "auto" (default): joint in each province whose government-service administration has a reviewer account
# (provincial_coreviewer); a province without one reviews through its cyberspace office alone. "on": joint
# everywhere (a province without such an account cannot forward). "off": the office alone (opinions given
# are still recorded).
GOVAPP_JOINT_PROVINCIAL_REVIEW = os.environ.get("GOVAPP_JOINT_PROVINCIAL_REVIEW", "auto").strip().lower()
if GOVAPP_JOINT_PROVINCIAL_REVIEW not in {"auto", "on", "off"}:
    raise ImproperlyConfigured(
        f"GOVAPP_JOINT_PROVINCIAL_REVIEW must be auto, on or off, got {GOVAPP_JOINT_PROVINCIAL_REVIEW!r}."
    )

# Filing number format (docs/filing-numbers.md): region abbreviation (国 for central ministries),
# year, zero-padded sequence per (region, year), app kind letter.
GOVAPP_FILING_NUMBER_FORMAT = os.environ.get(
    "GOVAPP_FILING_NUMBER_FORMAT", "{region}政备{year}{seq:06d}{kind}"
)

# How often the worker applies the time rules (abandonment, overdue rectifications, reminders).
GOVAPP_TICK_MINUTES = _env_int("GOVAPP_TICK_MINUTES", 10, minimum=1)

# Public API rate limit: requests per minute per client address.
GOVAPP_PUBLIC_RATE_LIMIT = _env_int("GOVAPP_PUBLIC_RATE_LIMIT", 120)
# How long a public record, register page or count may be served from the cache at most (seconds); every
# change of the register invalidates them at once in the process that made it (docs/public.md). 0: no cache.
GOVAPP_PUBLIC_CACHE_SECONDS = _env_int("GOVAPP_PUBLIC_CACHE_SECONDS", 60)
# Key of the complaint receipt hashes; unset, one is derived from SECRET_KEY (complaints/receipts.py).
GOVAPP_RECEIPT_KEY = os.environ.get("GOVAPP_RECEIPT_KEY", "")


def _trusted_proxies() -> list[str]:
    """Addresses or networks of the reverse proxies whose X-Forwarded-For we believe ("none": no proxy)."""
    raw = _env_list("GOVAPP_TRUSTED_PROXIES", [])
    if [item.lower() for item in raw] == ["none"]:
        return []
    for item in raw:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"GOVAPP_TRUSTED_PROXIES: {item!r} is not an IP address or network (e.g. 10.0.0.5, 10.0.0.0/24)."
            ) from None
    return raw


# Only a request arriving from one of these addresses has its X-Forwarded-For read (core/ratelimit.py);
# from anyone else the header is the client's own word and is ignored.
GOVAPP_TRUSTED_PROXIES = _trusted_proxies()

# Workers (core/leases.py): each beats every HEARTBEAT seconds; a running task whose worker has not
# beaten for LEASE seconds is handed to another worker, at most MAX_ATTEMPTS runs in all.
GOVAPP_WORKER_HEARTBEAT_SECONDS = _env_int("GOVAPP_WORKER_HEARTBEAT_SECONDS", 5, minimum=1)
GOVAPP_WORKER_LEASE_SECONDS = _env_int("GOVAPP_WORKER_LEASE_SECONDS", 60, minimum=2)
GOVAPP_TASK_MAX_ATTEMPTS = _env_int("GOVAPP_TASK_MAX_ATTEMPTS", 3, minimum=1)

# Filing certificates (docs/certificate.md): the national office's signing key, from a file or the
# environment, never the database. The embedded mode generates the key file under ./var/ on first use.
_CERT_ALGORITHMS = {"sm2": "SM2", "ed25519": "Ed25519"}
_cert_algorithm = os.environ.get("GOVAPP_CERT_ALGORITHM", "sm2").strip().lower()
if _cert_algorithm not in _CERT_ALGORITHMS:
    raise ImproperlyConfigured(f"GOVAPP_CERT_ALGORITHM must be sm2 or ed25519, got {_cert_algorithm!r}.")
GOVAPP_CERT_ALGORITHM = _CERT_ALGORITHMS[_cert_algorithm]
GOVAPP_CERT_KEY = os.environ.get("GOVAPP_CERT_KEY", "")
GOVAPP_CERT_KEY_FILE = os.environ.get("GOVAPP_CERT_KEY_FILE") or (
    str(VAR_DIR / "certificate_key.pem") if EMBEDDED else ""
)
GOVAPP_CERT_RETIRED_KEYS_FILE = os.environ.get("GOVAPP_CERT_RETIRED_KEYS_FILE") or (
    str(VAR_DIR / "certificate_retired_keys.json") if EMBEDDED else ""
)
GOVAPP_CERT_KEY_GENERATE = _env_bool("GOVAPP_CERT_KEY_GENERATE", EMBEDDED)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GOVAPP_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# ---------------------------------------------------------------------------------------------
# Staff sign-in: lockout after wrong passwords (django-axes), working-day sessions, second factor
# (django-otp) for the reviewing, testing and administering roles, single sign-on by OIDC and CAS
# with deny-by-default mapping of external identities (docs/operations.md, "Staff sign-in").
# ---------------------------------------------------------------------------------------------
INSTALLED_APPS += [
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
# The second factor is known only after authentication; axes must see every response last.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "govapp.accounts.second_factor.SecondFactorMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
# Stateless routes (the public API) skip sessions, users, messages, CSRF, the second factor and htmx,
# and answer GETs conditionally (ETag, Last-Modified, 304): govapp/core/lean.py.
GOVAPP_STATELESS_PREFIXES = ("/api/v1/public/",)
MIDDLEWARE = stateful_only(MIDDLEWARE)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.common.CommonMiddleware") + 1,
    "govapp.core.lean.StatelessConditionalGet",
)
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out account before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    *AUTHENTICATION_BACKENDS,
]

# Lockout: after GOVAPP_LOGIN_FAILURE_LIMIT wrong passwords the account is locked for
# GOVAPP_LOCKOUT_MINUTES (or until an administrator lifts it). GOVAPP_LOCKOUT_BY: comma-separated
# alternatives, "+" combines ("username", "username,ip_address", "username+ip_address").
AXES_FAILURE_LIMIT = _env_int("GOVAPP_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=_env_int("GOVAPP_LOCKOUT_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS: list[str | list[str]] = [
    part.split("+") if "+" in part else part
    for part in _env_list("GOVAPP_LOCKOUT_BY", ["username", "ip_address"])
]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "govapp.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "govapp.accounts.lockout.client_ip"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# Who a locked-out person should ask, shown on the lockout page.
GOVAPP_SIGNIN_HELP = os.environ.get("GOVAPP_SIGNIN_HELP", "")

# Sessions of a working day; optionally ended when the browser closes.
SESSION_COOKIE_AGE = _env_int("GOVAPP_SESSION_HOURS", 10, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = _env_bool("GOVAPP_SESSION_ENDS_WITH_BROWSER", False)
PASSWORD_RESET_TIMEOUT = _env_int("GOVAPP_PASSWORD_RESET_HOURS", 2, minimum=1) * 3600

# Second factor: always required in production; the embedded demo may go without it so that its
# shared demo logins stay usable (`govapp serve` says which).
GOVAPP_REQUIRE_SECOND_FACTOR = _env_bool("GOVAPP_REQUIRE_SECOND_FACTOR", not EMBEDDED)
if not EMBEDDED and not GOVAPP_REQUIRE_SECOND_FACTOR and not DEBUG:
    raise ImproperlyConfigured(
        "GOVAPP_REQUIRE_SECOND_FACTOR cannot be turned off in production: reviewers, inspectors and "
        "administrators must sign in with a second factor."
    )
OTP_TOTP_ISSUER = os.environ.get("GOVAPP_OTP_ISSUER", "GovApp Registry")
OTP_TOTP_THROTTLE_FACTOR = 1

# Single sign-on. Each protocol is on when its settings are present; the sign-in page offers it.
OIDC_OP_ISSUER = os.environ.get("GOVAPP_OIDC_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("GOVAPP_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("GOVAPP_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("GOVAPP_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("GOVAPP_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_CLIENT_ID = os.environ.get("GOVAPP_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("GOVAPP_OIDC_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = os.environ.get("GOVAPP_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = "openid profile email"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_CREATE_USER = False
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
GOVAPP_OIDC_LABEL = os.environ.get("GOVAPP_OIDC_LABEL", "")
CAS_SERVER_URL = os.environ.get("GOVAPP_CAS_SERVER_URL", "")
CAS_VERSION = os.environ.get("GOVAPP_CAS_VERSION", "3")
CAS_CREATE_USER = False
CAS_VERIFY_SSL_CERTIFICATE = True
GOVAPP_CAS_LABEL = os.environ.get("GOVAPP_CAS_LABEL", "")
# ------------------------------------------------------------------------- end of staff sign-in
