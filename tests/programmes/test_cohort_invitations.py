"""Bringing a cohort in at once: the welcome is the invitation, each person's account
state shows, and everyone not yet signed in can be invited in one step."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from alongside.accounts.models import User
from alongside.audit.models import AuditEvent
from alongside.organisations.models import Membership, Organisation
from alongside.people.account_state import INVITED, NO_ACCOUNT, SIGNED_IN
from alongside.people.models import Invitation, Person
from alongside.programmes.models import Programme
from alongside.programmes.selectors import enrolments_for
from alongside.programmes.services import enrolment_add, self_enrol, self_enrol_set_open
from tests.links import link_targets
from tests.programmes.conftest import person_of


@pytest.fixture(autouse=True)
def _locmem(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def invitation_path(body: str) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/invitation/[^\s]+)", body)
    assert found is not None, body
    return found.group(1)


def states(programme: Programme) -> dict[str, str]:
    return {e.person.email: e.account_state for e in enrolments_for(programme=programme)}


def test_enrolling_people_without_accounts_invites_them_with_the_welcome(
    circles: Programme,
    manager: User,
    member: User,
    directory: dict[str, Person],
    django_capture_on_commit_callbacks: Any,
    client_for: Any,
) -> None:
    client_for(member)  # Ravi signs in once (force_login records it)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_add(
            programme=circles,
            actor=manager,
            people=[directory["anil"], directory["bela"], person_of(member)],
        )
    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["anil@acme.test", "bela@acme.test", "ravi.member@acme.test"]
    welcome = by_address["anil@acme.test"]
    assert welcome.subject == "Welcome to New managers"
    assert "Priya Programme has enrolled you in New managers" in welcome.body
    assert "no password is needed" in welcome.body
    # Ravi has an account: his welcome signs him in and opens his intake.
    intake = f"/o/acme/programmes/{circles.pk}/intake/"
    assert link_targets(by_address["ravi.member@acme.test"].body) == [intake]
    assert states(circles) == {
        "anil@acme.test": INVITED,
        "bela@acme.test": INVITED,
        "ravi.member@acme.test": SIGNED_IN,
    }
    # Anil opens his invitation, joins without choosing a password, lands on his intake.
    anil = Client()
    path = invitation_path(welcome.body)
    assert anil.get(path).status_code == 200
    joined = anil.post(path, {"password": "", "password_again": ""})
    assert joined.status_code == 302
    assert joined["Location"] == intake
    assert anil.get(intake).status_code == 200
    user = User.objects.get(email="anil@acme.test")
    assert not user.has_usable_password()
    assert Membership.objects.filter(user=user, organisation=circles.organisation).exists()
    assert states(circles)["anil@acme.test"] == SIGNED_IN
    event = AuditEvent.objects.get(action="programme.welcomed")
    assert event.data == {"count": 3, "invitations": 2}


def test_self_enrolment_sends_no_welcome(
    circles: Programme, manager: User, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    self_enrol_set_open(programme=circles, actor=manager, open=True)
    with django_capture_on_commit_callbacks(execute=True):
        self_enrol(programme=circles, person=person_of(member))
    assert mail.outbox == []


def test_invite_everyone_not_yet_signed_in_from_the_enrolment_page(
    circles: Programme,
    manager: User,
    member: User,
    directory: dict[str, Person],
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client_for(member)
    enrolment_add(
        programme=circles,
        actor=manager,
        people=[directory["chen"], directory["divya"], person_of(member)],
        welcome=False,
    )
    assert states(circles)["chen@acme.test"] == NO_ACCOUNT
    page = client_for(manager).get(f"/o/acme/programmes/{circles.pk}/people/")
    body = page.content.decode()
    assert "Invite everyone not yet signed in (2)" in body
    assert "No account" in body
    assert "Signed in" in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(manager).post(f"/o/acme/programmes/{circles.pk}/people/invite/")
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["chen@acme.test", "divya@acme.test"]
    assert Invitation.objects.filter(person=directory["chen"], revoked_at__isnull=True).count() == 1
    assert states(circles)["chen@acme.test"] == INVITED
    # Asking again re-invites the same two with fresh invitations; the old ones stop working.
    old = invitation_path(mail.outbox[0].body)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(manager).post(f"/o/acme/programmes/{circles.pk}/people/invite/")
    assert len(mail.outbox) == 2
    assert Client().get(old).status_code == 404


def test_invite_everyone_not_yet_signed_in_through_the_api(
    circles: Programme,
    manager: User,
    directory: dict[str, Person],
    api_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    enrolment_add(programme=circles, actor=manager, people=[directory["emma"]], welcome=False)
    api = api_for(manager)
    listed = api.get(f"/api/v1/organisations/acme/programmes/{circles.pk}/enrolments").json()[
        "items"
    ]
    assert [e["account_state"] for e in listed] == ["no_account"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/organisations/acme/programmes/{circles.pk}/invitations")
    assert response.status_code == 200
    assert response.json() == {"queued": 1}
    assert [m.to for m in mail.outbox] == [["emma@acme.test"]]
    listed = api.get(f"/api/v1/organisations/acme/programmes/{circles.pk}/enrolments").json()[
        "items"
    ]
    assert [e["account_state"] for e in listed] == ["invited"]


def test_the_directory_filters_by_programme_and_invites_that_cohort(
    circles: Programme,
    org_a: Organisation,
    manager: User,
    admin: User,
    member: User,
    directory: dict[str, Person],
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    enrolment_add(
        programme=circles,
        actor=manager,
        people=[directory["anil"], directory["farid"]],
        welcome=False,
    )
    page = client_for(admin).get("/o/acme/people/", {"programme": circles.pk})
    body = page.content.decode()
    assert "Anil Kumar" in body
    assert "Farid Khan" in body
    assert "Bela Shah" not in body
    assert "Invite the 2 who have not signed in" in body
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin).post("/o/acme/people/invite/", {"programme": circles.pk})
    assert sorted(m.to[0] for m in mail.outbox) == ["anil@acme.test", "farid@acme.test"]
    # A plain member is not offered the filter: a programme's cohort is its managers' business.
    assert 'name="programme"' not in client_for(member).get("/o/acme/people/").content.decode()
    assert 'name="programme"' in client_for(manager).get("/o/acme/people/").content.decode()


def test_the_directory_bulk_invite_api_filters_by_programme(
    circles: Programme,
    manager: User,
    member: User,
    directory: dict[str, Person],
    api_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    enrolment_add(programme=circles, actor=manager, people=[directory["chen"]], welcome=False)
    api = api_for(manager)
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(
            "/api/v1/organisations/acme/people/invitations",
            {"filters": {"programme": str(circles.pk)}},
        )
    assert answer.status_code == 202
    assert answer.json() == {"queued": 1}
    assert [m.to for m in mail.outbox] == [["chen@acme.test"]]
    refused = api.post(
        "/api/v1/organisations/acme/people/invitations", {"filters": {"programme": "999999"}}
    )
    assert refused.status_code == 400
    assert refused.json()["problems"][0]["field"] == "filters.programme"
    unknown = api.post("/api/v1/organisations/acme/people/invitations", {"filters": {"team": "x"}})
    assert unknown.json()["problems"][0]["message"].startswith("'team' is not a directory filter")
