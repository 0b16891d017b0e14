from __future__ import annotations

from django_tasks import task

from alongside.accounts.models import User
from alongside.programmes.invitations import programme_welcome_send
from alongside.programmes.models import Programme


@task()
def send_programme_welcomes(
    *, programme_id: int, enrolment_ids: list[int], actor_id: int | None
) -> int:
    """Safe to retry: each run makes fresh invitations (revoking the previous ones)."""
    programme = Programme.objects.select_related("organisation").get(pk=programme_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    return programme_welcome_send(programme=programme, enrolment_ids=enrolment_ids, actor=actor)
