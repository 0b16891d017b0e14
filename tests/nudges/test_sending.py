"""Nudges go out exactly once per event and recipient: across runs, crashes and workers."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection

from alongside.nudges.models import NudgeDelivery
from alongside.nudges.sending import (
    deliveries_claim,
    deliveries_send,
    nudge_events_record,
    nudges_send_due,
)
from tests.links import link_targets, sign_in_paths
from tests.nudges.helpers import NOW, build_world, meeting

Status = NudgeDelivery.Status


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def meetings_tomorrow(org: Any, manager: Any, pairs: int, member: Any = None) -> Any:
    """Pairs that met last week and meet again tomorrow: only "meeting tomorrow" is due."""
    world = build_world(org, manager, pairs=pairs, member=member)
    for pair in world.pairs:
        meeting(pair, NOW - timedelta(days=7), status="held")
        meeting(pair, NOW + timedelta(hours=20))
    return world


def recipients(outbox: list[Any]) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


class WorkerKilled(BaseException):
    """What a worker sees of `kill -9`: nothing after this line runs."""


def test_a_meeting_reminder_goes_to_each_member_once_in_their_time_zone(
    org_a: Any, manager: Any, member: Any, clock: Any
) -> None:
    world = meetings_tomorrow(org_a, manager, pairs=1, member=member)
    report = nudges_send_due(now=NOW)
    assert report.sent == 2
    assert recipients(mail.outbox) == ["person1@acme.test", "ravi.member@acme.test"]
    by_address = {m.to[0]: m for m in mail.outbox}
    # 10 Nov 2026 05:00 UTC is 10:30 in Kolkata (Ravi's zone) and 05:00 in London.
    assert (
        "Wednesday 11 November 2026, 10:30 (Asia/Kolkata)"
        in by_address["ravi.member@acme.test"].body
    )
    london = by_address["person1@acme.test"]
    assert "Wednesday 11 November 2026, 05:00 (Europe/London)" in london.body
    upcoming = world.pairs[0].meetings.get(status="scheduled")
    # The link signs the reader in (a password is not needed) and opens the meeting.
    assert link_targets(london.body)[0] == f"/o/acme/mentoring/meetings/{upcoming.pk}/"
    html, kind = london.alternatives[0]
    assert kind == "text/html"
    assert f'href="http://127.0.0.1:8000{sign_in_paths(london.body)[0]}"' in html
    assert link_targets(london.body)[-1] == "/accounts/email/"
    # Again, and again: nothing new.
    assert nudges_send_due(now=NOW).sent == 0
    assert nudges_send_due(now=NOW + timedelta(minutes=15)).sent == 0
    assert len(mail.outbox) == 2
    log = NudgeDelivery.objects.filter(programme=world.programme)
    assert {d.status for d in log} == {Status.SENT}
    assert {d.nudge_key for d in log} == {"meeting_tomorrow"}


def test_a_moved_meeting_is_a_new_event(org_a: Any, manager: Any, clock: Any) -> None:
    world = meetings_tomorrow(org_a, manager, pairs=1)
    nudges_send_due(now=NOW)
    upcoming = world.pairs[0].meetings.get(status="scheduled")
    upcoming.starts_at += timedelta(hours=2)
    upcoming.save()
    nudges_send_due(now=NOW)
    assert len(mail.outbox) == 4


def test_a_crash_mid_batch_sends_the_rest_once_after_restart(
    org_a: Any, manager: Any, clock: Any, monkeypatch: Any
) -> None:
    meetings_tomorrow(org_a, manager, pairs=3)
    real_send = EmailMessage.send
    calls = {"n": 0}

    def send_then_die(self: EmailMessage, fail_silently: bool = False) -> int:
        calls["n"] += 1
        if calls["n"] == 3:
            raise WorkerKilled
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", send_then_die)
    with pytest.raises(WorkerKilled):
        nudges_send_due(now=NOW)
    monkeypatch.setattr(EmailMessage, "send", real_send)
    assert len(mail.outbox) == 2
    assert NudgeDelivery.objects.filter(status=Status.SENT).count() == 2
    assert NudgeDelivery.objects.filter(status=Status.SENDING).count() == 4

    # A restarted worker leaves fresh claims alone: their worker may still be sending.
    assert nudges_send_due(now=NOW).sent == 0
    assert len(mail.outbox) == 2

    clock.shift(timedelta(minutes=16))
    assert nudges_send_due().sent == 4
    assert len(mail.outbox) == 6
    assert len(set(recipients(mail.outbox))) == 6
    assert NudgeDelivery.objects.exclude(status=Status.SENT).count() == 0
    clock.shift(timedelta(hours=1))
    assert nudges_send_due().sent == 0
    assert len(mail.outbox) == 6


def test_a_claim_abandoned_twice_is_marked_failed_not_sent_a_third_time(
    org_a: Any, manager: Any, clock: Any
) -> None:
    meetings_tomorrow(org_a, manager, pairs=1)
    nudge_events_record(now=NOW)
    assert len(deliveries_claim()) == 2  # …and the worker dies
    clock.shift(timedelta(minutes=16))
    assert len(deliveries_claim()) == 2  # re-claimed once; that worker dies too
    clock.shift(timedelta(minutes=16))
    assert deliveries_claim() == []
    assert mail.outbox == []
    failed = NudgeDelivery.objects.get(email="person0@acme.test")
    assert failed.status == Status.FAILED
    assert failed.last_error == "The worker stopped while sending it."


def test_a_failed_send_is_recorded_and_retried_later(
    org_a: Any, manager: Any, clock: Any, monkeypatch: Any
) -> None:
    meetings_tomorrow(org_a, manager, pairs=1)
    real_send = EmailMessage.send

    def refuse(self: EmailMessage, fail_silently: bool = False) -> int:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    report = nudges_send_due(now=NOW)
    assert (report.sent, report.failed) == (0, 2)
    failed = NudgeDelivery.objects.filter(status=Status.FAILED)
    assert [d.last_error for d in failed] == ["ConnectionRefusedError: mail server down"] * 2

    monkeypatch.setattr(EmailMessage, "send", real_send)
    assert nudges_send_due(now=NOW).sent == 0  # not straight away
    clock.shift(timedelta(minutes=16))
    assert nudges_send_due().sent == 2
    assert len(mail.outbox) == 2
    assert NudgeDelivery.objects.filter(status=Status.SENT, attempts=2).count() == 2


def test_two_interleaved_workers_never_send_the_same_row(
    org_a: Any, manager: Any, clock: Any
) -> None:
    meetings_tomorrow(org_a, manager, pairs=3)
    # Worker A records and claims half, then stalls before sending…
    nudge_events_record(now=NOW)
    claimed_by_a = deliveries_claim(limit=3)
    assert len(claimed_by_a) == 3
    # …worker B runs the whole job meanwhile: it finds the same events, sends the rest.
    report_b = nudges_send_due(now=NOW)
    assert report_b.sent == 3
    # A wakes up and sends what it holds.
    assert deliveries_send(claimed_by_a) == (3, 0)
    assert len(mail.outbox) == 6
    assert len(set(recipients(mail.outbox))) == 6
    assert NudgeDelivery.objects.count() == 6


def test_a_worker_cannot_mark_a_row_it_lost_to_another(
    org_a: Any, manager: Any, clock: Any
) -> None:
    """A slow worker whose claim went stale and was re-claimed does not record a send."""
    meetings_tomorrow(org_a, manager, pairs=1)
    nudge_events_record(now=NOW)
    slow = deliveries_claim()
    clock.shift(timedelta(minutes=16))
    fresh = deliveries_claim()
    assert {d.pk for d in fresh} == {d.pk for d in slow}
    deliveries_send(fresh)
    deliveries_send(slow)  # sends (the slow worker cannot know) but cannot overwrite
    rows = NudgeDelivery.objects.all()
    assert {row.claim for row in rows} == {fresh[0].claim}
    assert {row.status for row in rows} == {Status.SENT}


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_moment_send_each_nudge_once(org_a: Any, manager: Any) -> None:
    meetings_tomorrow(org_a, manager, pairs=5)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            with time_machine.travel(NOW, tick=True):
                nudges_send_due(now=NOW)
        except BaseException as error:  # the test reports whatever happened
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(mail.outbox) == 10
    assert len(set(recipients(mail.outbox))) == 10
    assert NudgeDelivery.objects.filter(status=Status.SENT).count() == 10
