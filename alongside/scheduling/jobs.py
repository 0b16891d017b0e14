"""Periodic jobs of the scheduling app, run by the worker (see ``alongside.core.periodic``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from alongside.core.periodic import periodic
from alongside.scheduling.invite_services import meetings_send_due_invites


@periodic("scheduling.send_due_invites", every=timedelta(hours=1))
def send_due_invites(now: datetime) -> int:
    """Invitations for meetings coming into the horizon, and changes not emailed yet."""
    return meetings_send_due_invites(now=now)
