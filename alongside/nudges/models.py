"""Nudges: who gets reminded of what, each exactly once per event, and what they asked for."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy


class Frequency(models.TextChoices):
    EACH = "each", gettext_lazy("Each nudge as it happens")
    DAILY = "daily", gettext_lazy("One daily digest")
    ESSENTIALS = "essentials", gettext_lazy("Only essential emails")


class NudgePreference(models.Model):
    """How often a person wants nudge emails; without a row, each nudge is sent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nudge_preference"
    )
    frequency = models.CharField(max_length=16, choices=Frequency.choices, default=Frequency.EACH)
    updated_at = models.DateTimeField(default=django_timezone.now)

    def __str__(self) -> str:
        return f"{self.user}: {self.frequency}"


class NudgeChannelPreference(models.Model):
    """Where a person wants one kind of message (a nudge, the digest, announcements):
    any of email, Slack and Teams. Without a row, email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nudge_channels"
    )
    kind = models.CharField(max_length=64)
    channels = models.JSONField(default=list)
    updated_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="nudge_channel_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.channels}"


class ProgrammeNudgeSetting(models.Model):
    """A manager's choice for one nudge in one programme; without a row, its default holds."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="nudge_settings"
    )
    nudge_key = models.CharField(max_length=64)
    enabled = models.BooleanField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "nudge_key"], name="programme_nudge_setting_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.nudge_key} {'on' if self.enabled else 'off'} in {self.programme_id}"


class NudgeDelivery(models.Model):
    """One nudge for one event to one recipient: the send log and the exactly-once lock.

    The unique (nudge, event, email) triple means an event is recorded once however many
    workers find it. Sending then moves a row PENDING → QUEUED (its email in the outbox)
    → SENT or FAILED as the outbox reports; see :mod:`alongside.nudges.sending`. SENDING
    is the state rows were left in by the earlier, in-process sending.
    """

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("Waiting to be sent")
        QUEUED = "queued", gettext_lazy("Queued for sending")
        SENDING = "sending", gettext_lazy("Being sent")
        SENT = "sent", gettext_lazy("Sent")
        FAILED = "failed", gettext_lazy("Failed")
        DIGEST = "digest", gettext_lazy("Waiting for the daily digest")
        IN_DIGEST = "in_digest", gettext_lazy("Sent in a daily digest")
        SUPPRESSED = "suppressed", gettext_lazy("Not sent: the person asked for essentials only")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="nudge_deliveries",
    )
    nudge_key = models.CharField(max_length=64)
    event_key = models.CharField(max_length=200)
    email = models.EmailField()
    recipient_name = models.CharField(max_length=200)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    timezone = models.CharField(max_length=64)
    subject = models.CharField(max_length=200)
    message = models.TextField()
    event_at = models.DateTimeField(null=True, blank=True)
    action_label = models.CharField(max_length=100)
    link = models.CharField(max_length=500, help_text=gettext_lazy("A path on this site."))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=django_timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    digest = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    # Where it goes (chosen from the person's preferences when recorded), what each
    # channel did ({"slack": {"status": "sent", "ref": …, "at": …}}), and why it went by
    # email instead when a chat channel could not take it.
    channels = models.JSONField(default=list, blank=True)
    channel_results = models.JSONField(default=dict, blank=True)
    fallback_reason = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="Not before then: a chat service asked us to wait."
    )
    quick_action = models.CharField(
        max_length=100, blank=True, help_text="A one-click action, e.g. commitment_done:12."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "nudge deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["nudge_key", "event_key", "email"], name="nudge_delivery_once"
            )
        ]
        indexes = [
            models.Index(fields=["status", "claimed_at"]),
            models.Index(fields=["programme", "created_at"]),
            models.Index(fields=["organisation", "email", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.nudge_key} {self.event_key} → {self.email} ({self.status})"
