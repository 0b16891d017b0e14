"""Two peers hold their first meeting, write notes, commit to actions, and see the
check-in at the second."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from alongside.accounts.models import User
from alongside.meetings.models import Commitment, Meeting, Note
from alongside.organisations.models import Membership, Organisation, Role
from alongside.people.models import Person
from alongside.programmes.models import Enrolment, Intake, Programme
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.scheduling.models import Schedule
from alongside.scheduling.services import schedule_accept, schedules_propose

PASSWORD = "a long enough passphrase"


def _sign_in(page: Any, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/o/acme/"))


def _peer(org: Organisation, name: str, zone: str) -> Person:
    email = name.lower().replace(" ", ".") + "@acme.example.com"
    user = User.objects.create_user(email, PASSWORD, full_name=name)
    Membership.objects.create(user=user, organisation=org, role=Role.MEMBER)
    person = Person.objects.create(
        organisation=org, user=user, name=name, email=email, timezone=zone
    )
    return person


def _pair_with_confirmed_schedule() -> tuple[Relationship, dict[str, RelationshipMember]]:
    """Built three weeks ago, so that the first two weekly meetings are behind us."""
    org = Organisation.objects.create(name="Acme", slug="acme")
    programme = Programme.objects.create(
        organisation=org,
        name="Peer Pairs 2026",
        format="peer_pairs",
        stage="running",
        start_date=date.today() - timedelta(days=60),
        end_date=date.today() + timedelta(days=120),
        rhythm="weekly",
        session_minutes=45,
    )
    relationship = Relationship.objects.create(
        organisation=org, programme=programme, kind="pair", name="Anita & Ben"
    )
    members: dict[str, RelationshipMember] = {}
    for name, zone in (("Anita Rao", "Asia/Kolkata"), ("Ben Carter", "Europe/London")):
        person = _peer(org, name, zone)
        enrolment = Enrolment.objects.create(
            programme=programme, person=person, role="peer", source="directory"
        )
        Intake.objects.create(
            enrolment=enrolment, timezone=zone, availability="Mon-Fri 09:00-17:00"
        )
        members[name] = RelationshipMember.objects.create(
            relationship=relationship, enrolment=enrolment, person=person, role="peer"
        )
    (schedule,) = schedules_propose(relationships=[relationship])
    for member in members.values():
        schedule = schedule_accept(schedule=schedule, member=member, actor=member.person.user)
    assert schedule.status == Schedule.Status.CONFIRMED
    return relationship, members


@pytest.mark.django_db(transaction=True)
def test_two_peers_meet_write_notes_commit_and_check_in(page: Any) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=21), tick=True):
        relationship, members = _pair_with_confirmed_schedule()
    first, second = Meeting.objects.filter(relationship=relationship).order_by("number")[:2]
    assert first.starts_at < second.starts_at < timezone.now()
    anita, ben = members["Anita Rao"], members["Ben Carter"]

    # Anita opens My mentoring → the relationship → the first meeting and its guide.
    _sign_in(page, "anita.rao@acme.example.com")
    page.goto("/o/acme/mentoring/")
    page.click("a:has-text('Anita & Ben')")
    page.wait_for_url(f"**/mentoring/r/{relationship.pk}/")
    page.click(f"a[href$='/meetings/{first.pk}/']:has-text('Meeting 1')")
    page.wait_for_url(f"**/meetings/{first.pk}/")
    assert "Guide: Getting to know each other" in page.inner_text("#guide-heading")
    assert "Asia/Kolkata" in page.inner_text("main")

    # She records that it was held.
    with page.expect_response(re.compile(r"/outcome/")):
        page.click(f"#meeting-actions-{first.pk} button:has-text('Save')")
    page.wait_for_selector(f"#meeting-actions-{first.pk} .badge-ok")
    first.refresh_from_db()
    assert first.status == Meeting.Status.HELD

    # A shared note and a private one.
    page.fill("#notes textarea[name=body]", "We agreed to meet on Tuesdays and swap agendas.")
    page.check("#notes input[name=visibility][value=shared]")
    with page.expect_response(re.compile(r"/notes/$")):
        page.click("#notes button:has-text('Add note')")
    page.wait_for_selector("#notes li.note-shared")
    page.fill("#notes textarea[name=body]", "Ben seems nervous about his new team; go gently.")
    page.check("#notes input[name=visibility][value=private]")
    with page.expect_response(re.compile(r"/notes/$")):
        page.click("#notes button:has-text('Add note')")
    page.wait_for_selector("#notes li.note-private")
    assert Note.objects.filter(meeting=first, author=anita).count() == 2

    # One action with a due date.
    due = (first.starts_at + timedelta(days=5)).date()
    page.fill("#commit input[name=text]", "Block two focus hours every morning")
    page.fill("#commit input[name=due_date]", due.isoformat())
    with page.expect_navigation():
        page.click("#commit button:has-text('Commit')")
    assert "Your commitment is recorded" in page.inner_text("body")
    assert "Block two focus hours every morning" in page.inner_text("#commit")
    assert Commitment.objects.get(member=anita).due_date == due

    # Ben sees the shared note, not the private one, and commits too.
    _sign_in(page, "ben.carter@acme.example.com")
    page.goto(f"/o/acme/mentoring/meetings/{first.pk}/")
    notes = page.inner_text("#notes")
    assert "swap agendas" in notes
    assert "go gently" not in notes
    assert "Europe/London" in page.inner_text("main")
    page.fill("#commit input[name=text]", "Ask my manager for feedback on the roadmap talk")
    with page.expect_navigation():
        page.click("#commit button:has-text('Commit')")
    assert "Ask my manager for feedback" in page.inner_text("#commit")

    # At the second meeting, Ben sees both commitments and checks in on his.
    page.goto(f"/o/acme/mentoring/meetings/{second.pk}/")
    check_in = page.inner_text("#check-in")
    assert "Block two focus hours every morning" in check_in
    assert "Ask my manager for feedback" in check_in
    assert page.locator("#check-in form").count() == 1  # only his own
    page.check("#check-in input[name=status][value=partly]")
    page.fill("#check-in input[name=note]", "Asked, but the meeting got moved")
    with page.expect_response(re.compile(r"/check-in/")):
        page.click("#check-in button:has-text('Check in')")
    page.wait_for_selector("#check-in .message.success")
    assert "Asked, but the meeting got moved" in page.inner_text("#check-in")
    page.goto(f"/o/acme/mentoring/r/{relationship.pk}/")
    commitments = page.inner_text("section[aria-labelledby=commitments-heading]")
    assert "50%" in commitments
    assert "Partly" in commitments

    # Anita checks in on hers: done.
    _sign_in(page, "anita.rao@acme.example.com")
    page.goto(f"/o/acme/mentoring/meetings/{second.pk}/")
    assert page.locator("#check-in form").count() == 1
    assert "Partly" in page.inner_text("#check-in")
    page.check("#check-in input[name=status][value=done]")
    page.fill("#check-in input[name=note]", "Every day but Friday")
    with page.expect_response(re.compile(r"/check-in/")):
        page.click("#check-in button:has-text('Check in')")
    page.wait_for_selector("#check-in .message.success")
    assert page.locator("#check-in form").count() == 0
    page.goto(f"/o/acme/mentoring/r/{relationship.pk}/")
    commitments = page.inner_text("section[aria-labelledby=commitments-heading]")
    assert "100%" in commitments
    assert "Every day but Friday" in commitments
    assert "Ask my manager" not in commitments  # her history is hers

    statuses = dict(Commitment.objects.values_list("member__person__name", "status"))
    assert statuses == {"Anita Rao": "done", "Ben Carter": "partly"}
    assert Commitment.objects.get(member=ben).reviewed_at_meeting_id == second.pk
    assert page.console_errors == []
