"""Made exports hold personal data: they are kept only for a while."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from alongside.core.periodic import periodic


@periodic("exports.prune", every=timedelta(days=1))
def prune(now: datetime) -> int:
    """Delete exports older than ``RETENTION_DAYS['exports']``."""
    from alongside.exports.models import Export

    keep = timedelta(days=int(settings.RETENTION_DAYS["exports"]))
    deleted, _by_model = Export.objects.filter(created_at__lt=now - keep).delete()
    return deleted
