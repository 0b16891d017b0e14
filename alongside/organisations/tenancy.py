"""Tenant scoping: every page and API call works inside one organisation.

A user who is not a member of the organisation in the URL gets a 404, exactly as if
it did not exist; a member whose role is too low gets a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils import timezone as django_timezone
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from alongside.accounts.models import User
from alongside.core.errors import Forbidden, NotFound
from alongside.core.languages import activate_for_organisation
from alongside.organisations.models import Membership, Organisation, Role
from alongside.organisations.selectors import membership_in, request_memberships

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


class OrgRequest(HttpRequest):
    """The request a tenant view sees (for type checkers)."""

    user: User
    htmx: HtmxDetails
    organisation: Organisation
    membership: Membership


def get_membership(request: HttpRequest, org_slug: str) -> Membership | None:
    """The signed-in user's membership in the organisation ``org_slug``, if any. It comes
    with the viewer's own time zone (``viewer_time_zone``, no extra query): every page
    shows times in the zone of the person looking at it."""
    return membership_in(request_memberships(request, request.user), org_slug)


def viewer_zone(membership: Membership) -> ZoneInfo:
    """The zone to show times in: the viewer's own, else the organisation's default."""
    for name in (
        getattr(membership, "viewer_time_zone", ""),
        membership.organisation.default_time_zone,
    ):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def require_role(membership: Membership, *roles: Role) -> None:
    if roles and membership.role not in roles:
        raise PermissionDenied(_("Your role in this organisation does not allow this."))


def org_view(*roles: Role) -> Callable[[ViewFunc], ViewFunc]:
    """Resolve ``org_slug`` from the URL into ``request.organisation``; 404 for outsiders."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> Any:
            membership = get_membership(request, org_slug)
            if membership is None:
                raise Http404("No such organisation.")
            require_role(membership, *roles)
            org_request = cast(OrgRequest, request)
            org_request.organisation = membership.organisation
            org_request.membership = membership
            django_timezone.activate(viewer_zone(membership))
            activate_for_organisation(request, membership.organisation.language)
            try:
                return view(org_request, *args, **kwargs)
            except NotFound as error:
                # Selectors say "not found" for other tenants' objects: a 404 page, never a 403.
                raise Http404(error.message) from error
            except Forbidden as error:
                raise PermissionDenied(error.message) from error
            finally:
                django_timezone.deactivate()

        return cast(ViewFunc, login_required(wrapper))

    return decorator


ADMINS = (Role.ADMIN,)
MANAGERS = (Role.ADMIN, Role.PROGRAMME_MANAGER)
