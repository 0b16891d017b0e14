"""A running programme with pairs, built straight in the database for the nudge tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from alongside.accounts.models import User
from alongside.meetings.models import Meeting
from alongside.organisations.models import Organisation
from alongside.people.models import Person
from alongside.programmes.models import Enrolment, Intake, Programme
from alongside.relationships.models import Relationship, RelationshipMember

NOW = datetime.fromisoformat("2026-11-10T09:00:00+00:00")


@dataclass
class World:
    programme: Programme
    people: list[Person]
    enrolments: list[Enrolment]
    pairs: list[Relationship]


def build_world(
    organisation: Organisation,
    manager: User | None,
    *,
    pairs: int = 2,
    member: User | None = None,
    stage: str = "running",
    matched_at: datetime = NOW - timedelta(days=20),
) -> World:
    programme = Programme.objects.create(
        organisation=organisation,
        name="New managers",
        format="peer_pairs",
        stage=stage,
        rhythm="fortnightly",
        start_date=date(2026, 10, 1),
        end_date=date(2027, 3, 31),
    )
    if manager is not None:
        programme.managers.add(manager)
    people = []
    if member is not None:
        people.append(Person.objects.get(organisation=organisation, user=member))
    while len(people) < pairs * 2:
        n = len(people)
        people.append(
            Person.objects.create(
                organisation=organisation,
                name=f"Person {n}",
                email=f"person{n}@{organisation.slug}.test",
                timezone="Europe/London" if n % 2 else "",
            )
        )
    enrolments = []
    for person in people:
        enrolment = Enrolment.objects.create(
            programme=programme,
            person=person,
            role="peer",
            source="directory",
            enrolled_at=NOW - timedelta(days=30),
        )
        Intake.objects.create(enrolment=enrolment, completed_at=NOW - timedelta(days=29))
        enrolments.append(enrolment)
    relationships = []
    for number in range(pairs):
        relationship = Relationship.objects.create(
            organisation=organisation,
            programme=programme,
            kind="pair",
            name=f"Pair {number + 1}",
            started_at=matched_at,
        )
        for enrolment in enrolments[number * 2 : number * 2 + 2]:
            RelationshipMember.objects.create(
                relationship=relationship,
                enrolment=enrolment,
                person=enrolment.person,
                role="peer",
            )
        relationships.append(relationship)
    return World(programme, people, enrolments, relationships)


def meeting(relationship: Relationship, starts_at: datetime, status: str = "scheduled") -> Meeting:
    number = relationship.meetings.count() + 1
    return Meeting.objects.create(
        organisation=relationship.organisation,
        relationship=relationship,
        number=number,
        starts_at=starts_at,
        timezone="Europe/London",
        status=status,
    )


def send_nudges(**kwargs: Any) -> Any:
    """The nudges job, then a worker sending what it queued in the outbox."""
    from alongside.nudges.sending import nudges_send_due
    from alongside.outbox.sending import emails_send_due

    report = nudges_send_due(**kwargs)
    emails_send_due()
    return report


def send_digests(**kwargs: Any) -> Any:
    """The digests job, then a worker sending what it queued in the outbox."""
    from alongside.nudges.sending import nudges_send_digests
    from alongside.outbox.sending import emails_send_due

    report = nudges_send_digests(**kwargs)
    emails_send_due()
    return report
