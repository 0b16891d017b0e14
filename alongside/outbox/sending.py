"""Sending queued emails: each exactly once across workers, retried with backoff.

1. *Claim* a batch in a short transaction: due rows (``FOR UPDATE SKIP LOCKED`` on
   PostgreSQL; SQLite serialises writers) move to SENDING with a fresh claim token, by a
   conditional update. Two workers never hold the same row.
2. *Send* them over one mail-server connection after that transaction has committed,
   marking each SENT — or, on an error, QUEUED again with a later ``next_attempt_at``
   (1 minute, 5, 30, 2 hours, 6 hours) until :data:`MAX_ATTEMPTS`, then FAILED with the
   reason. Each mark is conditional on the claim token.

If a worker dies between claim and mark, nobody knows whether the email left. Such a
row (SENDING for longer than :data:`RESEND_AFTER`) is sent once more by a later run — a
duplicate is possible only if the crash fell between the mail server accepting the
message and the row being marked, while an email is never lost to a crash. A claim
abandoned twice is marked FAILED for an admin to look at, not sent a third time.

Apps above hear of each email sent or given up on through the ``EmailSent`` and
``EmailFailed`` events, delivered in a transaction of their own right after the mark.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from alongside.core.events import emit
from alongside.outbox.events import EmailFailed, EmailSent
from alongside.outbox.messages import payload_to_message
from alongside.outbox.models import OutboundEmail
from alongside.outbox.services import BATCH

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status
RESEND_AFTER = timedelta(minutes=15)
MAX_ATTEMPTS = 6
MAX_ABANDONED_ATTEMPTS = 2
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
ABANDONED = "The worker stopped while sending it."


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    out_of_time: bool = False


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def _claimable(now: datetime) -> Q:
    return Q(status=Status.QUEUED, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lt=now - RESEND_AFTER
    )


def emails_due(*, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return OutboundEmail.objects.filter(_claimable(now)).exists()


def emails_claim(*, now: datetime | None = None, limit: int = BATCH) -> list[OutboundEmail]:
    """Claim up to ``limit`` due emails for this worker; committed before it returns."""
    now = now or timezone.now()
    token = secrets.token_hex(16)
    with transaction.atomic():
        abandoned = list(
            OutboundEmail.objects.filter(
                status=Status.SENDING,
                attempts__gte=MAX_ABANDONED_ATTEMPTS,
                claimed_at__lt=now - RESEND_AFTER,
            ).values_list("pk", flat=True)
        )
        if abandoned:
            OutboundEmail.objects.filter(pk__in=abandoned, status=Status.SENDING).update(
                status=Status.FAILED, last_error=ABANDONED
            )
        ids = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(_claimable(now))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            OutboundEmail.objects.filter(pk__in=ids).filter(_claimable(now)).update(
                status=Status.SENDING, claim=token, claimed_at=now, attempts=F("attempts") + 1
            )
    if abandoned:
        _announce_failures(abandoned)
    if not ids:
        return []
    return list(OutboundEmail.objects.filter(claim=token, status=Status.SENDING).order_by("pk"))


def emails_send(emails: list[OutboundEmail]) -> SendReport:
    """Send claimed emails over one connection, marking each as it goes."""
    sent = failed = retrying = 0
    if not emails:
        return SendReport()
    connection = get_connection()
    try:
        for email in emails:
            mine = OutboundEmail.objects.filter(
                pk=email.pk, claim=email.claim, status=Status.SENDING
            )
            try:
                message = payload_to_message(email.payload)
                message.connection = connection
                message.send(fail_silently=False)
            except Exception as error:
                reason = f"{type(error).__name__}: {error}"[:500]
                logger.warning("Email %s (%s) could not be sent: %s", email.pk, email.kind, reason)
                if email.attempts >= MAX_ATTEMPTS:
                    if mine.update(status=Status.FAILED, last_error=reason):
                        failed += 1
                        _announce_failures([email.pk])
                else:
                    later = timezone.now() + backoff(email.attempts)
                    if mine.update(status=Status.QUEUED, next_attempt_at=later, last_error=reason):
                        retrying += 1
                # A broken connection is not reused for the next email.
                connection = get_connection()
            else:
                if mine.update(status=Status.SENT, sent_at=timezone.now(), last_error=""):
                    sent += 1
                    if email.organisation_id is not None:
                        _announce(
                            EmailSent(
                                organisation_id=email.organisation_id,
                                email_id=email.pk,
                                kind=email.kind,
                                dedupe_key=email.dedupe_key or "",
                            )
                        )
    finally:
        connection.close()
    return SendReport(sent=sent, failed=failed, retrying=retrying)


def _announce(event: EmailSent | EmailFailed) -> None:
    """Tell the listeners (in their own transaction); the email's mark stands regardless."""
    try:
        with transaction.atomic():
            emit(event)
    except Exception:
        logger.exception(
            "A listener failed on %s for email %s", type(event).__name__, event.email_id
        )
        if getattr(settings, "EVENT_LISTENER_ERRORS", "log") == "raise":
            raise


def _announce_failures(ids: list[int]) -> None:
    for email in OutboundEmail.objects.filter(pk__in=ids, organisation__isnull=False):
        _announce(
            EmailFailed(
                organisation_id=email.organisation_id,  # type: ignore[arg-type]
                email_id=email.pk,
                kind=email.kind,
                dedupe_key=email.dedupe_key or "",
                error=email.last_error,
            )
        )


def emails_send_due(*, time_budget: float | None = None) -> SendReport:
    """Claim and send batches until nothing is due (or the time budget is spent)."""
    started = time.monotonic()
    sent = failed = retrying = 0
    while batch := emails_claim():
        report = emails_send(batch)
        sent, failed, retrying = (
            sent + report.sent,
            failed + report.failed,
            retrying + report.retrying,
        )
        if time_budget is not None and time.monotonic() - started > time_budget:
            return SendReport(sent, failed, retrying, out_of_time=True)
    return SendReport(sent=sent, failed=failed, retrying=retrying)
