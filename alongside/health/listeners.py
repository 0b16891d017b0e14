"""Health listens to the signals the apps below it announce, and recomputes after commit.

Every event of one transaction arrives in one batch, so the relationships it touched are
recomputed together (closing a programme's 500 relationships is one refresh).
"""

from __future__ import annotations

from collections.abc import Sequence

from alongside.core.events import subscribe
from alongside.health.services import health_refresh
from alongside.meetings.events import (
    ClosingChoicesSettled,
    CommitmentChecked,
    CommitmentMade,
    MeetingCancelled,
    MeetingHeld,
    MeetingMissed,
)
from alongside.relationships.events import MemberLeft, RelationshipEnded
from alongside.surveys.events import PulseAnswered

HealthSignal = (
    MeetingHeld
    | MeetingMissed
    | MeetingCancelled
    | CommitmentMade
    | CommitmentChecked
    | ClosingChoicesSettled
    | MemberLeft
    | RelationshipEnded
    | PulseAnswered
)


@subscribe(
    MeetingHeld,
    MeetingMissed,
    MeetingCancelled,
    CommitmentMade,
    CommitmentChecked,
    ClosingChoicesSettled,
    MemberLeft,
    RelationshipEnded,
    PulseAnswered,
)
def refresh_health(events: Sequence[HealthSignal]) -> None:
    health_refresh(relationship_ids={event.relationship_id for event in events})
