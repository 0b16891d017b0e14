"""The HR sync's periodic job: sources whose scheduled time has come run once."""

from __future__ import annotations

from datetime import datetime, timedelta

from alongside.core.periodic import periodic
from alongside.hrsync.services import hr_sync_run_due


@periodic("hrsync.run_due", every=timedelta(minutes=5))
def run_due(now: datetime) -> int:
    return hr_sync_run_due(now=now)
