"""Domain events reach listeners once, after commit and in one batch per transaction,
or inside the transaction for consequences that must roll back with the write."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from alongside.audit.models import AuditEvent
from alongside.core import events
from alongside.core.events import DomainEvent, emit, subscribe


@dataclass(frozen=True, kw_only=True)
class ThingHappened(DomainEvent):
    thing: int


@dataclass(frozen=True, kw_only=True)
class OtherThing(DomainEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class SpecialThing(ThingHappened):
    pass


@pytest.fixture
def registry() -> Iterator[None]:
    """Listeners registered by a test are gone after it."""
    saved = list(events._subscriptions)
    yield
    events._subscriptions[:] = saved


@pytest.fixture
def received(registry: None) -> list[list[int]]:
    batches: list[list[int]] = []

    @subscribe(ThingHappened)
    def on_thing(batch: Sequence[ThingHappened]) -> None:
        batches.append([event.thing for event in batch])

    return batches


def _write(thing: int) -> None:
    AuditEvent.objects.create(action=f"thing.{thing}")
    emit(ThingHappened(organisation_id=1, thing=thing))


@pytest.mark.django_db(transaction=True)
def test_a_transaction_delivers_its_events_once_as_one_batch_after_commit(
    received: list[list[int]],
) -> None:
    with transaction.atomic():
        _write(1)
        _write(2)
        assert received == []  # nothing before commit
    assert received == [[1, 2]]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_delivers_nothing(received: list[list[int]]) -> None:
    def failing_write() -> None:
        with transaction.atomic():
            _write(1)
            raise RuntimeError("the write failed")

    with pytest.raises(RuntimeError):
        failing_write()
    assert received == []
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_events_of_a_rolled_back_savepoint_are_dropped_and_the_rest_delivered(
    received: list[list[int]],
) -> None:
    with transaction.atomic():
        _write(1)
        try:
            with transaction.atomic():
                _write(2)
                raise RuntimeError("undo the inner part")
        except RuntimeError:
            pass
        _write(3)
    delivered = [thing for batch in received for thing in batch]
    assert delivered == [1, 3]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_an_event_is_delivered_at_once(received: list[list[int]]) -> None:
    _write(7)
    assert received == [[7]]


@pytest.mark.django_db(transaction=True)
def test_a_listener_gets_only_the_types_it_subscribed_to_and_their_subclasses(
    received: list[list[int]],
) -> None:
    with transaction.atomic():
        emit(OtherThing(organisation_id=1))
        emit(SpecialThing(organisation_id=1, thing=5))
    assert received == [[5]]


@pytest.mark.django_db(transaction=True)
def test_an_in_transaction_listener_failing_undoes_the_whole_write(registry: None) -> None:
    @subscribe(ThingHappened, in_transaction=True)
    def refuse(batch: Sequence[ThingHappened]) -> None:
        raise ValueError("not allowed")

    with pytest.raises(ValueError, match="not allowed"), transaction.atomic():
        _write(1)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_in_transaction_listener_writes_inside_the_writers_transaction(
    registry: None,
) -> None:
    @subscribe(ThingHappened, in_transaction=True)
    def follow_up(batch: Sequence[ThingHappened]) -> None:
        for event in batch:
            AuditEvent.objects.create(action=f"follow_up.{event.thing}")

    seen_inside: list[bool] = []

    def failing_write() -> None:
        with transaction.atomic():
            _write(1)
            seen_inside.append(AuditEvent.objects.filter(action="follow_up.1").exists())
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        failing_write()
    assert seen_inside == [True]
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_failing_listener_after_commit_is_logged_and_the_others_still_run(
    received: list[list[int]], settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.EVENT_LISTENER_ERRORS = "log"

    @subscribe(ThingHappened)
    def broken(batch: Sequence[ThingHappened]) -> None:
        raise ValueError("listener bug")

    with caplog.at_level(logging.ERROR, logger="alongside.core.events"), transaction.atomic():
        _write(1)
    assert received == [[1]]
    assert AuditEvent.objects.filter(action="thing.1").exists()  # the write stands
    assert "broken failed on 1 event(s) after commit" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_failing_listener_is_raised_when_settings_ask_for_it(
    received: list[list[int]], settings: Any
) -> None:
    settings.EVENT_LISTENER_ERRORS = "raise"

    @subscribe(ThingHappened)
    def broken(batch: Sequence[ThingHappened]) -> None:
        raise ValueError("listener bug")

    with pytest.raises(ValueError, match="listener bug"), transaction.atomic():
        _write(1)
    assert received == [[1]]


def test_subscribing_the_same_listener_twice_delivers_once(registry: None) -> None:
    def listener(batch: Sequence[ThingHappened]) -> None:
        pass

    subscribe(ThingHappened)(listener)
    subscribe(ThingHappened)(listener)
    names = [s.name for s in events.subscriptions()]
    assert names.count(f"{__name__}.{listener.__qualname__}") == 1


def test_the_apps_subscribe_health_to_the_signals_of_the_apps_below() -> None:
    """The wiring that replaced direct calls: the writers' events reach their listeners."""
    from alongside.meetings.events import MeetingHeld
    from alongside.programmes.events import EnrolmentWithdrawn
    from alongside.relationships.events import RelationshipsPublished
    from alongside.surveys.events import PulseAnswered

    def listeners_of(event: DomainEvent, in_transaction: bool) -> set[str]:
        return {
            s.name
            for s in events.subscriptions()
            if s.in_transaction == in_transaction and s.wants(event)
        }

    held = MeetingHeld(organisation_id=1, relationship_id=1, meeting_id=1)
    assert "alongside.health.listeners.refresh_health" in listeners_of(held, False)
    pulse = PulseAnswered(organisation_id=1, relationship_id=1, rating=2)
    assert "alongside.health.listeners.refresh_health" in listeners_of(pulse, False)
    withdrawn = EnrolmentWithdrawn(organisation_id=1, programme_id=1, enrolment_id=1, actor_id=None)
    assert listeners_of(withdrawn, True) == {
        "alongside.relationships.listeners.leave_relationships"
    }
    published = RelationshipsPublished(organisation_id=1, programme_id=1, relationship_ids=(1,))
    assert len(listeners_of(published, True)) == 1
