"""API authentication shared by every router: a personal token or the browser session."""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import translation
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import SimpleRateThrottle

from alongside.accounts.models import ApiRateCount, User
from alongside.accounts.services import api_token_authenticate
from alongside.core.languages import request_language


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer alg_…`` with a personal API token."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
            # A token caller's own language, as a signed-in browser would have it.
            translation.activate(request_language(request))
        return user


class ActiveSessionAuth(SessionAuth):
    """The signed-in browser session (CSRF-checked for writes)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


def request_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# One statement, in autocommit (API requests are not wrapped in a transaction), so the
# row is never held locked for the length of a request.
_TABLE = ApiRateCount._meta.db_table
_COUNT_ONE = (
    f'INSERT INTO "{_TABLE}" (ident, window_start, count) VALUES (%s, %s, 1) '
    f'ON CONFLICT (ident, window_start) DO UPDATE SET count = "{_TABLE}".count + 1 '
    "RETURNING count"
)


class TokenRateThrottle(SimpleRateThrottle):
    """At most ``settings.API_RATE`` requests per API token (or signed-in user).

    On PostgreSQL the count is kept in the database (``ApiRateCount``), one row per
    caller and window of the rate (a fixed window: 600/m is 600 from each minute's
    start), so every server process and every app server count against one budget. On
    SQLite, a single-server set-up where a write per API read would queue behind the
    worker's writes, it is counted in the process's cache.
    """

    scope = "api"

    def __init__(self) -> None:
        super().__init__(settings.API_RATE)
        # One instance serves every request of a process, in several threads: what
        # ``wait`` reports belongs to the thread whose request was refused.
        self._refused = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        if self.rate != settings.API_RATE:  # a changed setting (tests) takes effect
            self.rate = settings.API_RATE
            self.num_requests, self.duration = self.parse_rate(self.rate)
        if connection.vendor != "postgresql":
            return super().allow_request(request)
        if self.rate is None or self.num_requests is None or self.duration is None:
            return True
        now = time.time()
        window = int(now // self.duration) * self.duration
        with connection.cursor() as cursor:
            cursor.execute(_COUNT_ONE, [self.get_cache_key(request), window])
            (count,) = cursor.fetchone()
        if count <= self.num_requests:
            return True
        self._refused.wait = window + self.duration - now
        return False

    def wait(self) -> float | None:
        if connection.vendor != "postgresql":
            return super().wait()
        return getattr(self._refused, "wait", None)

    def get_cache_key(self, request: HttpRequest) -> str:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            ident = "token:" + hashlib.sha256(header.encode()).hexdigest()
        elif getattr(request.user, "is_authenticated", False):
            ident = f"user:{request.user.pk}"
        else:
            ident = f"address:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
