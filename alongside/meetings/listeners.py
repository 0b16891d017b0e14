"""Meetings follow programmes and relationships: closing, publishing, joining, leaving."""

from __future__ import annotations

from collections.abc import Sequence

from alongside.accounts.models import User
from alongside.core.events import subscribe
from alongside.meetings.schedule_services import (
    meetings_cancel_future,
    schedule_member_joined,
    schedule_member_left,
    schedules_propose,
)
from alongside.meetings.services import relationships_close_for_programme
from alongside.programmes.events import ProgrammeClosing
from alongside.programmes.models import Programme
from alongside.relationships.events import MemberJoined, MemberLeft, RelationshipsPublished
from alongside.relationships.models import Relationship, RelationshipMember


def _actor(actor_id: int | None) -> User | None:
    return User.objects.filter(pk=actor_id).first() if actor_id else None


@subscribe(ProgrammeClosing, in_transaction=True)
def end_relationships(events: Sequence[ProgrammeClosing]) -> None:
    for event in events:
        programme = Programme.objects.get(pk=event.programme_id)
        relationships_close_for_programme(programme=programme, actor=_actor(event.actor_id))


@subscribe(RelationshipsPublished, in_transaction=True)
def propose_schedules(events: Sequence[RelationshipsPublished]) -> None:
    for event in events:
        relationships = list(
            Relationship.objects.filter(pk__in=event.relationship_ids)
            .select_related("programme__organisation")
            .order_by("pk")
        )
        schedules_propose(relationships=relationships)


@subscribe(MemberJoined, in_transaction=True)
def include_late_joiner(events: Sequence[MemberJoined]) -> None:
    for event in events:
        member = RelationshipMember.objects.select_related("relationship").get(pk=event.member_id)
        schedule_member_joined(member=member)


@subscribe(MemberLeft, in_transaction=True)
def release_leaver(events: Sequence[MemberLeft]) -> None:
    for event in events:
        member = RelationshipMember.objects.select_related("relationship").get(pk=event.member_id)
        if event.relationship_ended:
            meetings_cancel_future(
                relationship=member.relationship,
                actor=_actor(event.actor_id),
                reason="The relationship has ended.",
            )
        schedule_member_left(member=member)
