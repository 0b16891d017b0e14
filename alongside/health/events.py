"""A relationship's health changed, announced to the apps above (webhooks, later chat)."""

from __future__ import annotations

from dataclasses import dataclass

from alongside.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class HealthChanged(DomainEvent):
    relationship_id: int
    programme_id: int
    status: str
    previous_status: str  # "" the first time a relationship is assessed
    reasons: tuple[str, ...]
