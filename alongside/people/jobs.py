"""Uploaded people files are kept only while an import needs them."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from alongside.core.periodic import periodic
from alongside.people.models import PersonImport


@periodic("people.prune_uploads", every=timedelta(days=1))
def prune_uploads(now: datetime) -> int:
    """Empty the stored file of imports older than ``RETENTION_DAYS['uploads']``.

    The import's summary and problems stay (the audit trail points at them); only the
    file's contents, which hold the people's details, are removed.
    """
    keep = timedelta(days=int(settings.RETENTION_DAYS["uploads"]))
    return (
        PersonImport.objects.filter(created_at__lt=now - keep)
        .exclude(content=b"")
        .update(content=b"")
    )
