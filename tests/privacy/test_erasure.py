"""Erasing a person leaves nothing of them anywhere in the database, while the
programme's totals and the other people's records stay right; erasing an organisation
leaves nothing of it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.db.models import Avg

from alongside.accounts.models import ApiToken, User
from alongside.audit.models import AuditEvent
from alongside.audit.services import log_action
from alongside.matches.models import MatchGroup
from alongside.meetings.models import Attendance, ClosingChoice, Commitment, DevelopmentGoal, Note
from alongside.nudges.models import NudgeDelivery
from alongside.organisations.models import Membership, Organisation, Role
from alongside.people.models import Invitation, Person, PersonImport
from alongside.privacy.models import DataRequest
from alongside.programmes.models import Enrolment, Intake
from alongside.relationships.models import RelationshipMember, RematchRequest
from alongside.scheduling.models import CalendarFeed
from alongside.scim.models import ScimUser
from alongside.surveys.models import Answer, Pulse, Question, Response
from tests.test_access import Tenant, make_tenant_objects
from tests.traces import traces

EMAIL, NAME, EMPLOYEE_ID = "ravi.member@acme.test", "Ravi Member", "E-RAVI-1"


@pytest.fixture
def tenant(cast: dict[str, User], org_a: Organisation) -> Tenant:
    return make_tenant_objects(org_a, cast["admin"])


@pytest.fixture
def ravi(cast: dict[str, User], tenant: Tenant, client_for: Any) -> Person:
    """Ravi, a participant with something in every corner of the product."""
    person = Person.objects.get(user=cast["member"])
    person.employee_id, person.job_title, person.offers = EMPLOYEE_ID, "Engineer", "Python"
    person.save()
    user = cast["member"]
    enrolment = Enrolment.objects.get(person=person)
    member = RelationshipMember.objects.get(person=person)
    Intake.objects.filter(enrolment=enrolment).update(goals="Learn to negotiate", wants_other="x")
    Note.objects.create(meeting=tenant.meeting, author=member, visibility="private", body="worry")
    DevelopmentGoal.objects.create(relationship=tenant.relationship, member=member, text="Speak up")
    ClosingChoice.objects.create(
        relationship=tenant.relationship,
        member=member,
        point="end",
        choice="close",
        reflection="ok",
    )
    Attendance.objects.create(meeting=tenant.meeting, member=member, status="attended")
    Pulse.objects.create(
        relationship=tenant.relationship, member=member, kind="midpoint", rating=2, blocking="load"
    )
    text_question = Question.objects.create(survey=tenant.survey, kind="text", text="Why?")
    response = Response.objects.create(survey=tenant.survey, enrolment=enrolment)
    Answer.objects.create(response=response, question=tenant.question, rating=4)
    Answer.objects.create(response=response, question=text_question, text="Because I care")
    RematchRequest.objects.create(
        relationship=tenant.relationship, enrolment=enrolment, reason="Different hours"
    )
    # What others and the system wrote about him.
    tenant.relationship.name = f"{NAME} and friends"
    tenant.relationship.save()
    MatchGroup.objects.filter(run=tenant.run).update(reasons_admin=f"{NAME} shares Python")
    Note.objects.create(
        meeting=tenant.meeting,
        author=RelationshipMember.objects.get(person=tenant.person),
        visibility="shared",
        body=f"Met {NAME} ({EMAIL}) today",
    )
    for to, name, message in (
        (EMAIL, NAME, "Your meeting is tomorrow"),
        (tenant.person.email, tenant.person.name, f"Your meeting with {NAME} is tomorrow"),
    ):
        NudgeDelivery.objects.create(
            organisation=tenant.organisation,
            nudge_key="meeting_tomorrow",
            event_key=f"m1-{to}",
            email=to,
            recipient_name=name,
            timezone="UTC",
            subject="Tomorrow",
            message=message,
            action_label="Open",
            link="/",
        )
    CalendarFeed.objects.create(user=user, organisation=tenant.organisation)
    ApiToken.objects.create(user=user, name="mine", prefix="alg_r", token_hash="r" * 64)
    Invitation.objects.create(
        organisation=tenant.organisation,
        person=person,
        user=user,
        token_hash="i" * 64,
        expires_at=datetime(2031, 1, 1, tzinfo=UTC),
    )
    ScimUser.objects.create(
        organisation=tenant.organisation, person=person, external_id="ravi-ext", given_name="R"
    )
    PersonImport.objects.create(
        organisation=tenant.organisation,
        content=f"email,name\r\n{EMAIL},{NAME}\r\n".encode(),
        status="applied",
        problems=[{"row": 2, "column": "email", "message": f"{EMAIL} is fine"}],
    )
    AccessAttempt.objects.create(username=EMAIL, ip_address="127.0.0.1", failures_since_start=1)
    log_action(
        actor=user,
        organisation=tenant.organisation,
        action="person.updated",
        target=person,
        data={"changes": {"email": ["ravi@old.test", EMAIL], "name": ["R", NAME]}},
    )
    client_for(user).get("/o/acme/people/me/")  # a signed-in session
    return person


def totals(tenant: Tenant) -> dict[str, Any]:
    relationship = tenant.relationship
    return {
        "members": relationship.members.count(),
        "enrolments": Enrolment.objects.filter(programme=tenant.programme).count(),
        "commitments": Commitment.objects.filter(relationship=relationship).count(),
        "attendance": Attendance.objects.filter(meeting=tenant.meeting).count(),
        "pulses": Pulse.objects.filter(relationship=relationship).aggregate(avg=Avg("rating")),
        "responses": Response.objects.filter(survey=tenant.survey).count(),
        "ratings": list(
            Answer.objects.filter(response__survey=tenant.survey, rating__isnull=False).values_list(
                "rating", flat=True
            )
        ),
        "meetings": relationship.meetings.count(),
    }


def test_erasing_a_person_leaves_nothing_of_them_and_keeps_the_totals(
    cast: dict[str, User],
    tenant: Tenant,
    ravi: Person,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    user_id = cast["member"].pk
    assert traces(texts=[EMAIL, NAME, EMPLOYEE_ID, "ravi-ext"], user_id=user_id)  # it finds
    before = totals(tenant)
    others_note = Note.objects.get(body__startswith="Met ")
    admin = client_for(cast["admin"])
    page = admin.get(f"/o/acme/privacy/people/{ravi.pk}/erase/")
    assert page.status_code == 200
    assert "Type" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            f"/o/acme/privacy/people/{ravi.pk}/erase/", {"confirmation": EMAIL.upper()}
        )
    assert response.status_code == 302
    request = DataRequest.objects.get(kind="person_erasure")
    assert request.status == "done", request.message
    assert request.progress == 100

    assert traces(texts=[EMAIL, NAME, EMPLOYEE_ID, "ravi-ext"], user_id=user_id) == []
    # The entry stays, anonymised, and the programme's figures are as they were.
    ravi.refresh_from_db()
    assert ravi.name == "Former participant"
    assert ravi.erased_at is not None
    assert (ravi.user_id, ravi.employee_id, ravi.job_title, ravi.offers) == (None, "", "", "")
    assert ravi.email.endswith("@erased.invalid")
    assert totals(tenant) == before
    # What he wrote is gone; what the others wrote stays, without his name.
    assert not Note.objects.filter(author__person=ravi).exists()
    assert not Commitment.objects.filter(member__person=ravi).exclude(text="").exists()
    assert Intake.objects.get(enrolment__person=ravi).goals == ""
    others_note.refresh_from_db()
    assert others_note.body == "Met Former participant (Former participant) today"
    assert RelationshipMember.objects.filter(relationship=tenant.relationship).count() == 3
    # The trail keeps every entry, without him; the erasure is on it.
    assert AuditEvent.objects.filter(action="person.updated", target_id=str(ravi.pk)).exists()
    erased = AuditEvent.objects.get(action="person.erased")
    assert erased.actor_id == cast["admin"].pk
    assert erased.data["counts"]["meetings.notes"] == 2  # his shared and private notes
    # His relationship page shows a former participant to the others.
    html = client_for(cast["manager"]).get(
        f"/o/acme/mentoring/relationships/{tenant.relationship.pk}/"
    )
    assert "Former participant" in html.content.decode() or html.status_code == 404


@pytest.mark.parametrize("typed", ["", "ravi", "asha.admin@acme.test"])
def test_a_wrong_confirmation_erases_nothing(
    typed: str, cast: dict[str, User], ravi: Person, client_for: Any, api_for: Any
) -> None:
    response = client_for(cast["admin"]).post(
        f"/o/acme/privacy/people/{ravi.pk}/erase/", {"confirmation": typed}
    )
    assert response.status_code == 200
    if typed:
        assert f"Type {EMAIL} exactly" in response.content.decode()
    else:
        assert "This field is required." in response.content.decode()
    api = api_for(cast["admin"]).post(
        f"/api/v1/organisations/acme/people/{ravi.pk}/erasure", {"confirmation": typed or "x"}
    )
    assert api.status_code == 400
    assert api.json()["code"] == "confirmation"
    ravi.refresh_from_db()
    assert ravi.erased_at is None
    assert not DataRequest.objects.filter(kind="person_erasure").exists()


def test_an_admin_cannot_erase_themselves(cast: dict[str, User], api_for: Any) -> None:
    asha = Person.objects.get(user=cast["admin"])
    response = api_for(cast["admin"]).post(
        f"/api/v1/organisations/acme/people/{asha.pk}/erasure",
        {"confirmation": "asha.admin@acme.test"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "self_erasure"


def test_someone_in_two_organisations_keeps_their_account(
    cast: dict[str, User],
    org_b: Organisation,
    api_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    Membership.objects.create(user=cast["member"], organisation=org_b, role=Role.MEMBER)
    Person.objects.create(organisation=org_b, user=cast["member"], name=NAME, email=EMAIL)
    ravi = Person.objects.get(organisation__slug="acme", user=cast["member"])
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(cast["admin"]).post(
            f"/api/v1/organisations/acme/people/{ravi.pk}/erasure", {"confirmation": EMAIL}
        )
    assert response.status_code == 202
    assert User.objects.filter(pk=cast["member"].pk).exists()
    assert not Membership.objects.filter(user=cast["member"], organisation__slug="acme").exists()
    assert Person.objects.get(organisation=org_b, user=cast["member"]).name == NAME


def test_erasing_an_organisation_leaves_nothing_of_it(
    cast: dict[str, User],
    tenant: Tenant,
    ravi: Person,
    org_b: Organisation,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    make_tenant_objects(org_b, cast["outsider"])
    people = list(Person.objects.filter(organisation=tenant.organisation))
    admin = client_for(cast["admin"])
    wrong = admin.post("/o/acme/privacy/erase/", {"confirmation": "Acme"})
    assert "Type the organisation&#x27;s address name, acme, exactly" in wrong.content.decode()
    assert Organisation.objects.filter(slug="acme").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/o/acme/privacy/erase/", {"confirmation": "acme"})
    assert response.status_code == 302
    assert not Organisation.objects.filter(slug="acme").exists()
    in_b = set(Person.objects.filter(organisation=org_b).values_list("name", flat=True))
    for person in people:
        names = [person.name] if person.name not in in_b else []
        assert traces(texts=[person.email, *names]) == [], person.name
    for user in ("admin", "manager", "member"):
        assert traces(texts=[cast[user].email], user_id=cast[user].pk) == []
    # Organisation B is untouched; the erasure is on the trail, outside any organisation.
    assert Person.objects.filter(organisation=org_b).count() == 3
    assert User.objects.filter(pk=cast["outsider"].pk).exists()
    entry = AuditEvent.objects.get(action="organisation.erased")
    assert entry.organisation_id is None
    assert entry.data["slug"] == "acme"
    assert traces(texts=["Acme India"]) == []
