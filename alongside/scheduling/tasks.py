from __future__ import annotations

from django_tasks import task

from alongside.scheduling.invite_services import meeting_invites_dispatch
from alongside.scheduling.video import relationship_video_create_meeting


@task()
def dispatch_meeting_invites(*, meeting_ids: list[int], relationship_id: int | None) -> int:
    """Idempotent: each meeting's sequence is claimed once, so a repeat queues nothing."""
    return meeting_invites_dispatch(meeting_ids=meeting_ids, relationship_id=relationship_id)


@task()
def create_video_meeting(*, video_id: int) -> str:
    """Safe to run twice: a link that is no longer pending is left alone."""
    return relationship_video_create_meeting(video_id=video_id)
