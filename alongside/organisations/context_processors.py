from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from alongside.organisations.models import Membership


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The organisation switcher needs the user's memberships on every page; they are
    looked up when a template reads them, so htmx fragments (a picker's options, a page
    of search results, typed into letter by letter) do without the query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = SimpleLazyObject(
        lambda: list(
            Membership.objects.filter(user=user)
            .select_related("organisation")
            .order_by("organisation__name")
        )
    )
    return {
        "my_memberships": memberships,
        "current_organisation": getattr(request, "organisation", None),
        "current_membership": getattr(request, "membership", None),
    }
