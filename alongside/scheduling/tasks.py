from __future__ import annotations

from django_tasks import task

from alongside.scheduling.invite_services import meeting_invites_dispatch


@task()
def dispatch_meeting_invites(*, meeting_ids: list[int], relationship_id: int | None) -> int:
    """Idempotent: each meeting's sequence is claimed once, so a repeat queues nothing."""
    return meeting_invites_dispatch(meeting_ids=meeting_ids, relationship_id=relationship_id)
