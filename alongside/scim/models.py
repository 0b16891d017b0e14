"""Provisioning: each organisation's SCIM tokens, and what the identity provider told us.

A SCIM User is a person of the organisation's directory (``people.Person``); the rows
here only keep what the directory has no column for: the identity provider's own id
(``externalId``), the given and family names it sends, and whether it deleted the user.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

SCIM_TOKEN_PREFIX = "scim_"


class ScimToken(models.Model):
    """A bearer token for one organisation's SCIM endpoint. Only its hash is stored."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="scim_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=16, help_text=gettext_lazy("First characters, to recognise it.")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def generate_secret() -> str:
        return SCIM_TOKEN_PREFIX + secrets.token_urlsafe(32)


class ScimUser(models.Model):
    """What the identity provider keeps about a person that the directory does not."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="scim_user"
    )
    external_id = models.CharField(max_length=255, blank=True)
    given_name = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    # DELETE /Users/{id}: the person left (history kept) and is no longer a SCIM resource.
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~models.Q(external_id=""),
                name="scim_user_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return f"SCIM identity of person {self.person_id}"


class ScimGroup(models.Model):
    """A group the identity provider pushes; a programme can enrol its members at once."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="scim_groups"
    )
    display_name = models.CharField(max_length=200)
    external_id = models.CharField(max_length=255, blank=True)
    members = models.ManyToManyField("people.Person", blank=True, related_name="scim_groups")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["display_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                models.functions.Lower("display_name"),
                name="scim_group_unique_name",
            )
        ]

    def __str__(self) -> str:
        return self.display_name
