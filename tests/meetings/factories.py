"""Small builders for relationships and meetings, without the scheduling services."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from alongside.accounts.models import User
from alongside.meetings.models import Attendance, Meeting
from alongside.organisations.models import Membership, Organisation, Role
from alongside.people.models import Person
from alongside.programmes.models import Enrolment, Intake, Programme
from alongside.relationships.models import Relationship, RelationshipMember

FORMAT_OF_KIND = {
    "pair": "peer_pairs",
    "circle": "peer_circles",
    "mentoring": "one_to_one",
    "group": "group_mentoring",
    "buddy": "buddies",
}
START = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)


def participant(org: Organisation, name: str) -> User:
    slug = name.lower().replace(" ", ".")
    user = User.objects.create_user(f"{slug}@{org.slug}.test", "pw", full_name=name)
    Membership.objects.create(user=user, organisation=org, role=Role.MEMBER)
    Person.objects.create(
        organisation=org, user=user, name=name, email=user.email, timezone="Asia/Kolkata"
    )
    return user


def programme_for(
    org: Organisation, format: str = "peer_pairs", manager: User | None = None, **extra: Any
) -> Programme:
    values: dict[str, Any] = {
        "organisation": org,
        "name": f"{format} programme",
        "format": format,
        "start_date": date(2030, 1, 1),
        "end_date": date(2030, 12, 31),
        "stage": "running",
    }
    values.update(extra)
    programme = Programme.objects.create(**values)
    if manager is not None:
        programme.managers.add(manager)
    return programme


def relationship_with(
    programme: Programme,
    users: list[User],
    kind: str | None = None,
    name: str = "Relationship 1",
) -> tuple[Relationship, list[RelationshipMember]]:
    """A relationship of the given users (in that order), each enrolled with an intake."""
    kind = kind or next(k for k, f in FORMAT_OF_KIND.items() if f == programme.format)
    relationship = Relationship.objects.create(
        organisation=programme.organisation, programme=programme, kind=kind, name=name
    )
    members = []
    for index, user in enumerate(users):
        person = Person.objects.get(organisation=programme.organisation, user=user)
        enrolment = Enrolment.objects.create(
            programme=programme, person=person, role="peer", source="directory"
        )
        Intake.objects.create(
            enrolment=enrolment,
            wants=["Giving feedback", "Delegation"],
            goals="Run calmer one-to-ones\nSay no more often",
        )
        members.append(
            RelationshipMember.objects.create(
                relationship=relationship,
                enrolment=enrolment,
                person=person,
                role="peer",
                joined_at=START - timedelta(days=30) + timedelta(seconds=index),
            )
        )
    return relationship, members


def meeting(
    relationship: Relationship,
    number: int,
    starts_at: datetime | None = None,
    status: str = Meeting.Status.SCHEDULED,
    **extra: Any,
) -> Meeting:
    return Meeting.objects.create(
        organisation=relationship.organisation,
        relationship=relationship,
        number=number,
        starts_at=starts_at or START + timedelta(weeks=2 * (number - 1)),
        timezone="Asia/Kolkata",
        status=status,
        **extra,
    )


def attend(meeting: Meeting, member: RelationshipMember, status: str, **extra: Any) -> Attendance:
    attendance, _ = Attendance.objects.update_or_create(
        meeting=meeting, member=member, defaults={"status": status, **extra}
    )
    return attendance
