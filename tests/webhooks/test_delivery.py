"""Webhooks reach a real HTTP receiver on 127.0.0.1: signed, once per event and address,
retried with backoff, and only for the organisation that registered them."""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from alongside.accounts.models import User
from alongside.core.crypto import decrypt
from alongside.organisations.models import Organisation
from alongside.people.models import Person
from alongside.programmes.services import enrolment_add, programme_create
from alongside.webhooks import services
from alongside.webhooks.models import WebhookDelivery, WebhookEndpoint
from alongside.webhooks.services import (
    MAX_ATTEMPTS,
    webhook_deliveries_send_due,
    webhook_delivery_attempt,
    webhook_delivery_retry,
    webhook_endpoint_create,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
)
from tests.webhooks import receiver as receivers
from tests.webhooks.receiver import Receiver


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
def hook(org_a: Organisation, admin: User, receiver: Receiver) -> tuple[WebhookEndpoint, str]:
    return webhook_endpoint_create(
        organisation=org_a,
        actor=admin,
        url=receiver.url,
        event_types=["person.enrolled", "programme.closed"],
        description="HR warehouse",
    )


def _people(org: Organisation, count: int) -> list[Person]:
    return [
        Person.objects.create(organisation=org, name=f"Person {i}", email=f"p{i}@{org.slug}.test")
        for i in range(count)
    ]


def _enrol(org: Organisation, actor: User, people: list[Person], capture: Any) -> None:
    programme = programme_create(
        organisation=org, actor=actor, name="New managers", format="peer_pairs"
    )
    with capture(execute=True):
        enrolment_add(programme=programme, actor=actor, people=people)


def _expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Written from the documented scheme, not from the code that signs."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode() + b"." + body, "sha256")
    return "v1=" + digest.hexdigest()


