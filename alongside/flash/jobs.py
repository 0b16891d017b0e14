from __future__ import annotations

from datetime import datetime, timedelta

from alongside.core.periodic import periodic
from alongside.flash.services import flash_rounds_due


@periodic("flash.rounds", every=timedelta(hours=1))
def rounds(now: datetime) -> int:
    return flash_rounds_due(now=now)
