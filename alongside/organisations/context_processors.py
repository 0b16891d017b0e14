from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from alongside.organisations.selectors import request_memberships


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The organisation switcher needs the user's memberships on every page: the list
    the tenant check looked up (organisation pages), else looked up when a template
    reads it, so htmx fragments elsewhere do without the query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = SimpleLazyObject(lambda: request_memberships(request, user))
    return {
        "my_memberships": memberships,
        "current_organisation": getattr(request, "organisation", None),
        "current_membership": getattr(request, "membership", None),
    }
