"""Tenant lookup for the API: the caller's membership in the organisation of the URL."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from alongside.accounts.api_auth import request_user
from alongside.core.errors import Forbidden
from alongside.core.languages import activate_for_organisation
from alongside.organisations.models import Membership, Role
from alongside.organisations.selectors import membership_in, request_memberships


def membership_for(request: HttpRequest, org_slug: str, *roles: Role) -> Membership:
    """The caller's membership in the organisation; 404 for outsiders, 403 for low roles."""
    membership = membership_in(request_memberships(request, request_user(request)), org_slug)
    if membership is None:
        raise Http404("No such organisation.")
    activate_for_organisation(request, membership.organisation.language)
    if roles and membership.role not in roles:
        raise Forbidden(_("Your role in this organisation does not allow this."))
    return membership
