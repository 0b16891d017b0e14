from __future__ import annotations

from django_tasks import task

from alongside.accounts.models import User
from alongside.organisations.models import Organisation
from alongside.people.invitations import invitations_send_bulk


@task()
def send_invitations(*, organisation_id: int, person_ids: list[int], actor_id: int) -> int:
    """Idempotent enough to retry: people who signed in meanwhile are skipped."""
    organisation = Organisation.objects.get(pk=organisation_id)
    actor = User.objects.filter(pk=actor_id).first()
    return invitations_send_bulk(organisation=organisation, person_ids=person_ids, actor=actor)
