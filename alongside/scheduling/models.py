"""A relationship's meeting time and calendar subscriptions.

The recurring slot is proposed from the members' availability, accepted by each member,
then laid out as meetings (``meetings.Meeting``) until the programme ends. Times are
stored in UTC and anchored in one time zone.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _


class Schedule(models.Model):
    """A relationship's recurring meeting slot: proposed from availability, then confirmed.

    The slot is anchored in one time zone (``timezone``) so that a weekly 09:00 in London
    stays 09:00 in London across daylight-saving changes; each member sees it converted.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")

    relationship = models.OneToOneField(
        "relationships.Relationship", on_delete=models.CASCADE, related_name="schedule"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    weekday = models.PositiveSmallIntegerField(help_text=_("0 = Monday … 6 = Sunday"))
    start_time = models.TimeField(help_text=_("Local time in the schedule's time zone."))
    timezone = models.CharField(max_length=64)
    rhythm = models.CharField(max_length=16, help_text=_("weekly / fortnightly / monthly"))
    duration_minutes = models.PositiveSmallIntegerField(default=45)
    first_date = models.DateField()
    until = models.DateField()
    has_overlap = models.BooleanField(
        default=True, help_text=_("False when the members share no working hours.")
    )
    explanation = models.CharField(max_length=500, blank=True)
    proposed_at = models.DateTimeField(default=django_timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Schedule of {self.relationship}"


class ScheduleResponse(models.Model):
    """A member's answer to the proposed slot."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="responses")
    member = models.ForeignKey(
        "relationships.RelationshipMember", on_delete=models.CASCADE, related_name="+"
    )
    accepted = models.BooleanField(default=True)
    responded_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["schedule", "member"], name="schedule_response_once")
        ]

    def __str__(self) -> str:
        return f"{self.member} on {self.schedule}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A user's private calendar subscription URL; renewing it revokes the old address."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=django_timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="calendar_feed_once")
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


# --- Video links -----------------------------------------------------------------------


class VideoProvider(models.TextChoices):
    NONE = "none", _("No video link")
    FIXED = "fixed", _("A fixed address")
    JITSI = "jitsi", _("A Jitsi room (no account needed)")
    ZOOM = "zoom", _("A Zoom meeting")
    TEAMS = "teams", _("A Microsoft Teams meeting")


#: Providers whose meetings are created through the organisation's connected account.
ACCOUNT_PROVIDERS = (VideoProvider.ZOOM, VideoProvider.TEAMS)
#: A relationship's choice may also be to follow its programme's default.
FOLLOW_PROGRAMME = "programme"


class ProgrammeVideo(models.Model):
    """A programme's default video link for its relationships; without a row, none."""

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="video_default"
    )
    provider = models.CharField(
        max_length=16, choices=VideoProvider.choices, default=VideoProvider.NONE
    )
    fixed_url = models.URLField(max_length=500, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=django_timezone.now)

    def __str__(self) -> str:
        return f"Video default of {self.programme_id}: {self.provider}"


class RelationshipVideo(models.Model):
    """A relationship's video link: its members' choice and the link in use.

    ``choice`` is what was asked for (or ``programme``: follow the programme's default);
    ``provider`` and ``url`` are the link made for it. A Zoom or Teams meeting is created
    by the worker, so for a while the link may be ``pending`` (or ``failed``, with why).
    """

    class Status(models.TextChoices):
        READY = "ready", _("Ready")
        PENDING = "pending", _("Being created")
        FAILED = "failed", _("Could not be created")

    relationship = models.OneToOneField(
        "relationships.Relationship", on_delete=models.CASCADE, related_name="video"
    )
    choice = models.CharField(max_length=16, default=FOLLOW_PROGRAMME)
    fixed_url = models.URLField(max_length=500, blank=True)
    provider = models.CharField(
        max_length=16, choices=VideoProvider.choices, default=VideoProvider.NONE
    )
    url = models.CharField(max_length=500, blank=True)
    external_id = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.READY)
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(default=django_timezone.now)

    def __str__(self) -> str:
        return f"Video of {self.relationship_id}: {self.provider} {self.url}"


class VideoAccount(models.Model):
    """An organisation's Zoom or Microsoft 365 account, connected with server-to-server
    OAuth credentials (the client secret encrypted at rest) to create meetings."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="video_accounts"
    )
    provider = models.CharField(max_length=16, choices=VideoProvider.choices)
    account_id = models.CharField(
        max_length=200, help_text=_("Zoom: the account ID. Microsoft: the directory (tenant) ID.")
    )
    client_id = models.CharField(max_length=200)
    client_secret_encrypted = models.TextField()
    organizer = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Microsoft: the user who organises the meetings (id or sign-in name)."),
    )
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connected_at = models.DateTimeField(default=django_timezone.now)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "provider"], name="video_account_once_per_provider"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} account of {self.organisation_id}"
