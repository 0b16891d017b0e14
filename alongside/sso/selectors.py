from __future__ import annotations

from alongside.accounts.models import User
from alongside.sso.models import SsoConnection


def connection_for(org_slug: str) -> SsoConnection | None:
    return (
        SsoConnection.objects.select_related("organisation")
        .filter(organisation__slug=org_slug)
        .first()
    )


def connection_for_domain(domain: str) -> SsoConnection | None:
    """The switched-on connection that covers an email domain (domains are unique)."""
    domain = domain.lower()
    for connection in SsoConnection.objects.filter(enabled=True).select_related("organisation"):
        if domain in connection.email_domains:
            return connection
    return None


def required_connection_of(user: User) -> SsoConnection | None:
    """A connection that is the only way in for one of the user's organisations."""
    return (
        SsoConnection.objects.filter(
            enabled=True, required=True, organisation__memberships__user=user
        )
        .select_related("organisation")
        .order_by("organisation__name")
        .first()
    )
