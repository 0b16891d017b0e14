"""Building blocks for the schedule tests: a relationship of people in chosen zones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from alongside.accounts.models import User
from alongside.organisations.models import Membership, Organisation, Role
from alongside.people.models import Person
from alongside.programmes.models import Enrolment, Intake, Programme
from alongside.relationships.models import Relationship, RelationshipMember


@dataclass(frozen=True)
class Who:
    name: str
    timezone: str
    availability: str = ""
    user: User | None = None  # an existing user (e.g. the cast's member); else one is made


def person_for(org: Organisation, who: Who) -> Person:
    if who.user is not None:
        person = Person.objects.get(organisation=org, user=who.user)
        person.timezone = who.timezone
        person.save(update_fields=["timezone"])
        return person
    email = who.name.lower().replace(" ", ".") + "@acme.test"
    user = User.objects.create_user(email, "x" * 20, full_name=who.name)
    Membership.objects.create(user=user, organisation=org, role=Role.MEMBER)
    return Person.objects.create(
        organisation=org, user=user, name=who.name, email=email, timezone=who.timezone
    )


def programme_for(org: Organisation, **kwargs: Any) -> Programme:
    values: dict[str, Any] = {
        "name": "New managers",
        "format": "peer_circles",
        "stage": "running",
        "start_date": date(2027, 1, 4),
        "end_date": date(2027, 6, 30),
        "rhythm": "weekly",
        "session_minutes": 45,
    }
    values.update(kwargs)
    return Programme.objects.create(organisation=org, **values)


def relationship_of(
    org: Organisation,
    people: list[Who],
    programme: Programme | None = None,
    kind: str = "circle",
    propose: bool = True,
) -> Relationship:
    """A relationship of these people (intake zone and availability as given)."""
    from alongside.scheduling.services import schedules_propose

    programme = programme or programme_for(org)
    relationship = Relationship.objects.create(
        organisation=org, programme=programme, kind=kind, name="Circle 1"
    )
    for who in people:
        add_member(relationship, who)
    if propose:
        schedules_propose(relationships=[relationship])
    return relationship


def add_member(relationship: Relationship, who: Who) -> RelationshipMember:
    person = person_for(relationship.organisation, who)
    enrolment = Enrolment.objects.create(
        programme=relationship.programme, person=person, role="peer", source="directory"
    )
    Intake.objects.create(enrolment=enrolment, timezone=who.timezone, availability=who.availability)
    return RelationshipMember.objects.create(
        relationship=relationship, enrolment=enrolment, person=person, role="peer"
    )


def members(relationship: Relationship) -> dict[str, RelationshipMember]:
    return {
        m.person.name: m
        for m in RelationshipMember.objects.filter(relationship=relationship).select_related(
            "person", "enrolment__intake"
        )
    }
