"""A small directory and programmes built on the shared cast (tests/conftest.py)."""

from __future__ import annotations

from datetime import date

import pytest

from alongside.accounts.models import User
from alongside.organisations.models import Organisation
from alongside.people.models import Person
from alongside.programmes.models import Programme
from alongside.programmes.services import programme_create

PEOPLE = [
    # name, department, level, location, start date, time zone, languages
    ("Anil Kumar", "Finance", "M1", "Bengaluru", date(2024, 1, 10), "Asia/Kolkata", ["English"]),
    ("Bela Shah", "Finance", "M2", "Mumbai", date(2022, 5, 1), "Asia/Kolkata", ["Hindi"]),
    ("Chen Li", "Engineering", "M1", "Singapore", date(2025, 2, 3), "Asia/Singapore", ["English"]),
    ("Divya Rao", "Engineering", "M3", "Bengaluru", date(2019, 8, 19), "Asia/Kolkata", []),
    ("Emma Stone", "Sales", "M1", "London", date(2025, 3, 1), "Europe/London", ["English"]),
    ("Farid Khan", "Sales", "M2", "Mumbai", None, "Asia/Kolkata", ["Urdu", "English"]),
]


@pytest.fixture
def directory(org_a: Organisation) -> dict[str, Person]:
    people = {}
    for name, department, level, location, start, zone, languages in PEOPLE:
        first = name.split()[0].lower()
        people[first] = Person.objects.create(
            organisation=org_a,
            name=name,
            email=f"{first}@acme.test",
            department=department,
            level=level,
            location=location,
            start_date=start,
            timezone=zone,
            languages=languages,
        )
    return people


@pytest.fixture
def circles(org_a: Organisation, manager: User) -> Programme:
    return programme_create(
        organisation=org_a, actor=manager, name="New managers", format="peer_circles"
    )


@pytest.fixture
def mentoring(org_a: Organisation, manager: User) -> Programme:
    return programme_create(
        organisation=org_a, actor=manager, name="High potentials", format="one_to_one"
    )


def person_of(user: User) -> Person:
    return Person.objects.get(user=user)
