"""The demo's three programmes: every stage, sound matches, and the same data on a re-run."""

from __future__ import annotations

from collections import Counter
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from alongside.demo.choice import FLASH_NAME, SELF_MATCH_NAME
from alongside.demo.programmes import BUDDIES_NAME, CIRCLES_NAME, HIPO_NAME, MEMBER_EMAIL
from alongside.demo.surveys import PAIRS_NAME
from alongside.matches.models import MatchRun
from alongside.meetings.models import Commitment, Meeting, Note
from alongside.organisations.models import Organisation
from alongside.people.models import Person
from alongside.people.reporting_line import chain_up
from alongside.programmes.models import Enrolment, Intake, Programme
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.surveys.models import Pulse


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def counts() -> dict[str, int]:
    return {
        "programmes": Programme.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "intakes": Intake.objects.count(),
        "completed_intakes": Intake.objects.filter(completed_at__isnull=False).count(),
        "runs": MatchRun.objects.count(),
        "relationships": Relationship.objects.count(),
        "members": RelationshipMember.objects.count(),
        "meetings": Meeting.objects.count(),
        "notes": Note.objects.count(),
        "commitments": Commitment.objects.count(),
        "pulses": Pulse.objects.count(),
    }


def test_the_demo_programmes_are_sound_and_a_second_run_adds_nothing(db: None) -> None:
    # One test, as the demo takes a few seconds to build: run it twice, check it all.
    call_command("demo", "--quiet")
    first = counts()
    out = StringIO()
    call_command("demo", stdout=out)
    assert counts() == first
    # The three below, the closed peer pairs (surveys) and the two where people choose.
    assert first["programmes"] == 6
    assert first["meetings"] > 100
    assert CIRCLES_NAME in out.getvalue()
    kestrel = Organisation.objects.get(slug="kestrel")
    check_stages(kestrel)
    check_circles(kestrel)
    check_mentoring(kestrel)
    check_reporting_lines(kestrel)
    check_member(kestrel)
    check_buddies(kestrel)
    check_choice(kestrel)


def check_stages(kestrel: Organisation) -> None:
    stages = dict(Programme.objects.filter(organisation=kestrel).values_list("name", "stage"))
    assert stages == {
        CIRCLES_NAME: "running",
        HIPO_NAME: "running",
        BUDDIES_NAME: "enrolling",
        PAIRS_NAME: "closed",
        SELF_MATCH_NAME: "running",
        FLASH_NAME: "running",
    }
    for programme in Programme.objects.filter(organisation=kestrel):
        emails = set(programme.managers.values_list("email", flat=True))
        assert "meera.krishnan@kestrel.example" in emails
    circles = Programme.objects.get(organisation=kestrel, name=CIRCLES_NAME)
    assert "first 12 months" in circles.purpose
    assert 80 <= (date.today() - circles.start_date).days <= 100  # started ~3 months ago


def _members(relationship: Relationship) -> list[RelationshipMember]:
    return list(relationship.members.filter(is_active=True).select_related("person"))


def check_circles(kestrel: Organisation) -> None:
    programme = Programme.objects.get(organisation=kestrel, name=CIRCLES_NAME)
    enrolled = set(programme.enrolments.values_list("person_id", flat=True))
    assert 30 <= len(enrolled) <= 36
    placed: list[int] = []
    for relationship in programme.relationships.all():
        members = _members(relationship)
        assert 4 <= len(members) <= 8
        assert relationship.reasons_participant
        placed += [m.person_id for m in members]
    assert sorted(placed) == sorted(enrolled)
    people = Person.objects.filter(pk__in=enrolled)
    # First-time managers: team managers with people reporting to them.
    assert {p.level for p in people} <= {"L3 Lead", "L4 Manager"}
    assert all(Person.objects.filter(manager=p).exists() for p in people)
    for intake in Intake.objects.filter(enrolment__programme=programme):
        assert intake.is_complete
        assert intake.wants
        assert intake.offers
        assert intake.goals
        assert intake.availability
        assert set(intake.wants) | set(intake.offers) <= set(programme.topics)


