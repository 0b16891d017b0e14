"""Relationships follow enrolments: a withdrawn participant leaves their relationships."""

from __future__ import annotations

from collections.abc import Sequence

from alongside.accounts.models import User
from alongside.core.events import subscribe
from alongside.programmes.events import EnrolmentWithdrawn
from alongside.programmes.models import Enrolment
from alongside.relationships.services import relationship_members_leave


@subscribe(EnrolmentWithdrawn, in_transaction=True)
def leave_relationships(events: Sequence[EnrolmentWithdrawn]) -> None:
    for event in events:
        enrolment = Enrolment.objects.get(pk=event.enrolment_id)
        actor = User.objects.filter(pk=event.actor_id).first() if event.actor_id else None
        relationship_members_leave(enrolment=enrolment, actor=actor)
