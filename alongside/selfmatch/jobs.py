"""Deadlines: unanswered requests lapse; hybrid picking closes on its date."""

from __future__ import annotations

from datetime import datetime, timedelta

from alongside.core.periodic import periodic
from alongside.selfmatch.hybrid import hybrid_picks_close_due
from alongside.selfmatch.services import match_requests_lapse


@periodic("selfmatch.lapse_requests", every=timedelta(hours=1))
def lapse_requests(now: datetime) -> int:
    return match_requests_lapse(now=now)


@periodic("selfmatch.close_picking", every=timedelta(hours=1))
def close_picking(now: datetime) -> int:
    return hybrid_picks_close_due(now=now)
