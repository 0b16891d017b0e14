"""What the outbox tells the apps above it (nudges keeps its send log in step)."""

from __future__ import annotations

from dataclasses import dataclass

from alongside.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class EmailSent(DomainEvent):
    email_id: int
    kind: str
    dedupe_key: str


@dataclass(frozen=True, kw_only=True)
class EmailFailed(DomainEvent):
    """The email's attempts ran out; an admin may retry it."""

    email_id: int
    kind: str
    dedupe_key: str
    error: str
