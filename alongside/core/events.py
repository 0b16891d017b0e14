"""Domain events: how an app tells the apps above it that something happened.

Dependencies run one way, downward. When a write matters to an app higher up (a meeting
held matters to health; a withdrawn enrolment matters to relationships), the writing
service announces it with :func:`emit` and the interested app subscribes with
:func:`subscribe` in its ``listeners.py``, which its ``AppConfig.ready`` imports. The
writer never imports the listener; the listener imports the event class it reads, which
lives in the writer's ``events.py``.

Listeners are called at one of two moments:

* **after commit** (the default), for reactions: recomputing health, nudges, webhooks.
  The events of one transaction reach each listener together, as one batch, once the
  transaction has committed — so closing a programme's 500 relationships is one health
  refresh, not 500. Events emitted inside a savepoint that is rolled back are never
  delivered. Outside a transaction they are delivered at once. The write has already
  happened, so a failing listener is logged and the others still run (settings may ask
  for the error to be raised instead, as the test suite does).
* **in the transaction** (``in_transaction=True``), for consequences that must commit or
  roll back with the write: a withdrawn enrolment leaves its relationships, a closing
  programme ends them. The listener runs at once, inside the writer's transaction, and
  an error undoes the whole write.

Events carry ids and plain values, never model instances, so that a listener reads the
current state and an event could later cross a process boundary unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Something that happened in one organisation. Subclasses add ids and values."""

    organisation_id: int


Listener = Callable[[Sequence[Any]], None]


@dataclass(frozen=True)
class Subscription:
    event_types: tuple[type[DomainEvent], ...]
    listener: Listener
    in_transaction: bool

    @property
    def name(self) -> str:
        return f"{self.listener.__module__}.{self.listener.__qualname__}"

    def wants(self, event: DomainEvent) -> bool:
        return isinstance(event, self.event_types)


_subscriptions: list[Subscription] = []


def subscribe(
    *event_types: type[DomainEvent], in_transaction: bool = False
) -> Callable[[Listener], Listener]:
    """Register ``listener(events)`` for the given event types (and their subclasses)."""
    if not event_types:
        raise ValueError("subscribe() needs at least one event type")

    def register(listener: Listener) -> Listener:
        subscription = Subscription(tuple(event_types), listener, in_transaction)
        # A module imported twice must not deliver twice.
        if not any(s.name == subscription.name for s in _subscriptions):
            _subscriptions.append(subscription)
        return listener

    return register


def subscriptions() -> tuple[Subscription, ...]:
    return tuple(_subscriptions)


def emit(event: DomainEvent) -> None:
    """Announce ``event``: in-transaction listeners now, the others after commit."""
    for subscription in _subscriptions:
        if subscription.in_transaction and subscription.wants(event):
            subscription.listener([event])
    if not any(not s.in_transaction and s.wants(event) for s in _subscriptions):
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _deliver([event])
        return
    _pending_batch(connection).events.append(event)


@dataclass(eq=False)
class _Batch:
    """The events of one transaction (and savepoint), delivered together on commit."""

    events: list[DomainEvent] = field(default_factory=list)

    def __call__(self) -> None:
        _deliver(self.events)


def _pending_batch(connection: Any) -> _Batch:
    # Join the batch registered at this same savepoint depth, so that a rolled-back
    # savepoint drops exactly its own events (Django discards its on-commit callbacks).
    current = set(connection.savepoint_ids)
    for savepoints, callback, _robust in connection.run_on_commit:
        if isinstance(callback, _Batch) and set(savepoints) == current:
            return callback
    batch = _Batch()
    transaction.on_commit(batch)
    return batch


def _deliver(events: Sequence[DomainEvent]) -> None:
    failure: Exception | None = None
    for subscription in _subscriptions:
        if subscription.in_transaction:
            continue
        wanted = [event for event in events if subscription.wants(event)]
        if not wanted:
            continue
        try:
            subscription.listener(wanted)
        except Exception as error:
            logger.exception(
                "Listener %s failed on %d event(s) after commit", subscription.name, len(wanted)
            )
            failure = failure or error
    if failure is not None and getattr(settings, "EVENT_LISTENER_ERRORS", "log") == "raise":
        raise failure
