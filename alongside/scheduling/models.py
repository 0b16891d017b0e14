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
from django.utils.translation import gettext_lazy


class Schedule(models.Model):
    """A relationship's recurring meeting slot: proposed from availability, then confirmed.

    The slot is anchored in one time zone (``timezone``) so that a weekly 09:00 in London
    stays 09:00 in London across daylight-saving changes; each member sees it converted.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", gettext_lazy("Proposed")
        CONFIRMED = "confirmed", gettext_lazy("Confirmed")

    relationship = models.OneToOneField(
        "relationships.Relationship", on_delete=models.CASCADE, related_name="schedule"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    weekday = models.PositiveSmallIntegerField(help_text=gettext_lazy("0 = Monday … 6 = Sunday"))
    start_time = models.TimeField(help_text=gettext_lazy("Local time in the schedule's time zone."))
    timezone = models.CharField(max_length=64)
    rhythm = models.CharField(
        max_length=16, help_text=gettext_lazy("weekly / fortnightly / monthly")
    )
    duration_minutes = models.PositiveSmallIntegerField(default=45)
    first_date = models.DateField()
    until = models.DateField()
    has_overlap = models.BooleanField(
        default=True, help_text=gettext_lazy("False when the members share no working hours.")
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
