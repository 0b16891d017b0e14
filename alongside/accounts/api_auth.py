"""API authentication shared by every router: a personal token or the browser session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from ninja.security import HttpBearer, SessionAuth

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
