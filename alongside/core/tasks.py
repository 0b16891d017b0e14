from __future__ import annotations

from datetime import datetime

from django_tasks import task

from alongside.core.periodic_runner import run_claimed_job


@task(priority=-10)
def run_periodic_job(*, job: str, run_id: int, now: str) -> str:
    """One claimed period of a periodic job; behind emails and page-triggered work."""
    outcome = run_claimed_job(job_name=job, run_id=run_id, now=datetime.fromisoformat(now))
    return outcome.status if outcome is not None else "not ours any more"
