"""Check-ins and surveys: how participants say it is going, and what changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy

from alongside.core.models import Translated


class Pulse(models.Model):
    """A 1–5 answer to "how is it going?": after a meeting, or at the programme's midpoint.

    Low ratings feed the relationship's health status.
    """

    class Kind(models.TextChoices):
        MEETING = "meeting", gettext_lazy("After a meeting")
        MIDPOINT = "midpoint", gettext_lazy("Midpoint check-in")

    relationship = models.ForeignKey(
        "relationships.Relationship", on_delete=models.CASCADE, related_name="pulses"
    )
    member = models.ForeignKey(
        "relationships.RelationshipMember", on_delete=models.CASCADE, related_name="pulses"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.CASCADE, related_name="pulses"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    rating = models.PositiveSmallIntegerField()
    blocking = models.TextField(
        blank=True, help_text=gettext_lazy("Anything in the way (midpoint).")
    )
    created_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        ordering = ["relationship", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1) & models.Q(rating__lte=5),
                name="pulse_rating_1_to_5",
            ),
            models.UniqueConstraint(
                fields=["member", "meeting"],
                condition=models.Q(kind="meeting"),
                name="pulse_once_per_member_per_meeting",
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(kind="midpoint"),
                name="pulse_one_midpoint_per_member",
            ),
        ]
        indexes = [models.Index(fields=["relationship", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} pulse {self.rating} by {self.member}"


class Survey(models.Model):
    """A programme's start or end survey: self-rated capability plus reflection."""

    class Kind(models.TextChoices):
        START = "start", gettext_lazy("Start survey")
        END = "end", gettext_lazy("End survey")

    class Status(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft")
        OPEN = "open", gettext_lazy("Open")
        CLOSED = "closed", gettext_lazy("Closed")

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="surveys"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(
        null=True, blank=True, help_text=gettext_lazy("When it opens by itself (the daily job).")
    )
    closes_at = models.DateTimeField(
        null=True, blank=True, help_text=gettext_lazy("When it closes by itself.")
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        ordering = ["programme", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind"], name="survey_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.programme}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Question(Translated):
    # The capability area stays the identifier of the programme's area (answers and the
    # outcomes report group by it); its label is translated on the programme.
    translated_fields = ("text", "choices")

    class Kind(models.TextChoices):
        CAPABILITY = "capability", gettext_lazy("Capability self-rating (1–5)")
        RATING = "rating", gettext_lazy("Rating (1–5)")
        TEXT = "text", gettext_lazy("Free text")
        CHOICE = "choice", gettext_lazy("One choice")

    class Source(models.TextChoices):
        DEFAULT = "default", gettext_lazy("Standard question")
        MANAGER = "manager", gettext_lazy("Added by a manager")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    capability_area = models.CharField(max_length=200, blank=True)
    text = models.CharField(max_length=500)
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=1)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.DEFAULT)

    class Meta:
        ordering = ["survey", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "capability_area"],
                condition=models.Q(kind="capability"),
                name="question_one_per_capability_area",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_scale(self) -> bool:
        return self.kind in (self.Kind.CAPABILITY, self.Kind.RATING)


class Response(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    enrolment = models.ForeignKey(
        "programmes.Enrolment", on_delete=models.CASCADE, related_name="survey_responses"
    )
    submitted_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        ordering = ["survey", "submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "enrolment"], name="response_once_per_enrolment"
            ),
        ]

    def __str__(self) -> str:
        return f"Response to {self.survey} by enrolment {self.enrolment_id}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["response", "question__position"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True)
                | (models.Q(rating__gte=1) & models.Q(rating__lte=5)),
                name="answer_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"


class CheckinSettings(models.Model):
    """Per-programme check-in switches and the midpoint's state."""

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="checkin_settings"
    )
    meeting_pulse = models.BooleanField(
        default=False, help_text=gettext_lazy("Ask one question after each meeting.")
    )
    midpoint_opened_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Check-in settings of {self.programme}"


class Closing(models.Model):
    """A programme's closing: the closing session, the closing survey, and the frozen report."""

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="closing"
    )
    session_at = models.DateTimeField(null=True, blank=True)
    session_timezone = models.CharField(max_length=64, blank=True)
    session_details = models.CharField(max_length=500, blank=True)
    survey_sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    report = models.JSONField(
        null=True, blank=True, help_text=gettext_lazy("The outcomes report as it was at closing.")
    )

    def __str__(self) -> str:
        return f"Closing of {self.programme}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None
