"""Programme and enrolment changes, announced to the apps above."""

from __future__ import annotations

from dataclasses import dataclass

from alongside.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class EnrolmentWithdrawn(DomainEvent):
    programme_id: int
    enrolment_id: int
    actor_id: int | None


@dataclass(frozen=True, kw_only=True)
class ProgrammeClosing(DomainEvent):
    """The programme is moving to closed, inside the transaction that closes it."""

    programme_id: int
    actor_id: int | None


@dataclass(frozen=True, kw_only=True)
class PeopleEnrolled(DomainEvent):
    """People were enrolled in a programme (or came back after withdrawing)."""

    programme_id: int
    enrolment_ids: tuple[int, ...]
