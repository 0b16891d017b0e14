"""Survey and pulse answers, announced to the apps above."""

from __future__ import annotations

from dataclasses import dataclass

from alongside.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PulseAnswered(DomainEvent):
    """A member rated a relationship in a pulse (after a meeting, or at the midpoint)."""

    relationship_id: int
    rating: int


@dataclass(frozen=True, kw_only=True)
class SurveyAnswered(DomainEvent):
    """A participant submitted (or changed) their answers to a start or end survey."""

    survey_id: int
    programme_id: int
