"""The outbox's periodic job: wake the sending for retries that have come due."""

from __future__ import annotations

from datetime import datetime, timedelta

from alongside.core.periodic import periodic
from alongside.outbox.sending import emails_due


@periodic("outbox.send_due", every=timedelta(minutes=1))
def send_due(now: datetime) -> bool:
    """Queue a send task when anything is due: retries backing off, or a lost task."""
    from alongside.outbox.tasks import send_queued_emails

    if not emails_due(now=now):
        return False
    send_queued_emails.enqueue()
    return True


@periodic("outbox.prune", every=timedelta(days=1))
def prune(now: datetime) -> int:
    """Sent emails hold personal data; they go after ``RETENTION_DAYS['sent_emails']``."""
    from django.conf import settings

    from alongside.outbox.models import OutboundEmail

    keep = timedelta(days=int(settings.RETENTION_DAYS["sent_emails"]))
    deleted, _by_model = OutboundEmail.objects.filter(
        status=OutboundEmail.Status.SENT, sent_at__lt=now - keep
    ).delete()
    return deleted
