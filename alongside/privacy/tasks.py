from __future__ import annotations

from django_tasks import task

from alongside.privacy.services import data_request_run


@task()
def run_data_request(*, request_id: int) -> str:
    """Idempotent: a request already claimed by another worker is left alone."""
    return str(data_request_run(request_id=request_id).status)
