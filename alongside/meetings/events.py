"""What happens in a relationship's meetings, announced to the apps above (health, nudges…)."""

from __future__ import annotations

from dataclasses import dataclass

from alongside.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class MeetingEvent(DomainEvent):
    relationship_id: int
    meeting_id: int


@dataclass(frozen=True, kw_only=True)
class MeetingHeld(MeetingEvent):
    """Recorded as held, or logged by the members after meeting outside the schedule."""


@dataclass(frozen=True, kw_only=True)
class MeetingMissed(MeetingEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class MeetingCancelled(MeetingEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class CommitmentMade(MeetingEvent):
    commitment_id: int


@dataclass(frozen=True, kw_only=True)
class CommitmentChecked(MeetingEvent):
    """A member checked in on their commitment: done, partly, not yet or dropped."""

    commitment_id: int
    status: str


@dataclass(frozen=True, kw_only=True)
class ClosingChoicesSettled(DomainEvent):
    """Every active member has chosen to continue or close at a closing point."""

    relationship_id: int
    point: str
