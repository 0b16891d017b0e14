"""The programme manager's journey: a circles programme from its template to published
circles, then a participant sees their circle and why."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from alongside.accounts.models import User
from alongside.organisations.models import Membership, Organisation, Role
from alongside.people.models import Person
from alongside.programmes.models import Programme
from alongside.programmes.services import intake_save
from alongside.relationships.models import RelationshipMember

PASSWORD = "a long enough passphrase"
DEPARTMENTS = ["Finance", "Engineering", "Sales", "Operations", "People & HR"]
CITIES = ["Bengaluru", "Pune", "Hyderabad"]


def _sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/o/acme/"))


@pytest.mark.django_db(transaction=True)
def test_manager_matches_circles_and_a_participant_sees_why(page):
    org = Organisation.objects.create(name="Acme India", slug="acme")
    manager = User.objects.create_user("pm@acme.example.com", PASSWORD, full_name="Priya PM")
    Membership.objects.create(user=manager, organisation=org, role=Role.PROGRAMME_MANAGER)
    for i in range(30):
        person = Person.objects.create(
            organisation=org,
            name=f"Manager {i:02d}",
            email=f"manager{i:02d}@acme.example.com",
            department=DEPARTMENTS[i % 5],
            location=CITIES[i % 3],
            level="L3",
            job_title="Team Lead",
            timezone="Asia/Kolkata",
            languages=["English", "Hindi"],
            start_date="2025-06-01",
        )
        if i == 0:
            participant = User.objects.create_user(person.email, PASSWORD, full_name=person.name)
            Membership.objects.create(user=participant, organisation=org, role=Role.MEMBER)
            person.user = participant
            person.save()

    # The manager creates a peer-circles programme from its template.
    _sign_in(page, "pm@acme.example.com")
    page.goto("/o/acme/programmes/new/")
    page.check("input[name=format][value=peer_circles]")
    page.fill("input[name=name]", "New Managers Circles")
    page.click("button:has-text('Create the draft')")
    page.wait_for_url(re.compile(r"/o/acme/programmes/\d+/$"))
    programme = Programme.objects.get(name="New Managers Circles")
    assert programme.format == "peer_circles"
    assert programme.stage == "draft"

    # Open enrolment, then enrol the 30 from the directory.
    with page.expect_navigation():
        page.click("form:has(input[name=to][value=enrolling]) button")
    page.goto(f"/o/acme/programmes/{programme.pk}/people/")
    page.wait_for_selector("button[name=scope][value=all]:has-text('Enrol all 30')")
    with page.expect_navigation():
        page.click("button[name=scope][value=all]")
    assert programme.enrolments.count() == 30

    # Participants fill their intakes (in their own sessions; done here directly).
    topics = programme.topics
    for n, enrolment in enumerate(programme.enrolments.order_by("pk")):
        intake_save(
            enrolment=enrolment,
            actor=None,
            wants=[topics[n % 6]],
            offers=[topics[(n + 3) % 6]],
            availability="Mon-Fri 10:00-17:00",
        )

    page.goto(f"/o/acme/programmes/{programme.pk}/")
    with page.expect_navigation():
        page.click("form:has(input[name=to][value=matching]) button")

    # Run matching and review the draft.
    page.goto(f"/o/acme/programmes/{programme.pk}/matching/")
    page.click("button:has-text('Run matching for 30 people')")
    page.wait_for_url(re.compile(r"/matching/\d+/$"))
    page.wait_for_selector("article.match-group")
    circles = page.locator("article.match-group")
    count = circles.count()
    assert 4 <= count <= 7
    quality = page.get_by_role("heading", name=re.compile("best possible"))
    expect(quality).to_be_visible()
    folder = os.environ.get("ALONGSIDE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for label, width in (("desktop", 1366), ("phone", 390)):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(
                path=f"{folder}/match-review-{label}.png", full_page=True, caret="initial"
            )
        page.set_viewport_size({"width": 1366, "height": 900})

    # Move one person from the largest circle to the smallest, via htmx.
    run = programme.match_runs.get()
    groups = sorted(run.groups.all(), key=lambda g: g.members.count())
    smallest, largest = groups[0], groups[-1]
    mover = largest.members.select_related("enrolment__person").first().enrolment
    if largest.members.count() > 4 and smallest.members.count() < 8:
        # The picker looks people up as the manager types (no list of everyone).
        with page.expect_response(re.compile(r"/matching/people/")):
            page.fill("#move-who-find", mover.person.name)
        page.wait_for_selector(f"#move-who option[value='{mover.pk}']", state="attached")
        page.select_option("#move-who", str(mover.pk))
        page.fill("#move-to", str(smallest.number))
        with page.expect_response(re.compile(r"/move/$")):
            page.click("form[hx-post$='/move/'] button")
        page.wait_for_timeout(300)
        target_card = page.locator(f"#group-{smallest.number}")
        assert mover.person.name in target_card.inner_text()
        assert smallest.members.filter(enrolment=mover).exists()

    # Publish.
    with page.expect_navigation():
        page.click("button:has-text('Publish')")
    programme.refresh_from_db()
    assert programme.stage == "running"
    assert RelationshipMember.objects.filter(relationship__programme=programme).count() == 30
    assert page.console_errors == []

    # A participant signs in and sees their circle and why.
    page.context.clear_cookies()
    _sign_in(page, "manager00@acme.example.com")
    page.goto("/o/acme/mentoring/")
    body = page.inner_text("main")
    assert "New Managers Circles" in body
    assert "Why you were matched" in body
    membership = RelationshipMember.objects.get(person__email="manager00@acme.example.com")
    others = membership.relationship.members.exclude(pk=membership.pk)
    for other in others:
        assert other.person.name in body