def check_mentoring(kestrel: Organisation) -> None:
    programme = Programme.objects.get(organisation=kestrel, name=HIPO_NAME)
    mentors = programme.enrolments.filter(role="mentor")
    mentees = programme.enrolments.filter(role="mentee")
    assert 6 <= mentors.count() <= 10
    assert 10 <= mentees.count() <= 14
    assert all(m.capacity in (1, 2) for m in mentors)
    assert {m.person.level[:2] for m in mentors} <= {"L5", "L6"}
    load = Counter(
        RelationshipMember.objects.filter(
            relationship__programme=programme, role="mentor", is_active=True
        ).values_list("enrolment_id", flat=True)
    )
    for mentor in mentors:
        assert load[mentor.pk] <= mentor.capacity
    for relationship in programme.relationships.all():
        assert sorted(m.role for m in _members(relationship)) == ["mentee", "mentor"]


def check_reporting_lines(kestrel: Organisation) -> None:
    managers = dict(Person.objects.filter(organisation=kestrel).values_list("pk", "manager_id"))
    relationships = Relationship.objects.filter(organisation=kestrel)
    assert relationships.count() > 10
    for relationship in relationships:
        ids = [m.person_id for m in _members(relationship)]
        for person in ids:
            line = set(chain_up(person, managers))
            assert not line & set(ids), relationship.name


def check_member(kestrel: Organisation) -> None:
    member = Person.objects.get(organisation=kestrel, email=MEMBER_EMAIL)
    memberships = RelationshipMember.objects.filter(
        person=member,
        is_active=True,
        relationship__status="active",
        relationship__programme__stage="running",
    )
    assert memberships.exists()
    assert all(m.relationship.reasons_participant for m in memberships)


def check_buddies(kestrel: Organisation) -> None:
    programme = Programme.objects.get(organisation=kestrel, name=BUDDIES_NAME)
    assert programme.self_enrol_open
    assert not programme.relationships.exists()
    intakes = Intake.objects.filter(enrolment__programme=programme)
    done = intakes.filter(completed_at__isnull=False).count()
    assert 0 < done < intakes.count()
    joiners = Person.objects.filter(enrolments__programme=programme).order_by("-start_date")
    recent = [
        p for p in joiners if p.start_date and (programme.start_date - p.start_date).days < 200
    ]
    assert len(recent) >= 15
    assert len(recent) < joiners.count()  # and some volunteer buddies


def check_choice(kestrel: Organisation) -> None:
    """A self-match programme mid-way (matched, waiting, declined; the member still to
    choose), a flash programme with a round met and answered and the next one planned,
    and the closed peer pairs with enough relationships for the learning report."""
    from alongside.flash.models import FlashPulse, FlashRound
    from alongside.learning.selectors import learning_report
    from alongside.matching.learning import Verdict
    from alongside.selfmatch.models import MatchRequest
    from alongside.selfmatch.selectors import choice_settings, suggestions_for

    self_match = Programme.objects.get(organisation=kestrel, name=SELF_MATCH_NAME)
    assert choice_settings(self_match).mode == "two_sided"
    statuses = sorted(
        MatchRequest.objects.filter(programme=self_match).values_list("status", flat=True)
    )
    assert statuses == ["accepted"] * 4 + ["declined"] + ["pending"] * 2
    assert self_match.relationships.count() == 4
    member = Enrolment.objects.get(programme=self_match, person__email=MEMBER_EMAIL)
    assert member.role == "mentee"
    assert suggestions_for(enrolment=member)
    flash = Programme.objects.get(organisation=kestrel, name=FLASH_NAME)
    rounds = list(FlashRound.objects.filter(programme=flash).order_by("number"))
    assert [(r.number, r.status) for r in rounds] == [(1, "paired"), (2, "planned")]
    assert FlashPulse.objects.filter(group__round=rounds[0]).exists()
    pairs = Programme.objects.get(organisation=kestrel, name=PAIRS_NAME)
    report = learning_report(programme=pairs)
    assert report.observations >= 20
    assert all(row.effect.verdict != Verdict.TOO_FEW for row in report.rows)
