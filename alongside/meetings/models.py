"""The life of a relationship: its meetings, notes, commitments, agreement and closing.

Every row hangs under a relationship (and so under an organisation and a programme);
times are stored in UTC and shown in each viewer's own time zone.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone as django_timezone
from django.utils.translation import gettext, gettext_lazy

from alongside.core.models import Translated


def new_meeting_uid() -> str:
    return f"{uuid.uuid4()}@alongside"


class Meeting(models.Model):
    """One meeting of a relationship, scheduled or logged after the fact."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", gettext_lazy("Scheduled")
        HELD = "held", gettext_lazy("Held")
        MISSED = "missed", gettext_lazy("Missed")
        CANCELLED = "cancelled", gettext_lazy("Cancelled")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    relationship = models.ForeignKey(
        "relationships.Relationship", on_delete=models.CASCADE, related_name="meetings"
    )
    number = models.PositiveIntegerField(
        help_text=gettext_lazy(
            "1 for the first meeting not cancelled, 2 for the next…; picks the guide."
        )
    )
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=45)
    timezone = models.CharField(
        max_length=64, help_text=gettext_lazy("The zone the time was agreed in.")
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    unscheduled = models.BooleanField(
        default=False, help_text=gettext_lazy("Logged by the members, outside the schedule.")
    )
    location = models.CharField(max_length=300, blank=True)
    facilitator = models.ForeignKey(
        "relationships.RelationshipMember",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uid = models.CharField(max_length=120, unique=True, default=new_meeting_uid)
    ical_sequence = models.PositiveIntegerField(default=0)
    invite_sent_sequence = models.IntegerField(
        null=True,
        blank=True,
        help_text=gettext_lazy("The SEQUENCE last emailed; None until invited."),
    )
    created_at = models.DateTimeField(default=django_timezone.now)
    updated_at = models.DateTimeField(default=django_timezone.now)
    held_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["relationship", "starts_at"]
        indexes = [
            models.Index(fields=["relationship", "starts_at"]),
            models.Index(fields=["organisation", "status", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"Meeting {self.number} of {self.relationship}"

    @property
    def title(self) -> str:
        """'Meeting 3'; a cancelled meeting has no number of its own (the next one took it)."""
        if self.status == self.Status.CANCELLED:
            return gettext("Cancelled meeting")
        return gettext("Meeting %(number)d") % {"number": self.number}


class Attendance(models.Model):
    """One member at one meeting: whether they came, sent apologies, had focus time."""

    class Status(models.TextChoices):
        EXPECTED = "expected", gettext_lazy("Expected")
        ATTENDED = "attended", gettext_lazy("Attended")
        MISSED = "missed", gettext_lazy("Missed")
        APOLOGIES = "apologies", gettext_lazy("Will miss it")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(
        "relationships.RelationshipMember", on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.EXPECTED)
    had_focus = models.BooleanField(
        default=False,
        help_text=gettext_lazy("Brought a challenge and had the group's focus (circles)."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.member} at {self.meeting}: {self.status}"


class Note(models.Model):
    """Shared notes are read by the relationship's members; private ones by the author only.

    Managers may learn that a note exists and when, never its text.
    """

    class Visibility(models.TextChoices):
        SHARED = "shared", gettext_lazy("Shared with the members")
        PRIVATE = "private", gettext_lazy("Only me")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        "relationships.RelationshipMember", on_delete=models.CASCADE, related_name="notes"
    )
    visibility = models.CharField(max_length=16, choices=Visibility.choices)
    body = models.TextField()
    created_at = models.DateTimeField(default=django_timezone.now)
    updated_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        ordering = ["meeting", "created_at"]

    def __str__(self) -> str:
        return f"{self.visibility} note on {self.meeting}"


class Commitment(models.Model):
    """One specific action a member commits to at a meeting, checked in on at a later one.

    ``OPEN`` commitments are carried from meeting to meeting until someone reviews them.
    """

    class Status(models.TextChoices):
        OPEN = "open", gettext_lazy("Not reviewed yet")
        DONE = "done", gettext_lazy("Done")
        PARTLY = "partly", gettext_lazy("Partly")
        NOT_YET = "not_yet", gettext_lazy("Not yet")
        DROPPED = "dropped", gettext_lazy("Dropped")

    relationship = models.ForeignKey(
        "relationships.Relationship", on_delete=models.CASCADE, related_name="commitments"
    )
    member = models.ForeignKey(
        "relationships.RelationshipMember", on_delete=models.CASCADE, related_name="commitments"
    )
    made_at = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="commitments")
    text = models.CharField(max_length=500)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    reviewed_at_meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="check_ins"
    )
    review_note = models.CharField(max_length=500, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        ordering = ["relationship", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["made_at", "member"], name="commitment_one_per_member_per_meeting"
            )
        ]
        indexes = [models.Index(fields=["member", "status"])]

    def __str__(self) -> str:
        return f"{self.text[:40]} ({self.status})"


class SessionGuide(Translated):
    """What a programme suggests for meeting 1…4; defaults come from the format."""

    translated_fields = ("title", "body")

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="session_guides"
    )
    meeting_number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(help_text=gettext_lazy("One prompt per line."))
    updated_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        ordering = ["programme", "meeting_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "meeting_number"], name="session_guide_once_per_number"
            ),
            models.CheckConstraint(
                condition=models.Q(meeting_number__gte=1) & models.Q(meeting_number__lte=4),
                name="session_guide_number_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return f"Guide {self.meeting_number} of {self.programme}"


class Agreement(models.Model):
    """How a relationship will work: the rhythm the group confirmed, circle goals, facilitation."""

    class Facilitation(models.TextChoices):
        ROTATING = "rotating", gettext_lazy("Rotating")
        FIXED = "fixed", gettext_lazy("Fixed")

    relationship = models.OneToOneField(
        "relationships.Relationship", on_delete=models.CASCADE, related_name="agreement"
    )
    rhythm_confirmed = models.BooleanField(default=False)
    rhythm_note = models.CharField(max_length=300, blank=True)
    shared_goals = models.TextField(
        blank=True, help_text=gettext_lazy("Circle goals, one per line.")
    )
    facilitation = models.CharField(
        max_length=16, choices=Facilitation.choices, default=Facilitation.ROTATING
    )
    fixed_facilitator = models.ForeignKey(
        "relationships.RelationshipMember",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=django_timezone.now)

    def __str__(self) -> str:
        return f"Agreement of {self.relationship}"


class DevelopmentGoal(models.Model):
    """One of a member's 1–3 goals for this relationship, taken from their intake."""

    relationship = models.ForeignKey(
        "relationships.Relationship", on_delete=models.CASCADE, related_name="goals"
    )
    member = models.ForeignKey(
        "relationships.RelationshipMember", on_delete=models.CASCADE, related_name="goals"
    )
    text = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["member", "position"]
        constraints = [
            models.UniqueConstraint(fields=["member", "position"], name="goal_position_once")
        ]

    def __str__(self) -> str:
        return self.text


class ClosingChoice(models.Model):
    """A member's decision at the checkpoint or the end: continue or close, with a reflection."""

    class Choice(models.TextChoices):
        CONTINUE = "continue", gettext_lazy("Continue")
        CLOSE = "close", gettext_lazy("Close")

    class Point(models.TextChoices):
        CHECKPOINT = "checkpoint", gettext_lazy("Checkpoint")
        END = "end", gettext_lazy("Programme end")

    relationship = models.ForeignKey(
        "relationships.Relationship", on_delete=models.CASCADE, related_name="closing_choices"
    )
    member = models.ForeignKey(
        "relationships.RelationshipMember", on_delete=models.CASCADE, related_name="+"
    )
    point = models.CharField(max_length=16, choices=Point.choices)
    choice = models.CharField(max_length=16, choices=Choice.choices)
    reflection = models.TextField(blank=True)
    decided_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "member", "point"], name="closing_choice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.choice} at {self.point}"
