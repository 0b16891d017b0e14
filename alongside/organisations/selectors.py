from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from alongside.organisations.models import Membership, Organisation
from alongside.people.models import Person


def organisation_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("role", "user__email")
    )


def organisation_overview(*, organisation: Organisation) -> dict[str, int]:
    people = Person.objects.filter(organisation=organisation).aggregate(
        active=Count("id", filter=Q(is_active=True)),
        inactive=Count("id", filter=Q(is_active=False)),
        with_account=Count("id", filter=Q(is_active=True, user__isnull=False)),
        departments=Count("department", distinct=True, filter=Q(is_active=True)),
        locations=Count("location", distinct=True, filter=Q(is_active=True)),
    )
    people["members"] = Membership.objects.filter(organisation=organisation).count()
    return people
