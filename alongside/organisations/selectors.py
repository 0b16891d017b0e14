from __future__ import annotations

from django.db.models import QuerySet

from alongside.organisations.models import Membership, Organisation


def organisation_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("role", "user__email")
    )
