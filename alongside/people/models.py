from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _

from alongside.core.validators import validate_time_zone


class Person(models.Model):
    """Someone in an organisation's directory, whether or not they have signed in yet."""

    # On PostgreSQL the folded name is stored beside the name (a generated column, see
    # migration 0008), and name searches and the directory's order read it from there.
    FOLDED_COPIES = {"name": "name_folded"}

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="people"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    employee_id = models.CharField(max_length=64, blank=True)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_reports"
    )
    department = models.CharField("department / function", max_length=120, blank=True)
    job_title = models.CharField(max_length=160, blank=True)
    level = models.CharField(max_length=60, blank=True)
    location = models.CharField(max_length=120, blank=True)
    timezone = models.CharField(
        "time zone", max_length=64, blank=True, validators=[validate_time_zone]
    )
    languages = models.JSONField(default=list, blank=True)
    start_date = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    # The person's own profile: what they can offer colleagues, and which of the optional
    # public fields colleagues may see (people/visibility.py). Name is always shown.
    offers = models.CharField(_("what I can offer"), max_length=300, blank=True)
    share_job_title = models.BooleanField(default=True)
    share_department = models.BooleanField(default=True)
    share_location = models.BooleanField(default=True)
    share_languages = models.BooleanField(default=True)
    share_offers = models.BooleanField(default=True)
    # Set when the person's data was erased: the row stays, anonymised, so that the
    # relationships, enrolments and programme totals they were part of stay whole.
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=django_timezone.now)
    updated_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                "organisation", Lower("email"), name="person_unique_email_per_organisation"
            ),
            models.UniqueConstraint(
                fields=["organisation", "employee_id"],
                condition=~models.Q(employee_id=""),
                name="person_unique_employee_id_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=models.Q(user__isnull=False),
                name="person_unique_user_per_organisation",
            ),
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("id")), name="person_not_own_manager"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "name"]),
            models.Index(fields=["organisation", "department"]),
            models.Index(fields=["organisation", "location"]),
            models.Index(fields=["organisation", "level"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class PersonImport(models.Model):
    """An uploaded people CSV: validated into a preview, then applied or discarded."""

    class Status(models.TextChoices):
        # Large files are checked and applied by the worker (CHECKING, APPLYING).
        CHECKING = "checking", _("Checking")
        PREVIEWED = "previewed", _("Previewed")
        INVALID = "invalid", _("Has errors")
        APPLYING = "applying", _("Importing")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed")
        DISCARDED = "discarded", _("Discarded")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="person_imports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    content = models.BinaryField()
    status = models.CharField(max_length=16, choices=Status.choices)
    row_count = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    # While the worker checks or applies the file: how far it is, in percent.
    progress = models.PositiveSmallIntegerField(default=0)
    deactivate_missing = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=django_timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.filename or 'upload'})"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.APPLYING)


class Invitation(models.Model):
    """A one-click link that lets an imported person set a password and join."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="invitations"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=django_timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.user.email} to {self.organisation}"

    def is_usable(self, now: Any = None) -> bool:
        now = now or django_timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now
