from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from alongside.core.validators import validate_time_zone


class Organisation(models.Model):
    """A tenant. Every object in Alongside hangs under exactly one organisation."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    default_time_zone = models.CharField(
        max_length=64, default="Asia/Kolkata", validators=[validate_time_zone]
    )
    # What its people see until they choose their own language (alongside.core.languages).
    # Empty: each person's browser (or sign-in provider) decides.
    language = models.CharField(max_length=16, blank=True, default="en-gb")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", gettext_lazy("Organisation admin")
    PROGRAMME_MANAGER = "programme_manager", gettext_lazy("Programme manager")
    MEMBER = "member", gettext_lazy("Member")


class Membership(models.Model):
    """A user's place in an organisation, with one role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_unique_user_organisation"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]),
                name="membership_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def can_manage_programmes(self) -> bool:
        return self.role in {Role.ADMIN, Role.PROGRAMME_MANAGER}
