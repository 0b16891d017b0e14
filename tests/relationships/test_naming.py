"""Relationships are named after their members, or by them, everywhere they appear."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.core.errors import AlongsideError
from alongside.matches.services import match_run_publish, relationship_add_late_joiner
from alongside.people.models import Person
from alongside.programmes.services import enrolment_add, enrolment_withdraw
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.relationships.naming import NamedMember, default_name
from alongside.relationships.services import relationship_rename
from tests.matches.helpers import _people, _programme, draft_run


def _named(*people: tuple[str, str]) -> list[NamedMember]:
    return [NamedMember(name, role) for name, role in people]


def test_a_pair_is_called_by_its_first_names_alphabetically() -> None:
    pair = _named(("Rohan Kulkarni", "peer"), ("Aditya Rao", "peer"))
    assert default_name("pair", pair) == "Aditya & Rohan"
    assert default_name("buddy", pair) == "Aditya & Rohan"


def test_namesakes_keep_their_full_names() -> None:
    pair = _named(("Rohan Kulkarni", "peer"), ("Rohan Mehta", "peer"))
    assert default_name("pair", pair) == "Rohan Kulkarni & Rohan Mehta"


def test_a_mentee_comes_before_their_mentor() -> None:
    pair = _named(("Zoë Wilson", "mentor"), ("Rohan Kulkarni", "mentee"))
    assert default_name("mentoring", pair) == "Rohan & Zoë"


def test_a_circle_names_two_members_and_counts_the_rest() -> None:
    circle = _named(
        *((name, "peer") for name in ("Meera K", "Akhil S", "Tara N", "Vamsi G", "Ben C"))
    )
    assert default_name("circle", circle) == "Circle: Akhil, Ben +3"
    assert default_name("circle", circle[:3]) == "Circle: Akhil, Meera, Tara"


def test_a_group_is_its_mentors() -> None:
    group = _named(("Zoë Wilson", "mentor"), ("A B", "mentee"), ("C D", "mentee"))
    assert default_name("group", group) == "Zoë's group"


def test_names_in_any_script_use_the_first_word() -> None:
    pair = _named(("रोहन कुलकर्णी", "peer"), ("மீரா கிருஷ்ணன்", "peer"))
    assert default_name("pair", pair) == "रोहन & மீரா"


@pytest.mark.django_db
def test_published_pairs_and_circles_are_named_after_their_members(cast: Any, org_a: Any) -> None:
    admin = cast["admin"]
    for format in ("peer_pairs", "peer_circles"):
        people = _people(org_a, 12, prefix=format[5:9])
        for number, person in enumerate(people):
            person.name = f"{chr(ord('A') + number)}{format[5]} {person.name}"
            person.save()
        programme, _ = _programme(org_a, admin, format, people)
        created = match_run_publish(run=draft_run(programme, admin), actor=admin)
        assert created
        for relationship in created:
            firsts = sorted(m.person.name.split()[0] for m in relationship.members.all())
            if format == "peer_pairs":
                assert relationship.name == " & ".join(firsts)
            else:
                assert relationship.name == f"Circle: {firsts[0]}, {firsts[1]} +{len(firsts) - 2}"


@pytest.fixture
def pair(cast: Any, org_a: Any) -> Relationship:
    """A published peer pair with the cast's member in it, and someone else."""
    admin, member = cast["admin"], cast["member"]
    me = Person.objects.get(user=member)
    other = Person.objects.create(organisation=org_a, name="Zoë Wilson", email="zoe@acme.test")
    programme, _ = _programme(org_a, admin, "peer_pairs", [me, other])
    (relationship,) = match_run_publish(run=draft_run(programme, admin), actor=admin)
    return relationship


@pytest.mark.django_db
def test_a_member_renames_the_pair_and_can_go_back(cast: Any, pair: Relationship) -> None:
    assert pair.name == "Ravi & Zoë"
    me = pair.members.get(person__user=cast["member"])
    renamed = relationship_rename(
        relationship=pair, member=me, actor=cast["member"], name="  The   Tuesday crew "
    )
    assert (renamed.name, renamed.chosen_name) == ("The Tuesday crew", "The Tuesday crew")
    event = AuditEvent.objects.filter(action="relationship.renamed").latest("pk")
    assert event.data == {"from": "Ravi & Zoë", "to": "The Tuesday crew", "chosen": True}
    back = relationship_rename(relationship=pair, member=me, actor=cast["member"], name="")
    assert (back.name, back.chosen_name) == ("Ravi & Zoë", "")


