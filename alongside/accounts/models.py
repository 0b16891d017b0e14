from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def normalise_email(email: str) -> str:
    """Emails are compared case-insensitively everywhere; we store them lowercased."""
    return email.strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=normalise_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who can sign in. Email is the login; one user may belong to many organisations."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    # The language the person chose (a code of settings.LANGUAGES); empty follows their
    # organisation's default (alongside.core.languages).
    language = models.CharField(max_length=16, blank=True, default="")
    is_staff = models.BooleanField(default=False, help_text=_("May open the Django admin."))
    is_active = models.BooleanField(default=True)
    is_service_account = models.BooleanField(
        default=False, help_text=_("An integration's account: API tokens only, never a sign-in.")
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split(" ")[0]


def hash_secret(secret: str) -> str:
    """Tokens are long random strings, so a fast unsalted hash is safe to store."""
    return hashlib.sha256(secret.encode()).hexdigest()


API_TOKEN_PREFIX = "alg_"


class ApiToken(models.Model):
    """A personal API token. Only its hash is stored; the secret is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text=_("First characters, to recognise it."))
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text=_("After this moment the token no longer works.")
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @staticmethod
    def generate_secret() -> str:
        return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


class SignInLink(models.Model):
    """A single-use link, sent by email, that signs its reader in and opens a page.

    ``requested`` links are asked for on the sign-in page: they last minutes and are
    bound to the browser that asked (a random cookie, of which only the hash is kept).
    ``email`` links stand in the product's own emails (a reminder, a match, a meeting) so
    that someone who never set a password gets in from them; they last days. Only the
    hash of the secret is stored.
    """

    class Purpose(models.TextChoices):
        REQUESTED = "requested", _("Asked for on the sign-in page")
        EMAIL = "email", _("In an email about a page")

    email = models.EmailField(db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    next_path = models.CharField(max_length=500, default="/")
    organisation_id = models.BigIntegerField(
        null=True, blank=True, help_text=_("The organisation whose email carried the link.")
    )
    browser_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Sign-in link for {self.email} ({self.get_purpose_display()})"

    def is_usable(self, now: datetime | None = None) -> bool:
        return self.used_at is None and self.expires_at > (now or timezone.now())


class SignInLinkRequest(models.Model):
    """One ask for a sign-in link, kept an hour for the rate limits.

    Recorded for every ask, whether or not the address has an account, so the limits
    say nothing about which addresses exist; the address itself is kept only as a hash.
    """

    email_hash = models.CharField(max_length=64, db_index=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Sign-in link asked at {self.created_at:%Y-%m-%d %H:%M}"


class ApiRateCount(models.Model):
    """How many requests one API token (or signed-in person, or address) made in one
    window of the API's rate limit. Kept in PostgreSQL so every server process counts
    against the same budget (accounts/api_auth.py); pruned by accounts/jobs.py."""

    ident = models.CharField(max_length=120)
    #: the window's start, in seconds since the epoch
    window_start = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ident", "window_start"], name="api_rate_count_one_a_window"
            )
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.ident} @ {self.window_start}: {self.count}"
