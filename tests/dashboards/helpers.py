"""Build a programme with relationships and their history directly, as rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from alongside.accounts.models import User
from alongside.meetings.models import Commitment, Meeting
from alongside.organisations.models import Organisation
from alongside.people.models import Person
from alongside.programmes.models import Enrolment, Intake, Programme
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.surveys.models import Pulse

DEPARTMENTS = ("Finance", "Engineering", "Sales")
LOCATIONS = ("Bengaluru", "Mumbai")


@dataclass
class Pair:
    relationship: Relationship
    members: list[RelationshipMember]


def make_programme(
    organisation: Organisation,
    manager: User | None = None,
    *,
    name: str = "New managers",
    rhythm: str = "fortnightly",
    start: date = date(2026, 1, 5),
    end: date = date(2026, 12, 18),
    format: str = "peer_pairs",
) -> Programme:
    programme = Programme.objects.create(
        organisation=organisation,
        name=name,
        format=format,
        stage="running",
        start_date=start,
        end_date=end,
        rhythm=rhythm,
    )
    if manager is not None:
        programme.managers.add(manager)
    return programme


def make_pair(
    programme: Programme,
    number: int,
    *,
    started_at: datetime,
    department: str | None = None,
    location: str | None = None,
    intake_done: bool = True,
) -> Pair:
    organisation = programme.organisation
    relationship = Relationship.objects.create(
        organisation=organisation,
        programme=programme,
        kind="pair",
        name=f"Pair {number}",
        started_at=started_at,
    )
    members = []
    for side in ("a", "b"):
        person = Person.objects.create(
            organisation=organisation,
            name=f"Person {number}{side} {programme.pk}",
            email=f"p{number}{side}.{programme.pk}@{organisation.slug}.test",
            department=department or DEPARTMENTS[number % len(DEPARTMENTS)],
            location=location or LOCATIONS[number % len(LOCATIONS)],
        )
        enrolment = Enrolment.objects.create(
            programme=programme, person=person, role="peer", source="directory"
        )
        Intake.objects.create(enrolment=enrolment, completed_at=started_at if intake_done else None)
        members.append(
            RelationshipMember.objects.create(
                relationship=relationship, enrolment=enrolment, person=person, role="peer"
            )
        )
    return Pair(relationship=relationship, members=members)


def add_meeting(pair: Pair, starts_at: datetime, status: str = "held") -> Meeting:
    number = pair.relationship.meetings.count() + 1
    return Meeting.objects.create(
        organisation=pair.relationship.organisation,
        relationship=pair.relationship,
        number=number,
        starts_at=starts_at,
        timezone="UTC",
        status=status,
    )


def add_commitment(pair: Pair, meeting: Meeting, status: str, member: int = 0) -> Commitment:
    return Commitment.objects.create(
        relationship=pair.relationship,
        member=pair.members[member],
        made_at=meeting,
        text="Ask for feedback",
        status=status,
        reviewed_at=None if status == "open" else meeting.starts_at + timedelta(days=14),
    )


def add_pulse(pair: Pair, meeting: Meeting | None, rating: int, member: int = 0) -> Pulse:
    return Pulse.objects.create(
        relationship=pair.relationship,
        member=pair.members[member],
        meeting=meeting,
        kind="meeting" if meeting else "midpoint",
        rating=rating,
        created_at=meeting.starts_at if meeting else pair.relationship.started_at,
    )


def build_history(programme: Programme, count: int, *, now: datetime, first: int = 1) -> list[Pair]:
    """``count`` pairs with meetings, commitments and pulses of every kind."""
    pairs = []
    for number in range(first, first + count):
        pair = make_pair(programme, number, started_at=now - timedelta(days=120))
        for week in range(0, 16, 2):
            status = "missed" if number % 4 == 0 and week > 10 else "held"
            if number % 5 == 0 and week > 4:
                continue  # goes silent: dormant
            meeting = add_meeting(pair, now - timedelta(days=110 - week * 7), status)
            if status == "held":
                add_commitment(pair, meeting, "done" if number % 3 else "not_yet")
                add_pulse(pair, meeting, 2 if number % 7 == 0 else 4)
        pairs.append(pair)
    return pairs
