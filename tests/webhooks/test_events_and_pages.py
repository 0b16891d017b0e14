"""What each webhook event says, how an address is registered, and the admin's pages and API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse

from alongside.accounts.models import User
from alongside.audit.models import AuditEvent
from alongside.core.errors import AlongsideError
from alongside.health.services import health_refresh
from alongside.organisations.models import Organisation
from alongside.programmes.services import programme_transition
from alongside.scheduling.services import meeting_record_outcome
from alongside.surveys.services import response_submit, surveys_ensure
from alongside.webhooks.models import WebhookDelivery, WebhookEndpoint
from alongside.webhooks.services import webhook_endpoint_create
from tests.dashboards.helpers import add_meeting, make_pair, make_programme
from tests.matches.helpers import published_programme
from tests.meetings.factories import meeting, participant, programme_for, relationship_with
from tests.surveys.conftest import AREAS, Cohort, answers_for, cohort  # noqa: F401
from tests.webhooks import receiver as receivers
from tests.webhooks.receiver import Receiver

ALL_EVENTS = [
    "person.enrolled",
    "match.published",
    "relationship.at_risk",
    "meeting.held",
    "survey.answered",
    "programme.closed",
]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = receivers.start()
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def everything(org_a: Organisation, admin: User, receiver: Receiver) -> WebhookEndpoint:
    endpoint, _secret = webhook_endpoint_create(
        organisation=org_a, actor=admin, url=receiver.url, event_types=ALL_EVENTS
    )
    return endpoint


def _events(receiver: Receiver, kind: str) -> list[dict[str, Any]]:
    bodies = [json.loads(r.body) for r in receiver.received]
    return [b for b in bodies if b["type"] == kind]


def test_match_published_lists_the_new_relationships_and_their_members(
    org_a: Organisation,
    admin: User,
    everything: WebhookEndpoint,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        programme, _enrolments = published_programme(org_a, admin, "peer_pairs", 6)
    (event,) = _events(receiver, "match.published")
    data = event["data"]
    assert data["programme"]["id"] == programme.pk
    assert len(data["relationships"]) == 3
    assert all(len(r["members"]) == 2 for r in data["relationships"])
    names = {m["name"] for r in data["relationships"] for m in r["members"]}
    assert len(names) == 6


def test_a_relationship_turning_at_risk_is_sent_once_with_its_reasons(
    org_a: Organisation,
    manager: User,
    everything: WebhookEndpoint,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    programme = make_programme(org_a, manager, start=datetime.now(UTC).date() - timedelta(days=90))
    pair = make_pair(programme, 1, started_at=datetime.now(UTC) - timedelta(days=80))
    add_meeting(pair, datetime.now(UTC) - timedelta(days=75))
    with django_capture_on_commit_callbacks(execute=True):
        health_refresh(relationship_ids=[pair.relationship.pk])
    (event,) = _events(receiver, "relationship.at_risk")
    assert event["data"]["relationship"]["id"] == pair.relationship.pk
    assert event["data"]["status"] in {"at_risk", "struggling", "dormant"}
    assert event["data"]["previous_status"] is None
    assert event["data"]["reasons"]
    with django_capture_on_commit_callbacks(execute=True):
        health_refresh(relationship_ids=[pair.relationship.pk])  # unchanged: nothing new
    assert len(_events(receiver, "relationship.at_risk")) == 1


def test_a_meeting_held_names_the_meeting_and_its_relationship(
    org_a: Organisation,
    manager: User,
    member: User,
    everything: WebhookEndpoint,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    programme = programme_for(org_a, "peer_pairs", manager=manager)
    relationship, members = relationship_with(programme, [member, participant(org_a, "Kavya")])
    held = meeting(relationship, 1, starts_at=datetime.now(UTC) - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        meeting_record_outcome(
            meeting=held,
            member=members[0],
            actor=member,
            status="held",
            attendance={m.pk: "attended" for m in members},
        )
    (event,) = _events(receiver, "meeting.held")
    assert event["data"]["meeting"]["id"] == held.pk
    assert event["data"]["relationship"]["id"] == relationship.pk


def test_survey_answered_never_says_who_answered_or_what(
    cohort: Cohort,  # noqa: F811
    cast: dict[str, User],
    everything: WebhookEndpoint,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    survey = surveys_ensure(programme=cohort.programme)[0]
    survey.status = "open"
    survey.save()
    with django_capture_on_commit_callbacks(execute=True):
        response_submit(
            survey=survey, enrolment=cohort.me, answers=answers_for(survey, 4), actor=cast["member"]
        )
    (event,) = _events(receiver, "survey.answered")
    assert event["data"] == {
        "survey": {"id": survey.pk, "kind": "start", "programme_id": cohort.programme.pk},
        "responses": 1,
    }
    body = receiver.received[-1].body.decode()
    assert cohort.me.person.name not in body
    assert cohort.me.person.email not in body
    assert all(area not in body for area in AREAS)


def test_a_programme_closed(
    org_a: Organisation,
    manager: User,
    everything: WebhookEndpoint,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    programme = make_programme(org_a, manager)
    programme.stage = "closing"
    programme.save()
    with django_capture_on_commit_callbacks(execute=True):
        programme_transition(programme=programme, actor=manager, to="closed")
    (event,) = _events(receiver, "programme.closed")
    assert event["data"]["programme"]["id"] == programme.pk


# --- Registering addresses -------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ftp://example.org/hook", "starting with https://"),
        ("http://example.org/hook", "must use https://"),
        ("https://user:pw@example.org/hook", "user name or password"),
        ("https://127.0.0.1/hook", "private or local network"),
        ("https://10.1.2.3/hook", "private or local network"),
        ("https://[::1]/hook", "private or local network"),
    ],
)
def test_unusable_addresses_are_refused_with_the_reason_and_nothing_saved(
    org_a: Organisation, admin: User, settings: Any, url: str, expected: str
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(AlongsideError) as caught:
        webhook_endpoint_create(
            organisation=org_a, actor=admin, url=url, event_types=["meeting.held"]
        )
    assert expected in caught.value.message
    assert caught.value.problems[0].field == "url"
    assert not WebhookEndpoint.objects.exists()


def test_unknown_or_no_events_are_refused(org_a: Organisation, admin: User) -> None:
    for events, expected in ([["meeting.heeld"], "meeting.heeld"], [[], "at least one"]):
        with pytest.raises(AlongsideError) as caught:
            webhook_endpoint_create(
                organisation=org_a, actor=admin, url="https://example.org/h", event_types=events
            )
        assert expected in caught.value.message
    assert not WebhookEndpoint.objects.exists()


# --- Pages -----------------------------------------------------------------------------


def test_an_admin_adds_an_address_sees_the_secret_once_and_tests_it(
    admin: User, client_for: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(admin)
    page = client.get(reverse("webhooks:list", args=["acme"]))
    assert page.status_code == 200
    assert "X-Alongside-Signature" in page.content.decode()
    response = client.post(
        reverse("webhooks:list", args=["acme"]),
        {"url": receiver.url, "description": "Warehouse", "event_types": ["meeting.held"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response["Location"] == reverse("webhooks:detail", args=["acme", endpoint.pk])
    shown = client.get(response["Location"]).content.decode()
    assert "whsec_" in shown
    assert "whsec_" not in client.get(response["Location"]).content.decode()  # once only

    with django_capture_on_commit_callbacks(execute=True):
        tested = client.post(reverse("webhooks:test", args=["acme", endpoint.pk]), follow=True)
    # The test client holds back on-commit work until the request is over, as a worker would.
    assert "The test event is on its way" in tested.content.decode()
    assert json.loads(receiver.received[0].body)["type"] == "webhook.test"
    log = client.get(reverse("webhooks:detail", args=["acme", endpoint.pk])).content.decode()
    assert "webhook.test" in log
    assert "Delivered" in log
    assert AuditEvent.objects.filter(action="webhook.created").exists()
    assert AuditEvent.objects.filter(action="webhook.tested").exists()


def test_the_form_shows_the_problem_next_to_the_address(admin: User, client_for: Any) -> None:
    response = client_for(admin).post(
        reverse("webhooks:list", args=["acme"]),
        {"url": "https://user:pw@example.org/h", "event_types": ["meeting.held"]},
    )
    assert response.status_code == 200
    assert "user name or password" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_removing_needs_the_confirmation(
    org_a: Organisation, admin: User, client_for: Any, everything: WebhookEndpoint
) -> None:
    url = reverse("webhooks:delete", args=["acme", everything.pk])
    client_for(admin).post(url)
    assert WebhookEndpoint.objects.exists()
    client_for(admin).post(url, {"confirm": "yes"})
    assert not WebhookEndpoint.objects.exists()


# --- API -------------------------------------------------------------------------------


def test_the_api_registers_lists_and_pages_the_delivery_log(
    admin: User, api_for: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    api = api_for(admin)
    created = api.post(
        "/api/v1/organisations/acme/webhooks",
        {"url": receiver.url, "event_types": ["person.enrolled"], "description": "CRM"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["signing_secret"].startswith("whsec_")
    endpoint_id = body["id"]
    listed = api.get("/api/v1/organisations/acme/webhooks").json()
    assert [e["id"] for e in listed] == [endpoint_id]
    assert "signing_secret" not in listed[0]
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            api.post(f"/api/v1/organisations/acme/webhooks/{endpoint_id}/test")
    first = api.get(
        f"/api/v1/organisations/acme/webhooks/{endpoint_id}/deliveries", {"page_size": 2}
    ).json()
    assert first["count"] == 3
    assert len(first["items"]) == 2
    assert first["next"].endswith("page=2&page_size=2")
    second = api.get(first["next"]).json()
    assert len(second["items"]) == 1
    assert second["next"] is None
    bad = api.post(
        "/api/v1/organisations/acme/webhooks",
        {"url": "https://example.org/h", "event_types": ["nope"]},
    )
    assert bad.status_code == 400
    assert bad.json()["problems"][0]["field"] == "event_types"
    assert WebhookDelivery.objects.filter(status="succeeded").count() == 3
