"""Announcements waiting for a retry (a rate limit, an outage), sent every minute."""

from __future__ import annotations

from datetime import datetime, timedelta

from alongside.chat.services import announcements_send_due
from alongside.core.periodic import periodic


@periodic("chat.send_announcements", every=timedelta(minutes=1))
def send_announcements(now: datetime) -> int:
    return announcements_send_due(now=now)
