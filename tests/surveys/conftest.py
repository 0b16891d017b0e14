from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from alongside.accounts.models import User
from alongside.organisations.models import Organisation
from alongside.people.models import Person
from alongside.programmes.models import Enrolment, Programme
from alongside.relationships.models import Relationship, RelationshipMember

AREAS = ["Giving feedback", "Delegation", "Difficult conversations"]
DEPARTMENTS = ["Engineering"] * 6 + ["Finance"] * 5 + ["Sales"] * 1


@dataclass
class Cohort:
    programme: Programme
    me: Enrolment  # the cast member's enrolment
    others: list[Enrolment]
    relationships: list[Relationship]

    @property
    def everyone(self) -> list[Enrolment]:
        return [self.me, *self.others]


@pytest.fixture
def cohort(org_a: Organisation, cast: dict[str, User]) -> Cohort:
    """A running peer-pairs programme of 12: the cast member (Engineering) and 11 others."""
    programme = Programme.objects.create(
        organisation=org_a,
        name="New managers",
        format="peer_pairs",
        start_date=date(2030, 1, 1),
        end_date=date(2030, 7, 1),
        stage="running",
        capability_areas=AREAS,
    )
    programme.managers.add(cast["manager"])
    me_person = Person.objects.get(user=cast["member"])
    me_person.department = "Engineering"
    me_person.save()
    me = Enrolment.objects.create(
        programme=programme, person=me_person, role="peer", source="directory"
    )
    others = []
    for i, department in enumerate(DEPARTMENTS[1:], start=1):
        person = Person.objects.create(
            organisation=org_a,
            name=f"Peer {i:02d}",
            email=f"peer{i}@acme.test",
            department=department,
            location="Pune" if i % 2 else "Bengaluru",
        )
        others.append(
            Enrolment.objects.create(
                programme=programme, person=person, role="peer", source="directory"
            )
        )
    everyone = [me, *others]
    relationships = []
    for n in range(0, len(everyone), 2):
        relationship = Relationship.objects.create(
            organisation=org_a, programme=programme, kind="pair", name=f"Pair {n // 2 + 1}"
        )
        for enrolment in everyone[n : n + 2]:
            RelationshipMember.objects.create(
                relationship=relationship,
                enrolment=enrolment,
                person=enrolment.person,
                role="peer",
            )
        relationships.append(relationship)
    return Cohort(programme=programme, me=me, others=others, relationships=relationships)


def answers_for(survey: Any, rating: int) -> dict[int, Any]:
    """Every capability question rated ``rating``; required others given a valid answer."""
    answers: dict[int, Any] = {}
    for question in survey.questions.all():
        if question.is_scale:
            answers[question.pk] = rating
        elif question.kind == "choice":
            answers[question.pk] = question.choices[0]
    return answers
