"""Changes in the directory, announced to the apps above."""

from __future__ import annotations

from dataclasses import dataclass

from alongside.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PersonLeft(DomainEvent):
    """A person left the organisation (deactivated by hand, an import or provisioning).

    Emitted inside the transaction that deactivates them: programmes withdraw their
    enrolments in programmes still running, which ends their place in relationships.
    """

    person_id: int
    actor_id: int | None
