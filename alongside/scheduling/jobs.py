"""Periodic jobs of the scheduling app, run by the worker (see ``alongside.core.periodic``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from alongside.core.periodic import periodic
from alongside.scheduling.invite_services import meetings_send_due_invites


@periodic("scheduling.send_due_invites", every=timedelta(hours=1))
def send_due_invites(now: datetime) -> int:
    """Invitations for meetings coming into the horizon, and changes not emailed yet."""
    return meetings_send_due_invites(now=now)


@periodic("scheduling.video_links", every=timedelta(minutes=15))
def retry_video_links(now: datetime) -> int:
    """Zoom and Teams meetings that could not be created yet are tried again."""
    from alongside.scheduling.video import video_links_retry

    return video_links_retry(now=now)
