from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from alongside.organisations.models import Membership
from alongside.relationships.models import Relationship, RelationshipMember


def relationships_of_member(*, membership: Membership) -> QuerySet[Relationship]:
    """The signed-in person's relationships in this organisation, with every member."""
    return (
        Relationship.objects.filter(
            organisation=membership.organisation,
            members__person__user=membership.user,
        )
        .select_related("programme")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=RelationshipMember.objects.select_related("person").order_by(
                    "-role", "person__name"
                ),
            )
        )
        .distinct()
        .order_by("status", "programme__name", "name")
    )
