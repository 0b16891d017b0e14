"""Single sign-on's part in signing in (registered with accounts' sign-in policy)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.accounts.sign_in_policy import Realm
from alongside.sso.selectors import connection_for_domain, required_connection_of


def refusal(user: User, method: str) -> str | None:
    """Members of an organisation that made single sign-on its only way in use it.

    The site's own operators (Django staff) keep their password, so that a broken
    identity provider can always be repaired.
    """
    if user.is_staff or user.is_superuser:
        return None
    connection = required_connection_of(user)
    if connection is None:
        return None
    return _(
        "%(organisation)s signs its members in with single sign-on only: use “Continue with "
        "single sign-on” (%(label)s) instead of a password or an emailed link."
    ) % {"organisation": connection.organisation.name, "label": connection.label}


def realm(email: str) -> Realm | None:
    """Home-realm discovery: an address at a covered domain signs in at its provider."""
    if "@" not in email:
        return None
    connection = connection_for_domain(email.rsplit("@", 1)[1])
    if connection is None:
        return None
    return Realm(
        label=connection.label,
        url=reverse("sso_flow:start", args=[connection.organisation.slug]),
        required=connection.required,
    )
