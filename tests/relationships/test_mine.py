"""The participant's mentoring page and API: who, their public profile, why — nothing private."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from alongside.matches.services import match_run_publish
from alongside.people.models import Person
from alongside.programmes.models import Intake
from alongside.relationships.models import Relationship, RematchRequest
from tests.matches.helpers import _people, _programme, draft_run

PRIVATE = ("SECRET-WANT", "SECRET-OFFER", "SECRET-GOAL", "ADMIN-ONLY")


@pytest.fixture
def matched(admin: Any, member: Any, org_a: Any) -> Relationship:
    me = Person.objects.get(user=member)
    me.level = "L1"
    me.department = "Finance"
    me.save()
    others = _people(org_a, 3)
    for person in others:
        person.job_title = "Analyst"
        person.languages = ["English", "Hindi"]
        person.save()
    programme, _enrolments = _programme(org_a, admin, "peer_pairs", [me, *others])
    Intake.objects.filter(enrolment__programme=programme).update(
        wants_other="SECRET-WANT", offers_other="SECRET-OFFER", goals="SECRET-GOAL"
    )
    run = draft_run(programme, admin)
    match_run_publish(run=run, actor=admin)
    relationship = Relationship.objects.get(members__person=me)
    relationship.reasons_admin = "ADMIN-ONLY " + relationship.reasons_admin
    relationship.reasons_participant = "You both want to grow as new managers"
    relationship.save()
    return relationship


def test_the_page_shows_the_others_public_profile_and_why(
    member: Any, matched: Relationship, client_for: Any
) -> None:
    body = client_for(member).get(reverse("meetings:mine", args=["acme"])).content.decode()
    other = matched.members.exclude(person__user=member).get().person
    assert other.name in body
    assert "Analyst" in body
    assert other.department in body
    assert other.location in body
    assert other.timezone in body
    assert "English, Hindi" in body
    assert "Why you were matched" in body
    assert "You both want to grow as new managers" in body
    for text in PRIVATE:
        assert text not in body
    assert "Ask for a rematch" in body


def test_the_api_shows_public_fields_and_participant_reasons_only(
    member: Any, matched: Relationship, api_for: Any
) -> None:
    response = api_for(member).get("/api/v1/organisations/acme/relationships/mine")
    assert response.status_code == 200
    [mine] = response.json()["items"]
    assert mine["why_you_were_matched"] == ["You both want to grow as new managers"]
    [other] = mine["others"]
    assert set(other) == {
        "name",
        "role",
        "is_active",
        "job_title",
        "department",
        "location",
        "timezone",
        "languages",
    }
    for text in PRIVATE:
        assert text not in response.content.decode()


def test_a_participant_asks_for_a_rematch_once(
    member: Any, matched: Relationship, client_for: Any
) -> None:
    client = client_for(member)
    url = reverse("relationships:rematch", args=["acme", matched.pk])
    empty = client.post(url, {"reason": "  "}, follow=True)
    assert "Say briefly why" in empty.content.decode()
    assert not RematchRequest.objects.exists()
    client.post(url, {"reason": "Our time zones never overlap"})
    request = RematchRequest.objects.get()
    assert request.reason == "Our time zones never overlap"
    assert request.enrolment.person.user == member
    page = client.get(reverse("meetings:mine", args=["acme"])).content.decode()
    assert "You asked for a rematch" in page
    again = client.post(url, {"reason": "Please"}, follow=True)
    assert "already have a rematch request" in again.content.decode()
    assert RematchRequest.objects.count() == 1


def test_the_api_rematch_request(member: Any, matched: Relationship, api_for: Any) -> None:
    api = api_for(member)
    path = f"/api/v1/organisations/acme/relationships/{matched.pk}/rematch-requests"
    created = api.post(path, {"reason": "Different goals"})
    assert created.status_code == 201
    assert created.json()["status"] == "open"
    assert api.post(path, {"reason": "again"}).json()["code"] == "already_requested"


def test_someone_elses_relationship_is_404(
    admin: Any, member: Any, matched: Relationship, client_for: Any, api_for: Any
) -> None:
    others = Relationship.objects.exclude(pk=matched.pk).first()
    assert others is not None
    url = reverse("relationships:rematch", args=["acme", others.pk])
    assert client_for(member).post(url, {"reason": "x"}).status_code == 404
    # Even an admin cannot ask on someone else's behalf.
    assert client_for(admin).post(url, {"reason": "x"}).status_code == 404
    path = f"/api/v1/organisations/acme/relationships/{others.pk}/rematch-requests"
    assert api_for(member).post(path, {"reason": "x"}).status_code == 404
    assert not RematchRequest.objects.exists()


def test_the_page_pins_its_query_count(
    member: Any, matched: Relationship, client_for: Any, django_assert_num_queries: Any
) -> None:
    client = client_for(member)
    client.get(reverse("meetings:mine", args=["acme"]))
    # 7 for the relationships, 3 for each one's next meeting, my open action and my zone.
    with django_assert_num_queries(10):
        client.get(reverse("meetings:mine", args=["acme"]))
