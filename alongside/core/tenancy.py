"""Tenant scoping: every page and API call works inside one organisation.

A user who is not a member of the organisation in the URL gets a 404, exactly as if
it did not exist; a member whose role is too low gets a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django_htmx.middleware import HtmxDetails

from alongside.accounts.models import User
from alongside.organisations.models import Membership, Organisation, Role

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


class OrgRequest(HttpRequest):
    """The request a tenant view sees (for type checkers)."""

    user: User
    htmx: HtmxDetails
    organisation: Organisation
    membership: Membership


def get_membership(user: Any, org_slug: str) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation__slug=org_slug)
        .first()
    )


def require_role(membership: Membership, *roles: Role) -> None:
    if roles and membership.role not in roles:
        raise PermissionDenied("Your role in this organisation does not allow this.")


def org_view(*roles: Role) -> Callable[[ViewFunc], ViewFunc]:
    """Resolve ``org_slug`` from the URL into ``request.organisation``; 404 for outsiders."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> Any:
            membership = get_membership(request.user, org_slug)
            if membership is None:
                raise Http404("No such organisation.")
            require_role(membership, *roles)
            org_request = cast(OrgRequest, request)
            org_request.organisation = membership.organisation
            org_request.membership = membership
            return view(org_request, *args, **kwargs)

        return cast(ViewFunc, login_required(wrapper))

    return decorator


ADMINS = (Role.ADMIN,)
MANAGERS = (Role.ADMIN, Role.PROGRAMME_MANAGER)
