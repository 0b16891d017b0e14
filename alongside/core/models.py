from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from alongside.core.authored import labels, localised, localised_list, written_languages


class PeriodicRun(models.Model):
    """One period of one periodic job, claimed by the worker that inserted it first.

    The unique (job, period_start) pair is the lock: a second worker's insert fails and it
    skips the job. A failed or abandoned run (its worker died) may be claimed again.
    """

    class Status(models.TextChoices):
        RUNNING = "running", gettext_lazy("Running")
        DONE = "done", gettext_lazy("Done")
        FAILED = "failed", gettext_lazy("Failed")

    job = models.CharField(max_length=100)
    period_start = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    attempts = models.PositiveSmallIntegerField(default=1)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-period_start", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "period_start"], name="periodic_run_once")
        ]

    def __str__(self) -> str:
        return f"{self.job} for {self.period_start:%Y-%m-%d %H:%M} ({self.status})"


class WorkerHeartbeat(models.Model):
    """Each worker's last sign of life, written every loop; /readyz reads the newest."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.hostname} (seen {self.seen_at:%Y-%m-%d %H:%M:%S})"


class Translated(models.Model):
    """Authored text in several languages (alongside.core.authored): the model's own
    columns are the text as first written, ``translations`` the other languages."""

    translations = models.JSONField(default=dict, blank=True)

    # The columns a manager may write in other languages; list columns translate item by item.
    translated_fields: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def localised(self, field: str, fallback: str | None, language: str | None = None) -> Any:
        """``field`` as a reader in ``language`` (the active one) sees it; ``fallback`` is the
        organisation's default language."""
        language = language or translation.get_language()
        source = getattr(self, field)
        if isinstance(source, list):
            return localised_list(self.translations, field, source, language, fallback)
        return localised(self.translations, field, source, language, fallback)

    def labels(
        self, field: str, fallback: str | None, language: str | None = None
    ) -> dict[str, str]:
        """A list field's items (identifiers) → what a reader in ``language`` sees."""
        language = language or translation.get_language()
        return labels(self.translations, field, getattr(self, field), language, fallback)

    def written_languages(self) -> list[str]:
        return written_languages(self.translations, self.translated_fields)
