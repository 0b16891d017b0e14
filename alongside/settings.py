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
    "alongside.sso",
    "alongside.programmes",
    "alongside.scim",
    "alongside.hrsync",
    "alongside.privacy",
    "alongside.matches",
    "alongside.relationships",
    "alongside.meetings",
    "alongside.scheduling",
    "alongside.surveys",
    "alongside.selfmatch",
    "alongside.nudges",
    "alongside.health",
    "alongside.flash",
    "alongside.dashboards",
    "alongside.home",
    "alongside.webhooks",
    "alongside.chat",
    "alongside.learning",
    "alongside.demo",
    "alongside.exports",
    "alongside.outbox",
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
    "django_prometheus",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "alongside.core.logging.RequestIdMiddleware",
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
    "django_prometheus.middleware.PrometheusAfterMiddleware",
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
# Seconds a web or worker process keeps its database connection between requests; 0
# opens one per request (behind PgBouncer in transaction mode, or for `runserver`, which
# starts a thread per request and would otherwise leave a connection behind for each).
DB_CONN_MAX_AGE = int(os.environ.get("ALONGSIDE_DB_CONN_MAX_AGE", "60"))
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE)}
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
    # Django's backend, health-checking a reused connection only after a second's rest
    # (alongside/core/postgresql/base.py).
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "alongside.core.postgresql"
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "alongside.accounts.backends.ModelBackend",  # Django's, with a cheaper user load
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
# Signing in by email (alongside/accounts/sign_in_links.py): a link asked for on the
# sign-in page lasts minutes; the links in the product's own emails (a reminder, a match)
# last days, so that people who never set a password get in from them.
SIGN_IN_LINK_MINUTES = int(os.environ.get("ALONGSIDE_SIGN_IN_LINK_MINUTES", "15"))
EMAIL_LINK_VALID_DAYS = int(os.environ.get("ALONGSIDE_EMAIL_LINK_VALID_DAYS", "7"))
SIGN_IN_LINK_PER_ADDRESS_HOURLY = 5
SIGN_IN_LINK_PER_CLIENT_HOURLY = 20

# Brute-force protection (alongside/accounts/lockout.py): a password sign-in is paused
# per account after ALONGSIDE_LOGIN_FAILURE_LIMIT failures from any address, and per
# address after ALONGSIDE_LOGIN_ADDRESS_FAILURE_LIMIT failures across any accounts.
AXES_FAILURE_LIMIT = int(os.environ.get("ALONGSIDE_LOGIN_FAILURE_LIMIT", "5"))
ALONGSIDE_LOGIN_ADDRESS_FAILURE_LIMIT = int(
    os.environ.get("ALONGSIDE_LOGIN_ADDRESS_FAILURE_LIMIT", "30")
)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "alongside.accounts.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "alongside.accounts.lockout.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = True
AXES_VERBOSE = False

# Client addresses behind reverse proxies (alongside/core/client_ip.py): the number of
# trusted proxies in front of the app; ALONGSIDE_BEHIND_PROXY alone means one.
ALONGSIDE_BEHIND_PROXY = _env_bool("ALONGSIDE_BEHIND_PROXY", False)
ALONGSIDE_PROXY_COUNT = int(
    os.environ.get("ALONGSIDE_PROXY_COUNT", "") or (1 if ALONGSIDE_BEHIND_PROXY else 0)
)
AXES_CLIENT_IP_CALLABLE = "alongside.core.client_ip.client_ip"

# --- Security --------------------------------------------------------------------------
SESSION_ENGINE = "alongside.accounts.sessions"  # database sessions, read cheaply
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
    if ALONGSIDE_BEHIND_PROXY or ALONGSIDE_PROXY_COUNT:
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
# Files with a content hash in their name (everything collectstatic writes in production)
# are cached for ten years by WhiteNoise itself; the few without one (favicon) for a day.
WHITENOISE_MAX_AGE = 0 if DEBUG else 60 * 60 * 24
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
# How long data that is only kept for a while is kept, in days (pruned daily by the
# workers: alongside/core/jobs.py and each app's jobs.py).
RETENTION_DAYS = {
    "task_results": int(os.environ.get("ALONGSIDE_KEEP_TASK_RESULTS_DAYS", "7")),
    "login_records": int(os.environ.get("ALONGSIDE_KEEP_LOGIN_RECORDS_DAYS", "90")),
    "periodic_runs": int(os.environ.get("ALONGSIDE_KEEP_PERIODIC_RUNS_DAYS", "90")),
    "sent_emails": int(os.environ.get("ALONGSIDE_KEEP_SENT_EMAILS_DAYS", "30")),
    "uploads": int(os.environ.get("ALONGSIDE_KEEP_UPLOADS_DAYS", "7")),
    "exports": int(os.environ.get("ALONGSIDE_KEEP_EXPORTS_DAYS", "3")),
}

