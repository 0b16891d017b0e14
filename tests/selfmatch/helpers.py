"""A mentoring programme in its matching stage, with people who have accounts."""

from __future__ import annotations

from typing import Any

from alongside.accounts.models import User
from alongside.organisations.models import Membership, Role
from alongside.people.models import Person
from alongside.programmes.services import (
    enrolment_add,
    intake_save,
    programme_create,
    programme_transition,
)
from alongside.selfmatch.services import choice_settings_update

PASSWORD = "correct horse battery staple"


def person(org: Any, name: str, *, level: str, department: str = "Engineering", **extra: Any):
    email = f"{name.lower().replace(' ', '.')}@{org.slug}.test"
    user = User.objects.create_user(email, PASSWORD, full_name=name)
    Membership.objects.create(user=user, organisation=org, role=Role.MEMBER)
    return Person.objects.create(
        organisation=org,
        user=user,
        name=name,
        email=email,
        level=level,
        department=department,
        timezone="Asia/Kolkata",
        languages=["English"],
        **extra,
    )


def mentoring_programme(
    org: Any,
    actor: Any,
    *,
    mode: str,
    mentors: int = 2,
    mentees: int = 2,
    capacity: int = 1,
    response_days: int = 3,
    format: str = "one_to_one",
) -> tuple[Any, list[Any], list[Any]]:
    programme = programme_create(organisation=org, actor=actor, name="Self-match", format=format)
    programme_transition(programme=programme, actor=actor, to="enrolling")
    mentor_people = [
        person(org, f"Mentor {i}", level="L6", department=["Sales", "Finance", "Design"][i % 3])
        for i in range(mentors)
    ]
    mentee_people = [person(org, f"Mentee {i}", level="L2") for i in range(mentees)]
    mentor_rows = enrolment_add(
        programme=programme, actor=actor, people=mentor_people, role="mentor", capacity=capacity
    )
    mentee_rows = enrolment_add(
        programme=programme, actor=actor, people=mentee_people, role="mentee"
    )
    topics = programme.topics
    for n, enrolment in enumerate(mentor_rows):
        intake_save(
            enrolment=enrolment,
            actor=actor,
            offers=[topics[n % 5], topics[5]],
            wants=[topics[6]],
            availability="Mon-Fri 09:00-17:00",
        )
    for enrolment in mentee_rows:
        intake_save(
            enrolment=enrolment, actor=actor, wants=[topics[0]], availability="Mon-Fri 09:00-17:00"
        )
    programme_transition(programme=programme, actor=actor, to="matching")
    choice_settings_update(programme=programme, actor=actor, mode=mode, response_days=response_days)
    programme.refresh_from_db()
    return programme, fresh(mentor_rows), fresh(mentee_rows)


def fresh(enrolments: list[Any]) -> list[Any]:
    """The enrolments as a page would load them (with the intakes saved since)."""
    from alongside.programmes.models import Enrolment

    found = Enrolment.objects.select_related("person", "intake", "programme__organisation")
    by_pk = {e.pk: e for e in found.filter(pk__in=[e.pk for e in enrolments])}
    return [by_pk[e.pk] for e in enrolments]
