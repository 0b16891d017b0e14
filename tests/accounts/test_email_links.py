"""Every email the product sends a person carries a link that works for someone who has
never set a password: it signs them in and opens the page the email is about, and when
it has expired it offers a fresh one.

Each email is built for a participant of a running programme who is in the directory
but has no account at all, then followed in a fresh browser as they would."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.utils import timezone

from alongside.accounts.models import User
from alongside.health.models import Intervention
from alongside.health.services import intervention_email
from alongside.matches.services.publishing import matched_email
from alongside.nudges.models import NudgeDelivery
from alongside.nudges.sending import delivery_email
from alongside.organisations.models import Membership, Organisation
from alongside.people.invitations import invitation_create, invitation_email, invitation_link
from alongside.programmes.emails import intake_reminder_email, welcome_email
from alongside.relationships.models import RelationshipMember
from alongside.scheduling.invite_services import meeting_invitation_email
from alongside.surveys.models import Survey
from tests.links import sign_in_paths
from tests.nudges.helpers import NOW, build_world, meeting


@pytest.fixture
def world(org_a: Organisation, manager: User) -> Any:
    built = build_world(org_a, manager, pairs=1)
    built.reader = RelationshipMember.objects.select_related("person").get(person=built.people[0])
    return built


def nudge(world: Any, key: str, link: str) -> EmailMultiAlternatives:
    person = world.people[0]
    delivery = NudgeDelivery(
        organisation=world.programme.organisation,
        programme=world.programme,
        nudge_key=key,
        event_key="test",
        email=person.email,
        recipient_name=person.name,
        person=person,
        timezone="Asia/Kolkata",
        subject="Something needs you",
        message="Something needs you.",
        event_at=NOW,
        action_label="Open it",
        link=link,
    )
    return delivery_email(delivery)


def intake_reminder(world: Any) -> tuple[EmailMultiAlternatives, str]:
    programme = world.programme
    return (
        intake_reminder_email(person=world.people[0], programme=programme),
        f"/o/acme/programmes/{programme.pk}/intake/",
    )


def match_published(world: Any) -> tuple[EmailMultiAlternatives, str]:
    relationship = world.pairs[0]
    email = matched_email(
        member=world.reader,
        others=[world.people[1]],
        programme=world.programme,
        relationship=relationship,
    )
    return email, f"/o/acme/mentoring/r/{relationship.pk}/"


def meeting_invitation(world: Any) -> tuple[EmailMultiAlternatives, str]:
    upcoming = meeting(world.pairs[0], NOW + timedelta(days=3))
    members = list(world.pairs[0].members.select_related("person"))
    email = meeting_invitation_email(
        meeting=upcoming, member=world.reader, members=members, summary="Pair 1", ics=b"ICS"
    )
    return email, f"/o/acme/mentoring/meetings/{upcoming.pk}/"


def meeting_nudge(world: Any) -> tuple[EmailMultiAlternatives, str]:
    upcoming = meeting(world.pairs[0], NOW + timedelta(days=1))
    path = f"/o/acme/mentoring/meetings/{upcoming.pk}/"
    return nudge(world, "meeting_tomorrow", path), path


def survey_nudge(world: Any) -> tuple[EmailMultiAlternatives, str]:
    survey = Survey.objects.create(programme=world.programme, kind="start", status="open")
    path = f"/o/acme/surveys/{survey.pk}/"
    return nudge(world, "survey_open", path), path


def intervention(world: Any) -> tuple[EmailMultiAlternatives, str]:
    relationship = world.pairs[0]
    made = Intervention(relationship=relationship, kind="note", message="How is it going?")
    email = intervention_email(member=world.reader, relationship=relationship, intervention=made)
    return email, f"/o/acme/mentoring/r/{relationship.pk}/"


def welcome(world: Any) -> tuple[EmailMultiAlternatives, str]:
    # The welcome for someone whose account exists but never set a password.
    person = world.people[0]
    User.objects.create_user(person.email, password=None)
    email = welcome_email(
        person=person, programme=world.programme, inviter="Priya", invitation_link=None
    )
    return email, f"/o/acme/programmes/{world.programme.pk}/intake/"


EMAILS: dict[str, Callable[[Any], tuple[EmailMultiAlternatives, str]]] = {
    "intake reminder": intake_reminder,
    "match published": match_published,
    "meeting invitation": meeting_invitation,
    "meeting nudge": meeting_nudge,
    "survey nudge": survey_nudge,
    "intervention": intervention,
    "programme welcome": welcome,
}


@pytest.mark.parametrize("kind", sorted(EMAILS))
def test_the_link_signs_in_someone_without_a_password_and_opens_the_page(
    kind: str, world: Any
) -> None:
    email, page = EMAILS[kind](world)
    paths = sign_in_paths(email.body)
    assert paths, f"{kind}: no sign-in link in the text part"
    html = email.alternatives[0][0]  # type: ignore[attr-defined]
    assert paths[0] in str(html), f"{kind}: the HTML part links elsewhere"
    browser = Client()
    confirm = browser.get(paths[0])
    assert confirm.status_code == 200
    assert world.people[0].email in confirm.content.decode()
    landed = browser.post(paths[0])
    assert landed.status_code == 302
    assert landed["Location"] == page
    assert browser.get(page).status_code == 200, f"{kind}: the page did not open"
    user = User.objects.get(email=world.people[0].email)
    assert not user.has_usable_password()
    assert Membership.objects.filter(user=user, organisation=world.programme.organisation).exists()


def test_an_invitation_lets_someone_in_without_choosing_a_password(world: Any) -> None:
    person = world.people[0]
    _invitation, secret = invitation_create(person=person, actor=None)
    path_of_page = f"/o/acme/programmes/{world.programme.pk}/intake/"
    email = invitation_email(
        person=person, inviter=None, link=invitation_link(secret, path_of_page)
    )
    found = re.search(r"https?://[^/\s]+(/accounts/invitation/\S+)", email.body)
    assert found is not None
    browser = Client()
    assert browser.get(found.group(1)).status_code == 200
    joined = browser.post(found.group(1), {"password": "", "password_again": ""})
    assert joined["Location"] == path_of_page
    assert browser.get(path_of_page).status_code == 200


def test_an_expired_email_link_offers_a_fresh_one_to_the_same_page(
    world: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    email, page = intake_reminder(world)
    path = sign_in_paths(email.body)[0]
    browser = Client()
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        stale = browser.get(path)
        assert stale.status_code == 410
        assert "Email me a fresh link" in stale.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            browser.post(path + "fresh/")
        assert [m.to for m in mail.outbox] == [[world.people[0].email]]
        fresh = sign_in_paths(mail.outbox[0].body)[0]
        # Asked for in this browser: it signs in at once and opens the same page.
        assert browser.get(fresh)["Location"] == page
        assert browser.get(page).status_code == 200
