"""Memberships granted and removed, announced to the apps above."""

from __future__ import annotations

from dataclasses import dataclass

from alongside.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class MembershipGranted(DomainEvent):
    user_id: int
    email: str


@dataclass(frozen=True, kw_only=True)
class MembershipRemoved(DomainEvent):
    user_id: int
