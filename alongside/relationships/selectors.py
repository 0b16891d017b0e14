from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.db.models import F, Prefetch, QuerySet
from django.utils.translation import gettext as _

from alongside.core.errors import NotFound
from alongside.organisations.models import Membership
from alongside.programmes.models import Programme
from alongside.relationships.models import Relationship, RelationshipMember, RematchRequest


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


def my_active_member(*, membership: Membership, relationship_id: int) -> RelationshipMember:
    """The signed-in person as an active member of one of their relationships, else 404."""
    member = (
        RelationshipMember.objects.filter(
            relationship_id=relationship_id,
            relationship__organisation=membership.organisation,
            person__user=membership.user,
            is_active=True,
        )
        .select_related("relationship__organisation", "enrolment")
        .first()
    )
    if member is None:
        raise NotFound(_("No such relationship of yours."))
    return member


# --- Published relationships of a programme --------------------------------------------


def relationships_for_programme(*, programme: Programme) -> QuerySet[Relationship]:
    """The programme's relationships; ``relationship_members`` gives a page of them
    their members."""
    return Relationship.objects.filter(programme=programme).order_by("status", "name", "pk")


def relationship_members(
    *, relationships: Iterable[Relationship]
) -> dict[int, list[dict[str, Any]]]:
    """Each relationship's members (relationship id → rows: present before past, the
    other roles before peers, then by name): enrolment_id, person_id, name, role and
    is_active. One query, and rows rather than models, for pages and lists of many
    relationships (a member and a person built for each cost several times the CPU)."""
    members: dict[int, list[dict[str, Any]]] = {r.pk: [] for r in relationships}
    rows = (
        RelationshipMember.objects.filter(relationship__in=list(members))
        .order_by("-is_active", "-role", "person__name", "pk")
        .values(
            "relationship_id",
            "enrolment_id",
            "person_id",
            "role",
            "is_active",
            name=F("person__name"),
        )
    )
    for row in rows:
        members[row["relationship_id"]].append(cast(dict[str, Any], row))
    return members


def relationship_get(*, programme: Programme, relationship_id: int) -> Relationship:
    relationship = (
        Relationship.objects.filter(programme=programme, pk=relationship_id)
        .select_related("programme__organisation")
        .first()
    )
    if relationship is None:
        raise NotFound(_("No such relationship in this programme."))
    return relationship


def rematch_requests_for(*, programme: Programme, status: str = "open") -> QuerySet[RematchRequest]:
    requests = RematchRequest.objects.filter(relationship__programme=programme).select_related(
        "relationship", "enrolment__person"
    )
    if status in RematchRequest.Status.values:
        requests = requests.filter(status=status)
    return requests.order_by("created_at", "pk")


def rematch_request_get(*, programme: Programme, request_id: int) -> RematchRequest:
    found = (
        rematch_requests_for(programme=programme, status="all")
        .select_related("relationship__organisation")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise NotFound(_("No such rematch request in this programme."))
    return found
