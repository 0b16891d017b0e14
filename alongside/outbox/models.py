from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    """One email to send: the message itself, and where its sending stands.

    ``QUEUED`` emails are due from ``next_attempt_at``. A worker claims a batch (status
    ``SENDING`` with its own claim token), sends, and marks each ``SENT``; a failure
    puts the email back in the queue with a later ``next_attempt_at`` (backing off)
    until its attempts run out, when it becomes ``FAILED`` with the reason, for an
    admin to read and retry.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(max_length=64)
    # Whoever enqueues the same key twice gets the first email back: a retried job or
    # two workers finding the same event never send it twice.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=255)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claim = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The workers' question: what is due now?
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due",
                condition=Q(status__in=["queued", "sending"]),
            ),
            models.Index(fields=["organisation", "status", "-created_at"], name="outbox_by_org"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {', '.join(self.recipients)} ({self.status})"
