"""API authentication and tenant lookup shared by every router."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja.security import HttpBearer, SessionAuth

from alongside.accounts.models import User
from alongside.accounts.services import api_token_authenticate
from alongside.core.errors import Forbidden
from alongside.organisations.models import Membership, Role


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer alg_…`` with a personal API token."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
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


def membership_for(request: HttpRequest, org_slug: str, *roles: Role) -> Membership:
    """The caller's membership in the organisation; 404 for outsiders, 403 for low roles."""
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=request_user(request), organisation__slug=org_slug)
        .first()
    )
    if membership is None:
        raise Http404("No such organisation.")
    if roles and membership.role not in roles:
        raise Forbidden("Your role in this organisation does not allow this.")
    return membership