def test_an_event_reaches_the_address_signed_as_documented(
    org_a: Organisation,
    admin: User,
    hook: tuple[WebhookEndpoint, str],
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _endpoint, secret = hook
    people = _people(org_a, 3)
    _enrol(org_a, admin, people, django_capture_on_commit_callbacks)

    assert len(receiver.received) == 1
    request = receiver.received[0]
    assert request.path == "/hooks/alongside"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-alongside-event"] == "person.enrolled"
    timestamp = request.headers["x-alongside-timestamp"]
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60
    assert request.headers["x-alongside-signature"] == _expected_signature(
        secret, timestamp, request.body
    )
    assert request.headers["x-alongside-signature"] != _expected_signature(
        secret, timestamp, request.body + b" "
    )
    payload = json.loads(request.body)
    assert payload["type"] == "person.enrolled"
    assert payload["id"] == request.headers["x-alongside-delivery"]
    assert payload["organisation"] == {"slug": "acme", "name": "Acme India"}
    enrolled = {e["person"]["email"] for e in payload["data"]["enrolments"]}
    assert enrolled == {p.email for p in people}
    assert payload["data"]["programme"]["name"] == "New managers"

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "succeeded"
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200
    # Nothing is sent again: the worker's retry job finds nothing due.
    assert webhook_deliveries_send_due(now=timezone.now() + timedelta(days=2)) == 0
    assert len(receiver.received) == 1


def test_the_signing_secret_is_encrypted_at_rest_and_rotation_changes_the_signature(
    org_a: Organisation,
    admin: User,
    hook: tuple[WebhookEndpoint, str],
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    endpoint, secret = hook
    endpoint.refresh_from_db()
    assert secret not in endpoint.secret_encrypted
    assert decrypt(endpoint.secret_encrypted) == secret
    new_secret = webhook_endpoint_rotate_secret(endpoint=endpoint, actor=admin)
    assert new_secret != secret
    _enrol(org_a, admin, _people(org_a, 1), django_capture_on_commit_callbacks)
    request = receiver.received[-1]
    timestamp = request.headers["x-alongside-timestamp"]
    assert request.headers["x-alongside-signature"] == _expected_signature(
        new_secret, timestamp, request.body
    )


def test_a_failing_receiver_is_retried_with_backoff_until_it_accepts(
    org_a: Organisation,
    admin: User,
    hook: tuple[WebhookEndpoint, str],
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    receiver.answer(503)
    receiver.answer(500)
    _enrol(org_a, admin, _people(org_a, 1), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "retrying"
    assert delivery.last_status_code == 503
    first_wait = delivery.next_attempt_at - delivery.last_attempt_at
    assert timedelta(seconds=59) <= first_wait <= timedelta(seconds=61)

    # Not due yet: nothing is sent.
    assert webhook_deliveries_send_due(now=delivery.last_attempt_at + timedelta(seconds=30)) == 0
    assert len(receiver.received) == 1

    later = delivery.next_attempt_at + timedelta(seconds=1)
    assert webhook_delivery_attempt(delivery_id=delivery.pk, now=later) == "retrying"
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at - later == timedelta(minutes=5)  # the wait grows

    with time_machine.travel(delivery.next_attempt_at, tick=False):
        assert webhook_deliveries_send_due() == 1  # the worker's job, at that time
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert delivery.attempts == 3
    assert len(receiver.received) == 3
    # Every attempt carries the same event id, so the receiver can drop repeats.
    assert len({r.headers["x-alongside-delivery"] for r in receiver.received}) == 1


def test_retry_after_from_the_receiver_is_honoured(
    org_a: Organisation,
    admin: User,
    hook: tuple[WebhookEndpoint, str],
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    receiver.answer(429, Retry_After="900")
    _enrol(org_a, admin, _people(org_a, 1), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "retrying"
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(seconds=900)


def test_a_refusal_fails_at_once_and_an_admin_can_send_it_again(
    org_a: Organisation,
    admin: User,
    hook: tuple[WebhookEndpoint, str],
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    receiver.answer(400)
    _enrol(org_a, admin, _people(org_a, 1), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.last_error == "The receiver answered HTTP 400."
    with django_capture_on_commit_callbacks(execute=True):
        webhook_delivery_retry(delivery=delivery, actor=admin)
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert len(receiver.received) == 2


def test_a_delivery_gives_up_after_the_last_attempt(
    org_a: Organisation,
    admin: User,
    hook: tuple[WebhookEndpoint, str],
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    for _ in range(MAX_ATTEMPTS):
        receiver.answer(502)
    _enrol(org_a, admin, _people(org_a, 1), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    for _ in range(MAX_ATTEMPTS - 1):
        delivery.refresh_from_db()
        webhook_delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.attempts == MAX_ATTEMPTS
    assert webhook_deliveries_send_due(now=timezone.now() + timedelta(days=30)) == 0


def test_an_unreachable_receiver_is_retried_and_says_why(
    org_a: Organisation,
    admin: User,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    receiver.server.shutdown()
    receiver.server.server_close()
    webhook_endpoint_create(
        organisation=org_a, actor=admin, url=receiver.url, event_types=["person.enrolled"]
    )
    _enrol(org_a, admin, _people(org_a, 1), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "retrying"
    assert delivery.last_status_code is None
    assert delivery.last_error


def test_two_workers_never_send_the_same_delivery_at_once(
    org_a: Organisation, admin: User, hook: tuple[WebhookEndpoint, str]
) -> None:
    endpoint, _secret = hook
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type="person.enrolled", payload={"x": 1}
    )
    now = timezone.now()
    assert services._claim(delivery.pk, now) is True
    assert services._claim(delivery.pk, now) is False
    # A sender that vanished mid-send: its claim runs out and the delivery is due again.
    assert services._claim(delivery.pk, now + services.CLAIM_FOR + timedelta(seconds=1)) is True


def test_paused_addresses_and_other_organisations_get_nothing(
    org_a: Organisation,
    org_b: Organisation,
    admin: User,
    outsider: User,
    hook: tuple[WebhookEndpoint, str],
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    endpoint, _secret = hook
    # Organisation B's enrolments never reach A's address.
    _enrol(org_b, outsider, _people(org_b, 2), django_capture_on_commit_callbacks)
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()
    # A paused address of A gets nothing either.
    webhook_endpoint_update(endpoint=endpoint, actor=admin, is_active=False)
    _enrol(org_a, admin, _people(org_a, 1), django_capture_on_commit_callbacks)
    assert receiver.received == []


def test_an_address_gets_only_the_events_it_chose(
    org_a: Organisation,
    admin: User,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    webhook_endpoint_create(
        organisation=org_a, actor=admin, url=receiver.url, event_types=["meeting.held"]
    )
    _enrol(org_a, admin, _people(org_a, 2), django_capture_on_commit_callbacks)
    assert receiver.received == []
