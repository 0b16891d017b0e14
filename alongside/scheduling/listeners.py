"""Schedules follow relationships: proposed when published, updated as people join and leave."""

from __future__ import annotations

from collections.abc import Sequence

from alongside.accounts.models import User
from alongside.core.events import subscribe
from alongside.relationships.events import MemberJoined, MemberLeft, RelationshipsPublished
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.scheduling.services import (
    meetings_cancel_future,
    schedule_member_joined,
    schedule_member_left,
    schedules_propose,
)


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
            actor = User.objects.filter(pk=event.actor_id).first() if event.actor_id else None
            meetings_cancel_future(
                relationship=member.relationship, actor=actor, reason="The relationship has ended."
            )
        schedule_member_left(member=member)


@subscribe(RelationshipsPublished)
def give_video_links(events: Sequence[RelationshipsPublished]) -> None:
    from alongside.scheduling.video import video_links_for_published

    video_links_for_published(relationship_ids=[i for e in events for i in e.relationship_ids])
