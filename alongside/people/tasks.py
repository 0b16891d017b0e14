from __future__ import annotations

from django_tasks import task

from alongside.accounts.models import User
from alongside.organisations.models import Organisation
from alongside.people.importing import people_import_check, people_import_run
from alongside.people.invitations import invitations_send_bulk


@task()
def send_invitations(*, organisation_id: int, person_ids: list[int], actor_id: int) -> int:
    """Idempotent enough to retry: people who signed in meanwhile are skipped."""
    organisation = Organisation.objects.get(pk=organisation_id)
    actor = User.objects.filter(pk=actor_id).first()
    return invitations_send_bulk(organisation=organisation, person_ids=person_ids, actor=actor)


@task()
def check_people_import(*, import_id: int, actor_id: int | None = None) -> str | None:
    """Check a large upload for its preview (people_import_check)."""
    checked = people_import_check(import_id=import_id)
    return checked.status if checked is not None else None


@task()
def apply_people_import(*, import_id: int, actor_id: int | None = None) -> str | None:
    """Check and write a large import, all or nothing (people_import_run)."""
    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    applied = people_import_run(import_id=import_id, actor=actor)
    return applied.status if applied is not None else None
