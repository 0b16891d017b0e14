"""Personal data requests: a person's download, an organisation's export, an erasure.

Each runs as a background task with progress; a download's ZIP is kept here (so that
the worker and the web process need share only the database) until it expires.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DOWNLOAD_DAYS = 7


class DataRequest(models.Model):
    class Kind(models.TextChoices):
        PERSON_EXPORT = "person_export", _("A person's own data")
        ORGANISATION_EXPORT = "organisation_export", _("The whole organisation's data")
        PERSON_ERASURE = "person_erasure", _("Erase a person")
        ORGANISATION_ERASURE = "organisation_erasure", _("Erase the organisation")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    # Kept (without the organisation) when a whole organisation is erased.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    counts = models.JSONField(default=dict, blank=True)
    result = models.BinaryField(null=True, blank=True)
    filename = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def has_download(self) -> bool:
        return (
            self.status == self.Status.DONE
            and self.result is not None
            and (self.expires_at is None or self.expires_at > timezone.now())
        )

    def default_expiry(self) -> datetime:
        return timezone.now() + timedelta(days=DOWNLOAD_DAYS)
