"""What the directory holds about a person, and how it is erased."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.core.personal_data import Rows, Subject, personal_data, rows
from alongside.organisations.models import Organisation
from alongside.people.models import Invitation, Person, PersonImport
from alongside.people.services import people_mark_left

FORMER_PARTICIPANT = "Former participant"


def export(subject: Subject) -> Mapping[str, Rows]:
    person = Person.objects.filter(pk=subject.person_id)
    return {
        "directory_entry": rows(
            person,
            (
                "name",
                "email",
                "employee_id",
                "manager__name",
                "department",
                "job_title",
                "level",
                "location",
                "timezone",
                "languages",
                "start_date",
                "offers",
                "share_job_title",
                "share_department",
                "share_location",
                "share_languages",
                "share_offers",
                "is_active",
                "created_at",
                "updated_at",
            ),
        ),
        "invitations": rows(
            Invitation.objects.filter(person_id=subject.person_id),
            ("created_at", "expires_at", "accepted_at", "revoked_at"),
        ),
    }


def erase(subject: Subject) -> Mapping[str, int]:
    # Someone still active leaves first, by the one leaver path: out of the programmes
    # still running, so that nobody is matched with an erased person.
    left = people_mark_left(
        organisation=Organisation.objects.get(pk=subject.organisation_id),
        person_ids=[subject.person_id],
        actor=None,
    )
    invitations, _deleted = Invitation.objects.filter(person_id=subject.person_id).delete()
    # Uploaded people files are kept after they are applied; a file that carries the
    # person's address loses its content (its summary stays).
    needle = subject.email.lower().encode()
    cleared = 0
    for upload in PersonImport.objects.filter(organisation_id=subject.organisation_id).only(
        "pk", "content"
    ):
        if needle in bytes(upload.content).lower():
            PersonImport.objects.filter(pk=upload.pk).update(content=b"")
            cleared += 1
    # The entry stays, anonymised, so that relationships, enrolments and every count it
    # is part of stay whole; the erased person shows as a former participant.
    Person.objects.filter(pk=subject.person_id).update(
        name=_(FORMER_PARTICIPANT),
        email=f"erased-{uuid.uuid4().hex}@erased.invalid",
        employee_id="",
        department="",
        job_title="",
        level="",
        location="",
        timezone="",
        languages=[],
        start_date=None,
        offers="",
        user=None,
        is_active=False,
        erased_at=timezone.now(),
        updated_at=timezone.now(),
    )
    return {
        "left_programmes": len(left),
        "invitations": invitations,
        "people_files_cleared": cleared,
        "directory_entry": 1,
    }


# Last: the other apps' erasers still find the person's rows through the entry.
personal_data("people", export=export, erase=erase, order=900)
