"""Putting emails in the outbox, and an admin's retry of a failed one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError
from alongside.outbox.messages import message_to_payload
from alongside.outbox.models import OutboundEmail

Status = OutboundEmail.Status
#: Emails one send task claims at a time (one SMTP connection for the lot).
BATCH = 100
#: Send tasks started for one transaction's emails at most; each takes batches in turn.
MAX_PARALLEL_TASKS = 4


@dataclass(frozen=True)
class Outgoing:
    """An email for :func:`emails_enqueue`: the message and how the outbox files it."""

    message: EmailMessage
    kind: str
    organisation_id: int | None = None
    dedupe_key: str | None = None
    send_after: datetime | None = None


def _row(item: Outgoing, now: datetime) -> OutboundEmail:
    recipients = [*item.message.to, *item.message.cc, *item.message.bcc]
    return OutboundEmail(
        organisation_id=item.organisation_id,
        kind=item.kind[:64],
        dedupe_key=item.dedupe_key,
        recipients=recipients,
        subject=str(item.message.subject)[:255],
        payload=message_to_payload(item.message),
        next_attempt_at=item.send_after or now,
        created_at=now,
    )


def email_enqueue(
    message: EmailMessage,
    *,
    kind: str,
    organisation_id: int | None = None,
    dedupe_key: str | None = None,
    send_after: datetime | None = None,
) -> OutboundEmail:
    """Queue ``message`` to be sent by the workers once the current transaction commits.

    Call it where ``message.send()`` used to be. ``kind`` names the email for admins and
    metrics ("matched", "invitation", …); ``organisation_id`` lets that organisation's
    admins see and retry it; the same ``dedupe_key`` twice returns the first email.
    """
    outgoing = Outgoing(message, kind, organisation_id, dedupe_key, send_after)
    if dedupe_key is not None:
        existing = OutboundEmail.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            email = _row(outgoing, timezone.now())
            email.save()
    except IntegrityError:
        if dedupe_key is None:
            raise
        return OutboundEmail.objects.get(dedupe_key=dedupe_key)
    _send_after_commit(1)
    return email


def emails_enqueue(items: Sequence[Outgoing]) -> int:
    """Queue many emails in a few queries (a publish tells thousands); returns how many.

    Emails whose ``dedupe_key`` is already in the outbox are skipped.
    """
    if not items:
        return 0
    now = timezone.now()
    keys = [item.dedupe_key for item in items if item.dedupe_key is not None]
    taken: set[str] = set()
    for start in range(0, len(keys), 1000):
        found = OutboundEmail.objects.filter(dedupe_key__in=keys[start : start + 1000])
        taken.update(key for key in found.values_list("dedupe_key", flat=True) if key)
    rows = [_row(item, now) for item in items if item.dedupe_key not in taken]
    # A key another transaction inserted meanwhile is skipped by the database.
    OutboundEmail.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    _send_after_commit(len(rows))
    return len(rows)


class _SendOnCommit:
    """One transaction's emails start their send tasks together, after it commits."""

    def __init__(self) -> None:
        self.count = 0
        self.started = False

    def __call__(self) -> None:
        from alongside.outbox.tasks import send_queued_emails

        self.started = True
        tasks = min(MAX_PARALLEL_TASKS, max(1, -(-self.count // BATCH)))
        for _task in range(tasks):
            send_queued_emails.enqueue()


def _send_after_commit(count: int) -> None:
    if count <= 0:
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        current = set(connection.savepoint_ids)
        for savepoints, callback, _robust in connection.run_on_commit:
            # One that has run already (a test's captured callbacks stay in the list)
            # would not run again: join only one still waiting.
            if (
                isinstance(callback, _SendOnCommit)
                and not callback.started
                and set(savepoints) == current
            ):
                callback.count += count
                return
    batch = _SendOnCommit()
    batch.count = count
    # Robust: the write has committed; a queue that cannot take the task now is covered
    # by the periodic outbox job, which sends whatever is due.
    transaction.on_commit(batch, robust=True)


@transaction.atomic
def email_retry(
    *, email: OutboundEmail, actor: AbstractBaseUser | None, organisation: models.Model | None
) -> OutboundEmail:
    """Send a failed email again, from a fresh set of attempts."""
    locked = OutboundEmail.objects.select_for_update().get(pk=email.pk)
    if locked.status != Status.FAILED:
        raise AlongsideError(
            _("Only a failed email can be retried; this one is %(status)s.")
            % {"status": locked.get_status_display().lower()},
            code="not_failed",
            status=409,
        )
    locked.status = Status.QUEUED
    locked.attempts = 0
    locked.next_attempt_at = timezone.now()
    locked.claim = ""
    locked.save(update_fields=["status", "attempts", "next_attempt_at", "claim"])
    log_action(
        actor=actor,
        organisation=organisation,
        action="email.retried",
        target=locked,
        data={"kind": locked.kind, "last_error": locked.last_error},
    )
    _send_after_commit(1)
    return locked
