"""The nudges' periodic jobs, run by ``alongside worker``."""

from __future__ import annotations

from datetime import datetime, timedelta

from alongside.core.periodic import periodic
from alongside.nudges.sending import SendReport, nudges_send_digests, nudges_send_due


@periodic("nudges.send_due", every=timedelta(minutes=15))
def send_due(now: datetime) -> SendReport:
    return nudges_send_due(now=now)


# Hourly, so that each person's digest leaves soon after 08:00 in their own time zone.
@periodic("nudges.send_digests", every=timedelta(hours=1))
def send_digests(now: datetime) -> SendReport:
    return nudges_send_digests(now=now)