@pytest.mark.django_db
def test_a_too_long_name_is_refused_and_nothing_changes(cast: Any, pair: Relationship) -> None:
    me = pair.members.get(person__user=cast["member"])
    with pytest.raises(AlongsideError, match="80 characters; this one has 81"):
        relationship_rename(relationship=pair, member=me, actor=cast["member"], name="x" * 81)
    pair.refresh_from_db()
    assert (pair.name, pair.chosen_name) == ("Ravi & Zoë", "")


@pytest.mark.django_db
def test_someone_who_left_cannot_rename(cast: Any, pair: Relationship) -> None:
    me = pair.members.get(person__user=cast["member"])
    RelationshipMember.objects.filter(pk=me.pk).update(is_active=False)
    me.refresh_from_db()
    with pytest.raises(AlongsideError, match="Only the relationship's members"):
        relationship_rename(relationship=pair, member=me, actor=cast["member"], name="Mine")


@pytest.mark.django_db
def test_the_page_and_the_api_rename_for_members_only(
    cast: Any, pair: Relationship, client_for: Any, api_for: Any
) -> None:
    url = reverse("relationships:rename", args=["acme", pair.pk])
    response = client_for(cast["member"]).post(url, {"name": "Coffee & code"}, follow=True)
    assert "Renamed: everyone in it now sees “Coffee &amp; code”." in response.content.decode()
    page = client_for(cast["member"]).get(reverse("meetings:relationship", args=["acme", pair.pk]))
    assert "<title>Coffee &amp; code" in page.content.decode()
    path = f"/api/v1/organisations/acme/relationships/{pair.pk}"
    answer = api_for(cast["member"]).patch(path, {"name": ""})
    assert answer.status_code == 200
    assert (answer.json()["name"], answer.json()["chosen_name"]) == ("Ravi & Zoë", "")
    # The programme's manager reads the relationship but does not name it.
    pair.programme.managers.add(cast["manager"])
    refused = api_for(cast["manager"]).patch(path, {"name": "Managers' pick"})
    assert refused.status_code == 403
    assert client_for(cast["manager"]).post(url, {"name": "x"}).status_code == 404


@pytest.mark.django_db
def test_names_follow_members_who_join_and_leave_unless_chosen(cast: Any, org_a: Any) -> None:
    admin = cast["admin"]
    people = _people(org_a, 5, prefix="circle")
    for person, first in zip(people, ("Meera", "Tara", "Vamsi", "Ben", "Irfan"), strict=True):
        person.name = f"{first} {person.name}"
        person.level = "L2"
        person.save()
    programme, enrolments = _programme(org_a, admin, "peer_circles", people)
    (circle,) = match_run_publish(run=draft_run(programme, admin), actor=admin)
    assert circle.name == "Circle: Ben, Irfan +3"
    late = Person.objects.create(organisation=org_a, name="Aarav Late", email="late@acme.test")
    [joiner] = enrolment_add(programme=programme, actor=admin, people=[late])
    relationship_add_late_joiner(relationship=circle, enrolment=joiner, actor=admin)
    circle.refresh_from_db()
    assert circle.name == "Circle: Aarav, Ben +4"
    enrolment_withdraw(enrolment=joiner, actor=admin, reason="moved team")
    circle.refresh_from_db()
    assert circle.name == "Circle: Ben, Irfan +3"
    member = circle.members.get(person=people[0])
    relationship_rename(relationship=circle, member=member, actor=admin, name="Thursday circle")
    ben = next(e for e in enrolments if e.person_id == people[3].pk)
    enrolment_withdraw(enrolment=ben, actor=admin, reason="left")
    circle.refresh_from_db()
    assert circle.name == "Thursday circle"


@pytest.mark.django_db
def test_the_migration_names_existing_relationships_after_their_members(
    cast: Any, pair: Relationship
) -> None:
    from importlib import import_module

    migration = import_module("alongside.relationships.migrations.0002_chosen_name")
    Relationship.objects.filter(pk=pair.pk).update(name="Pair 1")
    migration.name_after_members(apps, None)
    pair.refresh_from_db()
    assert pair.name == "Ravi & Zoë"


@pytest.mark.django_db
def test_calendar_invitations_carry_the_members_names(
    cast: Any, pair: Relationship, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail

    from alongside.scheduling.models import Schedule
    from alongside.scheduling.services import schedule_accept

    schedule = Schedule.objects.get(relationship=pair)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for member in pair.members.select_related("person__user"):
            schedule = schedule_accept(
                schedule=schedule, member=member, actor=member.person.user or cast["admin"]
            )
    invitations = [m for m in mail.outbox if m.subject.startswith("Invitation: ")]
    assert invitations
    assert all(m.subject.startswith("Invitation: Ravi & Zoë: meeting ") for m in invitations)
    assert all("Pair" not in m.subject for m in invitations)
