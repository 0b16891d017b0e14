"""The daily health recompute: verdicts age even when nothing happens ("no meeting for…")."""

from __future__ import annotations

from datetime import datetime

from alongside.core.periodic import periodic
from alongside.health.services import health_refresh_programme
from alongside.programmes.models import Programme, Stage

# Programmes whose relationships meet; a draft has none, a closed one no longer changes.
LIVE_STAGES = (Stage.MATCHING, Stage.RUNNING, Stage.CLOSING)


@periodic("health.daily_refresh")
def daily_refresh(now: datetime) -> int:
    """Recompute every live programme's relationships; idempotent for the same ``now``."""
    refreshed = 0
    for programme in Programme.objects.filter(stage__in=LIVE_STAGES).order_by("pk"):
        refreshed += health_refresh_programme(programme=programme, now=now)
    return refreshed
