from __future__ import annotations

import io
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from alongside.accounts.models import User
from alongside.core.errors import NotFound
from alongside.core.progress import ProgressReporter
from alongside.exports.models import Export
from alongside.exports.registry import PRODUCERS
from alongside.organisations.models import Organisation
from alongside.spreadsheets.cells import SafeCsvWriter

logger = logging.getLogger(__name__)


@transaction.atomic
def export_request(
    *,
    organisation: Organisation,
    actor: User,
    kind: str,
    title: str,
    filename: str,
    params: dict[str, Any] | None = None,
) -> Export:
    """Queue an export; the caller has checked that ``actor`` may have it, and audited it."""
    if kind not in PRODUCERS:
        raise ValueError(f"no exporter for {kind!r}")
    export = Export.objects.create(
        organisation=organisation,
        requested_by=actor,
        kind=kind,
        title=title[:200],
        filename=filename[:200],
        params=params or {},
    )
    from alongside.exports.tasks import make_export

    export_id = export.pk
    transaction.on_commit(lambda: make_export.enqueue(export_id=export_id))
    return export


def export_make(*, export_id: int) -> Export | None:
    """The worker's part: claim the export, write its rows as CSV with progress.

    Claimed with a conditional update, so a task delivered twice makes the file once.
    """
    claimed = Export.objects.filter(pk=export_id, status=Export.Status.QUEUED).update(
        status=Export.Status.RUNNING
    )
    if not claimed:
        return None
    export = Export.objects.get(pk=export_id)
    producer = PRODUCERS[export.kind]
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    rows = 0
    try:
        expected = max(1, producer.count(export))
        with ProgressReporter(Export, export_id) as report:
            for row in producer.rows(export):
                writer.writerow(row)
                rows += 1
                if rows % 500 == 0:
                    report(99 * rows / expected)
    except Exception as error:
        Export.objects.filter(pk=export_id).update(
            status=Export.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:1000],
            finished_at=timezone.now(),
        )
        raise
    Export.objects.filter(pk=export_id).update(
        status=Export.Status.DONE,
        progress=100,
        rows=max(0, rows - 1),
        content=("\ufeff" + buffer.getvalue()).encode(),
        finished_at=timezone.now(),
    )
    return Export.objects.get(pk=export_id)


def export_get(*, organisation: Organisation, user: User, export_id: int) -> Export:
    """Only the person who asked for an export sees it; to anyone else it does not exist."""
    export = Export.objects.filter(
        organisation=organisation, requested_by=user, pk=export_id
    ).first()
    if export is None:
        raise NotFound("No such export.")
    return export
