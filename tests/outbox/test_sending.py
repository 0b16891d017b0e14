"""The outbox sends each email once: across runs, crashes and workers; retries with backoff."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import connection, transaction
from django.utils import timezone

from alongside.outbox.models import OutboundEmail
from alongside.outbox.sending import (
    ABANDONED,
    MAX_ATTEMPTS,
    backoff,
    emails_claim,
    emails_send,
    emails_send_due,
)
from alongside.outbox.services import Outgoing, email_enqueue, emails_enqueue

pytestmark = pytest.mark.django_db
Status = OutboundEmail.Status
NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


class WorkerKilled(BaseException):
    """What a worker sees of `kill -9`: nothing after this line runs."""


def queue(count: int, *, organisation_id: int | None = None) -> list[OutboundEmail]:
    return [
        email_enqueue(
            EmailMessage(subject=f"Hello {n}", body="Body", to=[f"person{n}@acme.test"]),
            kind="test",
            organisation_id=organisation_id,
        )
        for n in range(count)
    ]


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_an_email_keeps_its_alternatives_and_attachments(clock: Any) -> None:
    message = EmailMultiAlternatives(
        subject="Invitation", body="Plain", to=["a@acme.test"], cc=["b@acme.test"]
    )
    message.attach_alternative("<p>HTML</p>", "text/html")
    message.attach_alternative("BEGIN:VCALENDAR", "text/calendar; method=REQUEST")
    message.attach("invite.ics", b"BEGIN:VCALENDAR\r\n", "application/ics")
    email_enqueue(message, kind="meeting_invitation")
    assert mail.outbox == []  # nothing leaves inside the request
    assert emails_send_due().sent == 1
    [sent] = mail.outbox
    assert (sent.subject, sent.body, sent.to, sent.cc) == (
        "Invitation",
        "Plain",
        ["a@acme.test"],
        ["b@acme.test"],
    )
    assert [mimetype for _content, mimetype in sent.alternatives] == [
        "text/html",
        "text/calendar; method=REQUEST",
    ]
    assert sent.attachments[0][0] == "invite.ics"
    assert sent.attachments[0][1] == b"BEGIN:VCALENDAR\r\n"


def test_the_same_dedupe_key_twice_is_one_email(clock: Any) -> None:
    first = email_enqueue(EmailMessage(to=["a@acme.test"]), kind="x", dedupe_key="k:1")
    again = email_enqueue(EmailMessage(to=["a@acme.test"]), kind="x", dedupe_key="k:1")
    assert first.pk == again.pk
    many = [
        Outgoing(EmailMessage(to=["b@acme.test"]), kind="x", dedupe_key=k) for k in ["k:1", "k:2"]
    ]
    assert emails_enqueue(many) == 1
    emails_send_due()
    assert recipients() == ["a@acme.test", "b@acme.test"]


def test_a_rolled_back_write_leaves_no_email(clock: Any) -> None:
    def failing_write() -> None:
        with transaction.atomic():
            queue(1)
            raise RuntimeError("the write failed")

    with pytest.raises(RuntimeError):
        failing_write()
    assert not OutboundEmail.objects.exists()


def test_emails_are_sent_by_a_task_once_the_transaction_commits(
    clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        queue(3)
        emails_enqueue([Outgoing(EmailMessage(to=["z@acme.test"]), kind="x")])
    assert len(callbacks) == 1  # one transaction, one hand-over to the queue
    assert len(mail.outbox) == 4
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {Status.SENT}


def test_a_crash_mid_batch_sends_the_rest_once_after_restart(clock: Any, monkeypatch: Any) -> None:
    queue(6)
    real_send = EmailMessage.send
    calls = {"n": 0}

    def send_then_die(self: EmailMessage, fail_silently: bool = False) -> int:
        calls["n"] += 1
        if calls["n"] == 3:
            raise WorkerKilled
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", send_then_die)
    with pytest.raises(WorkerKilled):
        emails_send_due()
    monkeypatch.setattr(EmailMessage, "send", real_send)
    assert len(mail.outbox) == 2
    assert OutboundEmail.objects.filter(status=Status.SENT).count() == 2
    assert OutboundEmail.objects.filter(status=Status.SENDING).count() == 4

    # A restarted worker leaves fresh claims alone: their worker may still be sending.
    assert emails_send_due().sent == 0
    clock.shift(timedelta(minutes=16))
    assert emails_send_due().sent == 4
    assert recipients() == sorted(f"person{n}@acme.test" for n in range(6))
    clock.shift(timedelta(hours=1))
    assert emails_send_due().sent == 0
    assert len(mail.outbox) == 6


def test_a_claim_abandoned_twice_is_marked_failed_not_sent_a_third_time(clock: Any) -> None:
    queue(1)
    assert len(emails_claim()) == 1  # …and the worker dies
    clock.shift(timedelta(minutes=16))
    assert len(emails_claim()) == 1  # re-claimed once; that worker dies too
    clock.shift(timedelta(minutes=16))
    assert emails_claim() == []
    assert mail.outbox == []
    failed = OutboundEmail.objects.get()
    assert (failed.status, failed.last_error) == (Status.FAILED, ABANDONED)


def test_a_failing_send_backs_off_then_fails_with_its_reason(clock: Any, monkeypatch: Any) -> None:
    [email] = queue(1)

    def refuse(self: EmailMessage, fail_silently: bool = False) -> int:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = emails_send_due()
        email.refresh_from_db()
        assert email.attempts == attempt
        assert email.last_error == "ConnectionRefusedError: mail server down"
        if attempt < MAX_ATTEMPTS:
            assert (report.retrying, email.status) == (1, Status.QUEUED)
            waits.append(email.next_attempt_at - timezone.now())
            assert emails_send_due().retrying == 0  # not straight away
            clock.move_to(email.next_attempt_at)
    assert email.status == Status.FAILED
    assert waits == [backoff(n) for n in range(1, MAX_ATTEMPTS)]
    assert waits == sorted(waits)
    assert waits[0] == timedelta(minutes=1)
    clock.shift(timedelta(days=1))
    assert emails_send_due().sent == 0  # given up: an admin decides now
    assert mail.outbox == []


def test_a_send_that_works_on_a_retry_is_sent_once(clock: Any, monkeypatch: Any) -> None:
    queue(2)
    real_send = EmailMessage.send

    def refuse(self: EmailMessage, fail_silently: bool = False) -> int:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    assert emails_send_due().retrying == 2
    monkeypatch.setattr(EmailMessage, "send", real_send)
    clock.shift(timedelta(minutes=1))
    assert emails_send_due().sent == 2
    assert OutboundEmail.objects.filter(status=Status.SENT, attempts=2).count() == 2
    assert len(mail.outbox) == 2


def test_two_interleaved_workers_never_send_the_same_row(clock: Any) -> None:
    queue(6)
    claimed_by_a = emails_claim(limit=3)  # worker A claims half, then stalls…
    assert emails_send_due().sent == 3  # …worker B sends the rest meanwhile
    assert emails_send(claimed_by_a).sent == 3
    assert recipients() == sorted(f"person{n}@acme.test" for n in range(6))


def test_a_worker_cannot_mark_a_row_it_lost_to_another(clock: Any) -> None:
    """A slow worker whose claim went stale and was re-claimed does not record a send."""
    queue(1)
    slow = emails_claim()
    clock.shift(timedelta(minutes=16))
    fresh = emails_claim()
    assert [e.pk for e in fresh] == [e.pk for e in slow]
    assert emails_send(fresh).sent == 1
    assert emails_send(slow).sent == 0  # it sent (it cannot know) but marks nothing
    email = OutboundEmail.objects.get()
    assert (email.status, email.claim) == (Status.SENT, fresh[0].claim)


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_moment_send_each_email_once() -> None:
    queue(40)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            emails_send_due()
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
    assert recipients() == sorted(f"person{n}@acme.test" for n in range(40))
    assert OutboundEmail.objects.filter(status=Status.SENT).count() == 40
