from __future__ import annotations

from django_tasks import task

from alongside.matches.services import match_run_execute


@task()
def execute_match_run(*, run_id: int) -> str:
    """Runs a queued match run; a second delivery finds it claimed and does nothing."""
    run = match_run_execute(run_id=run_id)
    return run.status if run is not None else "already claimed"
