"""Relationships formed, joined, left and ended, announced to the apps above."""

from __future__ import annotations

from dataclasses import dataclass

from alongside.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class RelationshipsPublished(DomainEvent):
    """A match run was published: these relationships now exist."""

    programme_id: int
    relationship_ids: tuple[int, ...]
    match_run_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class MemberJoined(DomainEvent):
    """A late joiner was added to a running relationship."""

    relationship_id: int
    member_id: int


@dataclass(frozen=True, kw_only=True)
class MemberLeft(DomainEvent):
    relationship_id: int
    member_id: int
    actor_id: int | None
    relationship_ended: bool


@dataclass(frozen=True, kw_only=True)
class RelationshipEnded(DomainEvent):
    relationship_id: int
    reason: str
