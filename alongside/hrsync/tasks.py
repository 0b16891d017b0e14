from __future__ import annotations

from django_tasks import task

from alongside.hrsync.services import hr_sync_apply_confirmed, hr_sync_run
from alongside.organisations.models import Organisation


@task()
def run_hr_sync(*, organisation_id: int, trigger: str, actor_id: int | None = None) -> str:
    from alongside.accounts.models import User

    organisation = Organisation.objects.get(pk=organisation_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return hr_sync_run(organisation=organisation, trigger=trigger, actor=actor).status


@task()
def apply_confirmed_run(*, run_id: int, actor_id: int | None = None) -> str:
    """Safe to run twice: a run no longer waiting is left alone."""
    run = hr_sync_apply_confirmed(run_id=run_id, actor_id=actor_id)
    return run.status if run is not None else "not waiting"
