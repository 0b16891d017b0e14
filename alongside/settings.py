"""Alongside settings: one module, driven by environment variables.

Development (the default) needs no configuration at all: SQLite under ``var/`` and a
secret key generated once and kept in ``var/``. Production
(``ALONGSIDE_ENVIRONMENT=production``) refuses to start without a real secret key and
allowed hosts, and turns on every transport-security setting ``check --deploy`` asks for.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE_DIR.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _default_var_dir() -> Path:
    # In a source checkout keep data beside the code; an installed package uses the cwd.
    if (SOURCE_ROOT / "pyproject.toml").exists():
        return SOURCE_ROOT / "var"
    return Path.cwd() / "var"


VAR_DIR = Path(os.environ.get("ALONGSIDE_VAR_DIR") or _default_var_dir())
ENVIRONMENT = os.environ.get("ALONGSIDE_ENVIRONMENT", "development").strip().lower()
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"ALONGSIDE_ENVIRONMENT must be 'development' or 'production', not {ENVIRONMENT!r}."
    )
PRODUCTION = ENVIRONMENT == "production"

DEBUG = _env_bool("ALONGSIDE_DEBUG", default=not PRODUCTION)


def _secret_key() -> str:
    key = os.environ.get("ALONGSIDE_SECRET_KEY", "").strip()
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "ALONGSIDE_SECRET_KEY is not set. Production refuses to start without one: "
            "generate one with `python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = _env_list(
    "ALONGSIDE_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]"
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALONGSIDE_ALLOWED_HOSTS is not set: give the host names the site is served on, "
        "comma-separated (e.g. mentoring.example.org)."
    )
CSRF_TRUSTED_ORIGINS = _env_list("ALONGSIDE_CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("ALONGSIDE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "alongside.accounts",
    "alongside.organisations",
    "alongside.people",
    "alongside.programmes",
    "alongside.scim",
    "alongside.privacy",
    "alongside.matches",
    "alongside.relationships",
    "alongside.meetings",
    "alongside.scheduling",
    "alongside.surveys",
    "alongside.nudges",
    "alongside.health",
    "alongside.dashboards",
    "alongside.home",
    "alongside.webhooks",
    "alongside.demo",
    "alongside.audit",
    "alongside.core",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "alongside.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "alongside.organisations.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "alongside.urls"
WSGI_APPLICATION = "alongside.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "alongside.organisations.context_processors.navigation",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------
_default_sqlite = f"sqlite:///{VAR_DIR / 'alongside.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip() or _default_sqlite
if DATABASE_URL.startswith("sqlite"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let the app and a worker share one SQLite file.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a file, not shared-cache memory: there, a second thread (the browser
    # tests' live server) gets "table is locked" at once instead of waiting its turn.
    # One file per process, so parallel test runs never share (or delete) each other's.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"alongside-test-{os.getpid()}.sqlite3")
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
INVITATION_VALID_DAYS = int(os.environ.get("ALONGSIDE_INVITATION_VALID_DAYS", "14"))

# Brute-force protection: lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("ALONGSIDE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("ALONGSIDE_PROXY_COUNT", "0")) or None
AXES_ENABLE_ADMIN = True
AXES_VERBOSE = False

# --- Security --------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("ALONGSIDE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("ALONGSIDE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("ALONGSIDE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _env_bool("ALONGSIDE_HSTS_PRELOAD", False)
    if _env_bool("ALONGSIDE_BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SILENCED_SYSTEM_CHECKS: list[str] = []
    if not SECURE_SSL_REDIRECT:
        # Terminating TLS in front of the app is fine; say so instead of silencing checks.
        SILENCED_SYSTEM_CHECKS.append("security.W008")
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a browser-wide, hard-to-undo commitment for the whole registered
        # domain (and only possible for an apex domain); a self-hosted install on a
        # subdomain opts in with ALONGSIDE_HSTS_PRELOAD=1 rather than by default.
        SILENCED_SYSTEM_CHECKS.append("security.W021")

# No inline script anywhere: every script is a static file from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# --- Internationalisation -----------------------------------------------------------------
# English is the source language; Hindi and Spanish ship complete (docs/translating.md).
# Who gets which language: alongside.core.languages (the person's choice, then the
# organisation's default, then the browser's or sign-in provider's hint, then English).
LANGUAGE_CODE = "en-gb"
LANGUAGES = [
    ("en-gb", "English"),
    ("hi", "हिन्दी"),
    ("es", "Español"),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "alongside_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("ALONGSIDE_STATIC_ROOT") or (VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# --- Email -----------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "ALONGSIDE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("ALONGSIDE_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("ALONGSIDE_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("ALONGSIDE_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ALONGSIDE_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("ALONGSIDE_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("ALONGSIDE_FROM_EMAIL", "Alongside <alongside@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background work -------------------------------------------------------------------
# The database backend needs no broker; `alongside worker` runs its queue. Tests and
# the zero-setup default can run tasks in-process with ALONGSIDE_TASKS_IMMEDIATE=1.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if _env_bool("ALONGSIDE_TASKS_IMMEDIATE", False)
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# Secrets kept at rest (webhook signing secrets, integration credentials) are encrypted
# with the first of these keys and read with any of them (alongside/core/crypto.py);
# by default a key derived from the secret key.
ENCRYPTION_KEYS = [
    key.strip() for key in os.environ.get("ALONGSIDE_ENCRYPTION_KEYS", "").split(",") if key.strip()
]

# Outgoing webhooks go to HTTPS addresses on the public internet; development may also
# call plain HTTP on private and loopback addresses (a receiver on this machine).
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = _env_bool("ALONGSIDE_WEBHOOKS_ALLOW_PRIVATE", not PRODUCTION)
WEBHOOK_TIMEOUT_SECONDS = 10.0

# Domain events (alongside/core/events.py): a listener that fails after commit is logged
# and the others still run, since the write has happened; "raise" re-raises (tests).
EVENT_LISTENER_ERRORS = "log"

# --- Uploads and limits ----------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
PEOPLE_IMPORT_MAX_BYTES = 20 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ALONGSIDE_LOG_LEVEL", "INFO")},
    # WeasyPrint (PDF reports) and fontTools log every layout step at INFO.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
