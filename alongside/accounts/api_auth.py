"""API authentication shared by every router: a personal token or the browser session."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import SimpleRateThrottle

from alongside.accounts.models import User
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


class TokenRateThrottle(SimpleRateThrottle):
    """At most ``settings.API_RATE`` requests per API token (or signed-in user).

    Counted in the default cache: per server process unless a shared cache is set up,
    so behind N processes a token may make up to N times the rate.
    """

    scope = "api"

    def __init__(self) -> None:
        super().__init__(settings.API_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        if self.rate != settings.API_RATE:  # a changed setting (tests) takes effect
            self.rate = settings.API_RATE
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            ident = "token:" + hashlib.sha256(header.encode()).hexdigest()
        elif getattr(request.user, "is_authenticated", False):
            ident = f"user:{request.user.pk}"
        else:
            ident = f"address:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
