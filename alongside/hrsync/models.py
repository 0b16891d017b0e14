"""A scheduled HR sync: where the people file comes from, when, and every run's outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SyncSource(models.Model):
    """An organisation's HR export: an HTTPS address or an SFTP path to the people CSV.

    Secrets (a bearer token, a password, a private key) are encrypted at rest. The SFTP
    server's host key is recorded the first time it is reached and must match after that.
    """

    class Kind(models.TextChoices):
        HTTPS = "https", _("HTTPS address")
        SFTP = "sftp", _("SFTP server")

    class HttpAuth(models.TextChoices):
        NONE = "none", _("None")
        BEARER = "bearer", _("Bearer token")
        BASIC = "basic", _("User name and password")

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("Every week")

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="hr_sync"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    url = models.CharField(max_length=500, blank=True)
    http_auth = models.CharField(max_length=8, choices=HttpAuth.choices, default=HttpAuth.NONE)
    host = models.CharField(max_length=255, blank=True)
    port = models.PositiveIntegerField(default=22)
    path = models.CharField(max_length=500, blank=True)
    username = models.CharField(max_length=200, blank=True)
    secret_encrypted = models.TextField(blank=True, help_text=_("Token or password, encrypted."))
    private_key_encrypted = models.TextField(blank=True)
    host_key = models.TextField(blank=True, help_text=_("The SFTP server's key, pinned."))
    host_key_fingerprint = models.CharField(max_length=100, blank=True)
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.DAILY)
    time_of_day = models.TimeField(help_text=_("In the organisation's time zone."))
    weekday = models.PositiveSmallIntegerField(default=0, help_text=_("0 = Monday (weekly)."))
    max_leaver_share = models.FloatField(
        default=0.10, help_text=_("More leavers than this share waits for an admin.")
    )
    is_active = models.BooleanField(default=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"HR sync of {self.organisation_id} ({self.kind})"

    @property
    def where(self) -> str:
        if self.kind == self.Kind.SFTP:
            return f"sftp://{self.username}@{self.host}:{self.port}{self.path}"
        return self.url


class SyncRun(models.Model):
    """One run: fetched, checked row by row, applied all or nothing (or held for an admin)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Applied")
        FAILED = "failed", _("Failed: nothing changed")
        NEEDS_CONFIRMATION = "needs_confirmation", _("Waiting for an admin's confirmation")
        DISCARDED = "discarded", _("Discarded: nothing changed")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        MANUAL = "manual", _("Run now")
        CONFIRMATION = "confirmation", _("Confirmed by an admin")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="hr_sync_runs"
    )
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.SCHEDULE)
    source_description = models.CharField(max_length=600, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    added = models.JSONField(default=list, help_text=_("Emails of the people added."))
    changed = models.JSONField(default=list, help_text=_("[{email, fields}] of people changed."))
    left = models.JSONField(default=list, help_text=_("Emails of the people who left."))
    unchanged = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list)
    error = models.TextField(blank=True)
    content = models.BinaryField(
        blank=True, default=b"", help_text=_("The file, kept only while it waits.")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-started_at"])]

    def __str__(self) -> str:
        return f"HR sync run {self.pk} of {self.organisation_id} ({self.status})"