# Requests a minute (or /s, /h, /d) one API token may make, per server process.
API_RATE = os.environ.get("ALONGSIDE_API_RATE", "600/m")

# --- Integrations ----------------------------------------------------------------------
# Video links: generated Jitsi rooms live under this address (a self-hosted Jitsi too);
# Zoom and Microsoft Teams meetings are created through these APIs when an organisation
# connects an account. Every address is configurable so that tests answer locally.
JITSI_BASE_URL = os.environ.get("ALONGSIDE_JITSI_BASE_URL", "https://meet.jit.si").rstrip("/")
ZOOM_OAUTH_URL = os.environ.get("ALONGSIDE_ZOOM_OAUTH_URL", "https://zoom.us/oauth/token")
ZOOM_API_URL = os.environ.get("ALONGSIDE_ZOOM_API_URL", "https://api.zoom.us/v2").rstrip("/")
MICROSOFT_LOGIN_URL = os.environ.get(
    "ALONGSIDE_MICROSOFT_LOGIN_URL", "https://login.microsoftonline.com"
).rstrip("/")
MICROSOFT_GRAPH_URL = os.environ.get(
    "ALONGSIDE_MICROSOFT_GRAPH_URL", "https://graph.microsoft.com/v1.0"
).rstrip("/")
INTEGRATION_TIMEOUT_SECONDS = 15.0
# Slack: the app's OAuth client (api.slack.com/apps › Basic Information) for the
# "Add to Slack" install, its signing secret for button clicks, and the Web API base.
SLACK_CLIENT_ID = os.environ.get("ALONGSIDE_SLACK_CLIENT_ID", "")
SLACK_CLIENT_SECRET = os.environ.get("ALONGSIDE_SLACK_CLIENT_SECRET", "")
SLACK_SIGNING_SECRET = os.environ.get("ALONGSIDE_SLACK_SIGNING_SECRET", "")
SLACK_API_URL = os.environ.get("ALONGSIDE_SLACK_API_URL", "https://slack.com/api/")
SLACK_AUTHORIZE_URL = os.environ.get(
    "ALONGSIDE_SLACK_AUTHORIZE_URL", "https://slack.com/oauth/v2/authorize"
)
# Microsoft Teams: where the bot gets its tokens and the keys that sign what Teams sends.
TEAMS_TOKEN_URL = os.environ.get(
    "ALONGSIDE_TEAMS_TOKEN_URL",
    "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token",
)
TEAMS_OPENID_METADATA_URL = os.environ.get(
    "ALONGSIDE_TEAMS_OPENID_METADATA_URL",
    "https://login.botframework.com/v1/.well-known/openidconfiguration",
)
TEAMS_TOKEN_ISSUER = os.environ.get("ALONGSIDE_TEAMS_TOKEN_ISSUER", "https://api.botframework.com")

# Domain events (alongside/core/events.py): a listener that fails after commit is logged
# and the others still run, since the write has happened; "raise" re-raises (tests).
EVENT_LISTENER_ERRORS = "log"

# --- Uploads and limits ----------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
PEOPLE_IMPORT_MAX_BYTES = 20 * 1024 * 1024
# Files with more lines than this are checked and applied by the worker, with progress.
PEOPLE_IMPORT_INLINE_ROWS = int(os.environ.get("ALONGSIDE_IMPORT_INLINE_ROWS", "2000"))

# /metrics (Prometheus): when set, scrapers must send `Authorization: Bearer <token>`.
METRICS_TOKEN = os.environ.get("ALONGSIDE_METRICS_TOKEN", "").strip()
PROMETHEUS_EXPORT_MIGRATIONS = False

# Logs: one JSON object a line with the request id (alongside/core/logging.py) in
# production, or plain lines for a person at a terminal.
LOG_FORMAT = os.environ.get("ALONGSIDE_LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "alongside.core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "alongside.core.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("ALONGSIDE_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint (PDF reports) and fontTools log every layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # One line per request: on by default in production, where it is the access log.
        "alongside.requests": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
        # Django's own 4xx warnings repeat what the request line says.
        "django.request": {"level": "ERROR"},
    },
}
