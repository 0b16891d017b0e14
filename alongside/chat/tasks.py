from __future__ import annotations

from django_tasks import task

from alongside.chat.services import announcement_send


@task()
def send_announcement(*, announcement_id: int) -> str:
    """Safe to run twice: one already claimed, sent or not yet due is left alone."""
    return announcement_send(announcement_id=announcement_id)
