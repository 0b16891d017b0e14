from __future__ import annotations

from django.db.models import QuerySet

from alongside.core.errors import NotFound
from alongside.hrsync.models import SyncRun, SyncSource
from alongside.organisations.models import Organisation


def hr_sync_source_of(*, organisation: Organisation) -> SyncSource | None:
    return SyncSource.objects.filter(organisation=organisation).first()


def hr_sync_runs_for(*, organisation: Organisation) -> QuerySet[SyncRun]:
    return (
        SyncRun.objects.filter(organisation=organisation)
        .defer("content")
        .order_by("-started_at", "-pk")
    )


def hr_sync_run_get(*, organisation: Organisation, run_id: int) -> SyncRun:
    run = SyncRun.objects.filter(organisation=organisation, pk=run_id).defer("content").first()
    if run is None:
        raise NotFound("No such HR sync run in this organisation.")
    return run
