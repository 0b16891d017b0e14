"""Settings of the test OpenID provider (a separate Django project, in its own process)."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

PORT = int(os.environ.get("TEST_IDP_PORT", "8101"))
SITE_URL = f"http://127.0.0.1:{PORT}"
DEBUG = False
SECRET_KEY = secrets.token_urlsafe(40)
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
ROOT_URLCONF = "tests.identity_providers.oidc.urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tests.identity_providers.oidc.hooks.TamperingMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(Path(tempfile.gettempdir()) / f"alongside-test-idp-{os.getpid()}.sqlite3"),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The provider and Alongside share the host 127.0.0.1 and browsers keep cookies per
# host, not per port: distinct names keep the two sessions apart.
SESSION_COOKIE_NAME = "test_idp_session"
CSRF_COOKIE_NAME = "test_idp_csrf"
LOGIN_URL = "/login/"
OIDC_IDTOKEN_INCLUDE_CLAIMS = True
OIDC_USERINFO = "tests.identity_providers.oidc.hooks.userinfo"
OIDC_IDTOKEN_PROCESSING_HOOK = "tests.identity_providers.oidc.hooks.id_token_hook"
OIDC_SKIP_CONSENT_EXPIRE = 0
