"""Meetings follow programmes: a closing programme ends its relationships."""

from __future__ import annotations

from collections.abc import Sequence

from alongside.accounts.models import User
from alongside.core.events import subscribe
from alongside.meetings.services import relationships_close_for_programme
from alongside.programmes.events import ProgrammeClosing
from alongside.programmes.models import Programme


@subscribe(ProgrammeClosing, in_transaction=True)
def end_relationships(events: Sequence[ProgrammeClosing]) -> None:
    for event in events:
        programme = Programme.objects.get(pk=event.programme_id)
        actor = User.objects.filter(pk=event.actor_id).first() if event.actor_id else None
        relationships_close_for_programme(programme=programme, actor=actor)
