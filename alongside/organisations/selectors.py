from __future__ import annotations

from functools import cache
from typing import Any

from django.db import connections, router
from django.db.models import QuerySet
from django.http import HttpRequest

from alongside.core.rows import Columns
from alongside.organisations.models import Membership, Organisation


def organisation_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("role", "user__email")
    )


_MEMBERSHIP = Columns(Membership, "m")
_ORGANISATION = Columns(Organisation, "o")


@cache
def _memberships_sql(alias: str) -> str:
    connection = connections[alias]
    quote = connection.ops.quote_name
    membership, organisation = Membership._meta, Organisation._meta
    # The organisation's directory (people), named through the relation: people is an
    # app above this one and is not imported here.
    people = organisation.get_field("people").related_model._meta  # type: ignore[union-attr]

    def column(meta: Any, name: str) -> str:
        return quote(meta.get_field(name).column)

    return (
        f"SELECT {_MEMBERSHIP.select(connection)}, {_ORGANISATION.select(connection)}, "
        f"own.{column(people, 'timezone')} "
        f"FROM {quote(membership.db_table)} m "
        f"INNER JOIN {quote(organisation.db_table)} o "
        f"ON o.{quote(organisation.pk.column)} = m.{column(membership, 'organisation')} "
        f"LEFT OUTER JOIN {quote(people.db_table)} own "
        f"ON own.{column(people, 'organisation')} = m.{column(membership, 'organisation')} "
        f"AND own.{column(people, 'user')} = m.{column(membership, 'user')} "
        f"WHERE m.{column(membership, 'user')} = %s "
        f"ORDER BY o.{column(organisation, 'name')}, o.{quote(organisation.pk.column)}"
    )


def memberships_of(user_id: int) -> list[Membership]:
    """The user's memberships by organisation name, each with its organisation and with
    ``viewer_time_zone``: the time zone of the user's own entry in that organisation's
    directory (None without one).

    Every page and API call looks these up (the tenant check, the organisation
    switcher), so the query is written once as SQL (alongside/core/rows.py).
    """
    alias = router.db_for_read(Membership)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(_memberships_sql(alias), [user_id])
        rows = cursor.fetchall()
    memberships = []
    split = len(_MEMBERSHIP)
    for row in rows:
        membership = _MEMBERSHIP.instance(connection, row[:split])
        assert isinstance(membership, Membership)
        membership.organisation = _ORGANISATION.instance(connection, row[split:-1])  # type: ignore[assignment]
        membership.viewer_time_zone = row[-1]  # type: ignore[attr-defined]
        memberships.append(membership)
    return memberships


def request_memberships(request: HttpRequest, user: Any) -> list[Membership]:
    """``memberships_of(user)``, looked up once a request (the tenant check and the
    organisation switcher share it); none for an anonymous caller."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(request, "_alongside_memberships", None)
    if cached is None or cached[0] != user.pk:
        cached = (user.pk, memberships_of(user.pk))
        request._alongside_memberships = cached  # type: ignore[attr-defined]
    return cached[1]


def membership_in(memberships: list[Membership], org_slug: str) -> Membership | None:
    for membership in memberships:
        if membership.organisation.slug == org_slug:
            return membership
    return None
