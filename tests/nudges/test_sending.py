"""Nudges go out exactly once per event and recipient: across runs, workers and failures.

Recording and handing over to the outbox are tested here; the outbox's own guarantees
(claims, crashes, backoff) in tests/outbox/.
"""

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
from alongside.nudges.sending import deliveries_hand_over, nudge_events_record, nudges_send_due
from alongside.outbox.models import OutboundEmail
from alongside.outbox.sending import MAX_ATTEMPTS, emails_send_due
from alongside.outbox.services import email_retry
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


def run_job(**kwargs: Any) -> Any:
    """The periodic job, then a worker sending what it queued."""
    report = nudges_send_due(**kwargs)
    emails_send_due()
    return report


def test_a_meeting_reminder_goes_to_each_member_once_in_their_time_zone(
    org_a: Any, manager: Any, member: Any, clock: Any
) -> None:
    world = meetings_tomorrow(org_a, manager, pairs=1, member=member)
    report = run_job(now=NOW)
    assert report.queued == 2
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
    assert run_job(now=NOW).queued == 0
    assert run_job(now=NOW + timedelta(minutes=15)).queued == 0
    assert len(mail.outbox) == 2
    log = NudgeDelivery.objects.filter(programme=world.programme)
    assert {d.status for d in log} == {Status.SENT}
    assert {d.nudge_key for d in log} == {"meeting_tomorrow"}


def test_a_moved_meeting_is_a_new_event(org_a: Any, manager: Any, clock: Any) -> None:
    world = meetings_tomorrow(org_a, manager, pairs=1)
    run_job(now=NOW)
    upcoming = world.pairs[0].meetings.get(status="scheduled")
    upcoming.starts_at += timedelta(hours=2)
    upcoming.save()
    run_job(now=NOW)
    assert len(mail.outbox) == 4


def test_a_delivery_is_queued_once_and_the_log_follows_the_outbox(
    org_a: Any, manager: Any, clock: Any
) -> None:
    meetings_tomorrow(org_a, manager, pairs=2)
    assert nudges_send_due(now=NOW).queued == 4
    assert set(NudgeDelivery.objects.values_list("status", flat=True)) == {Status.QUEUED}
    assert mail.outbox == []  # the job only queues; a worker sends
    assert nudges_send_due(now=NOW).queued == 0
    assert OutboundEmail.objects.filter(kind="nudge").count() == 4
    assert emails_send_due().sent == 4
    assert set(NudgeDelivery.objects.values_list("status", flat=True)) == {Status.SENT}
    assert all(d.sent_at is not None for d in NudgeDelivery.objects.all())


def test_a_send_that_keeps_failing_shows_its_reason_in_the_log_and_can_be_retried(
    org_a: Any, manager: Any, admin: Any, clock: Any, monkeypatch: Any
) -> None:
    meetings_tomorrow(org_a, manager, pairs=1)
    real_send = EmailMessage.send

    def refuse(self: EmailMessage, fail_silently: bool = False) -> int:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    nudges_send_due(now=NOW)
    for _attempt in range(MAX_ATTEMPTS):
        emails_send_due()
        clock.shift(timedelta(hours=7))
    failed = NudgeDelivery.objects.filter(status=Status.FAILED)
    assert [d.last_error for d in failed] == ["ConnectionRefusedError: mail server down"] * 2

    monkeypatch.setattr(EmailMessage, "send", real_send)
    for email in OutboundEmail.objects.filter(status=OutboundEmail.Status.FAILED):
        email_retry(email=email, actor=admin, organisation=org_a)
    emails_send_due()
    assert len(mail.outbox) == 2
    assert NudgeDelivery.objects.filter(status=Status.SENT).count() == 2


def test_two_interleaved_workers_never_queue_the_same_row(
    org_a: Any, manager: Any, clock: Any
) -> None:
    meetings_tomorrow(org_a, manager, pairs=3)
    nudge_events_record(now=NOW)
    assert deliveries_hand_over(limit=3) == 3  # worker A takes half…
    assert nudges_send_due(now=NOW).queued == 3  # …worker B finds the same events
    emails_send_due()
    assert len(mail.outbox) == 6
    assert len(set(recipients(mail.outbox))) == 6
    assert NudgeDelivery.objects.count() == 6


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_moment_send_each_nudge_once(org_a: Any, manager: Any) -> None:
    meetings_tomorrow(org_a, manager, pairs=5)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            with time_machine.travel(NOW, tick=True):
                nudges_send_due(now=NOW)  # queues, and the send tasks run on commit
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
