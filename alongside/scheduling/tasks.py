from __future__ import annotations

from django_tasks import task

from alongside.scheduling.video import relationship_video_create_meeting


@task()
def create_video_meeting(*, video_id: int) -> str:
    """Safe to run twice: a link that is no longer pending is left alone."""
    return relationship_video_create_meeting(video_id=video_id)
