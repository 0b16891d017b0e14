"""Names are found and sorted without regard to case or accents, in every script, on
SQLite and PostgreSQL alike (the same test runs on both)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from alongside.core.folding import fold
from alongside.people.models import Person
from alongside.people.selectors import PeopleFilters, people_list
from alongside.people.visibility import Audience

pytestmark = pytest.mark.django_db

NAMES = [
    "Zoë Wilson",
    "Élodie Durand",
    "José Núñez",
    "Dario Fischer",
    "Fatima Shaikh",
    "अमित शर्मा",
    "ஆனந்த் குமார்",
    "Søren Ångström",
]

# The Latin-script names of NAMES in the order the directory lists them: accents and case
# do not move a name.
LATIN_IN_ORDER = [
    "Dario Fischer",
    "Élodie Durand",
    "Fatima Shaikh",
    "José Núñez",
    "Søren Ångström",
    "Zoë Wilson",
]


def latin_only(names: list[str]) -> list[str]:
    return [n for n in names if n.isascii() or n[0] < "\u0900"]


def test_fold_takes_accents_off_latin_letters_only() -> None:
    assert fold("Zoë NÚÑEZ") == "zoe nunez"
    assert fold("Ångström") == "angstrom"
    assert fold("Straße") == "strasse"
    # Vowel signs of Indian scripts are letters of the word, not accents.
    assert fold("अमित शर्मा") == "अमित शर्मा"
    assert fold("ஆனந்த்") == "ஆனந்த்"
    assert fold("") == ""


@pytest.fixture
def directory(org_a: Any) -> list[Person]:
    return [
        Person.objects.create(
            organisation=org_a, name=name, email=f"folded{n}@acme.test", department="Sales"
        )
        for n, name in enumerate(NAMES)
    ]


def names(org: Any, search: str) -> list[str]:
    found = people_list(
        organisation=org, filters=PeopleFilters(search=search), audience=Audience.ADMIN
    )
    return [p.name for p in found if p.email.startswith("folded")]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("zoe", ["Zoë Wilson"]),
        ("ZOË", ["Zoë Wilson"]),
        ("elodie", ["Élodie Durand"]),
        ("nunez jose", ["José Núñez"]),
        ("angstrom", ["Søren Ångström"]),
        ("अमित", ["अमित शर्मा"]),
        ("शर्मा", ["अमित शर्मा"]),
        ("குமார்", ["ஆனந்த் குமார்"]),
        ("zoey", []),
    ],
)
def test_the_directory_finds_names_without_regard_to_case_or_accents(
    org_a: Any, directory: list[Person], search: str, expected: list[str]
) -> None:
    assert names(org_a, search) == expected


def test_accents_do_not_move_a_name_in_the_directory_order(
    org_a: Any, directory: list[Person]
) -> None:
    assert latin_only(names(org_a, "")) == LATIN_IN_ORDER


def test_the_directory_page_searches_the_same_way(
    org_a: Any, admin: Any, directory: list[Person]
) -> None:
    client = Client()
    client.force_login(admin)
    page = reverse("people:list", args=[org_a.slug])
    body = client.get(page, {"q": "elodie"}).content.decode()
    assert "Élodie Durand" in body
    assert "Zoë Wilson" not in body


def test_a_programmes_enrolments_follow_the_directory_order(
    org_a: Any, admin: Any, directory: list[Person]
) -> None:
    from alongside.programmes.models import Enrolment
    from alongside.programmes.selectors import enrolments_for
    from alongside.programmes.services import programme_create

    programme = programme_create(organisation=org_a, actor=admin, name="Peers", format="peer_pairs")
    for person in directory:
        Enrolment.objects.create(programme=programme, person=person, role="peer")
    enrolled = [e.person.name for e in enrolments_for(programme=programme)]
    assert latin_only(enrolled) == LATIN_IN_ORDER


def test_postgresql_reads_the_stored_fold_and_the_database_keeps_it_current(
    org_a: Any, directory: list[Person]
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite folds as it reads; the stored fold is PostgreSQL's")
    search = people_list(
        organisation=org_a, filters=PeopleFilters(search="zo"), audience=Audience.ADMIN
    )
    sql = str(search.query)
    assert '"people_person"."name_folded"' in sql  # the search word and the order
    assert "alongside_fold" not in sql
    # Renamed, bulk-updated or imported: the database writes the fold, no code path can
    # forget it.
    zoe = next(p for p in directory if p.name == "Zoë Wilson")
    Person.objects.filter(pk=zoe.pk).update(name="Ångela Ñúñez")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name_folded FROM people_person WHERE id = %s", [zoe.pk])
        assert cursor.fetchone() == (fold("Ångela Ñúñez"),)
    assert names(org_a, "angela nunez") == ["Ångela Ñúñez"]
    assert names(org_a, "zoe") == []
    # A word too short for a trigram finds it too.
    assert names(org_a, "ñu") == ["Ångela Ñúñez", "José Núñez"]
