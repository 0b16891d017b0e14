from __future__ import annotations

from django_tasks import task

from alongside.exports.services import export_make


@task()
def make_export(*, export_id: int) -> int | None:
    made = export_make(export_id=export_id)
    return made.rows if made is not None else None
