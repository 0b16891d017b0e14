"""Chat workspaces an organisation connects, who is who there, and announcements.

Tokens and passwords are encrypted at rest (``alongside.core.crypto``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SlackWorkspace(models.Model):
    """A Slack workspace where Alongside's app is installed (OAuth v2, bot token)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Connected")
        BROKEN = "broken", _("Needs reconnecting")

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="slack_workspace"
    )
    team_id = models.CharField(max_length=32)
    team_name = models.CharField(max_length=200)
    app_id = models.CharField(max_length=32, blank=True)
    bot_user_id = models.CharField(max_length=32, blank=True)
    scopes = models.CharField(max_length=500, blank=True)
    bot_token_encrypted = models.TextField()
    announce_matches = models.BooleanField(
        default=True, help_text=_("Open a group message for each new pair or circle.")
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(max_length=300, blank=True)
    installed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    installed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Slack {self.team_name} for {self.organisation_id}"


class SlackUser(models.Model):
    """users.lookupByEmail's answer for one address, kept (a miss is looked up again a
    day later)."""

    workspace = models.ForeignKey(SlackWorkspace, on_delete=models.CASCADE, related_name="users")
    email = models.EmailField()
    slack_user_id = models.CharField(max_length=32, blank=True)
    found = models.BooleanField(default=False)
    looked_up_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "email"], name="slack_user_once")
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.slack_user_id or '—'}"


class TeamsBot(models.Model):
    """The organisation's Azure bot (Bot Framework app id and password) for 1:1 messages."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Connected")
        BROKEN = "broken", _("Needs new credentials")

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="teams_bot"
    )
    app_id = models.CharField(max_length=64)
    app_password_encrypted = models.TextField()
    tenant_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(max_length=300, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connected_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Teams bot {self.app_id} for {self.organisation_id}"


class TeamsConversation(models.Model):
    """A conversation reference: where the bot can write to one person, stored when the
    bot is installed for them (Bot Framework conversationUpdate)."""

    bot = models.ForeignKey(TeamsBot, on_delete=models.CASCADE, related_name="conversations")
    email = models.EmailField()
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_id = models.CharField(max_length=200)
    aad_object_id = models.CharField(max_length=64, blank=True)
    conversation_id = models.CharField(max_length=300)
    service_url = models.URLField(max_length=300)
    tenant_id = models.CharField(max_length=64, blank=True)
    installed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bot", "email"], name="teams_conversation_once")
        ]

    def __str__(self) -> str:
        return f"Teams conversation with {self.email}"


class TeamsChannelWebhook(models.Model):
    """A Teams channel's incoming webhook (or Workflows) address for announcements."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="teams_webhooks"
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Only this programme's announcements; empty: every programme."),
    )
    name = models.CharField(max_length=200)
    url_encrypted = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class ChatAnnouncement(models.Model):
    """One announcement to one place (a Slack group message for a relationship, a Teams
    channel), sent once: unique per place and event, claimed before it is sent."""

    class Target(models.TextChoices):
        SLACK_GROUP = "slack_group", _("Slack group message")
        TEAMS_CHANNEL = "teams_channel", _("Teams channel")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    target = models.CharField(max_length=16, choices=Target.choices)
    target_id = models.PositiveIntegerField()
    event_key = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
    text = models.TextField()
    link = models.CharField(max_length=500)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    reference = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "target_id", "event_key"], name="chat_announcement_once"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.target} {self.target_id} {self.event_key} ({self.status})"
