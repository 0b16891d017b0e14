"""Stored health of each relationship, each programme's thresholds, and interventions."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy

from alongside.health import rules


class HealthStatus(models.TextChoices):
    # The rules module has no words of its own for people: its labels are translated here.
    ON_TRACK = rules.Status.ON_TRACK.value, gettext_lazy("On track")
    AT_RISK = rules.Status.AT_RISK.value, gettext_lazy("At risk")
    STRUGGLING = rules.Status.STRUGGLING.value, gettext_lazy("Struggling")
    DORMANT = rules.Status.DORMANT.value, gettext_lazy("Dormant")


ACTION_LABELS = {
    rules.Action.NONE: "",
    rules.Action.MESSAGE: gettext_lazy("Message them"),
    rules.Action.REMATCH_OFFER: gettext_lazy("Offer a rematch"),
    rules.Action.PAUSE: gettext_lazy("Pause"),
}


class HealthThresholds(models.Model):
    """A programme's own thresholds; a programme without a row uses the defaults."""

    DEFAULTS = rules.Thresholds()

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="health_thresholds"
    )
    grace_days = models.PositiveSmallIntegerField(
        default=DEFAULTS.grace_days,
        validators=[MaxValueValidator(365)],
        help_text=gettext_lazy(
            "Days a new relationship has to hold its first meeting before it is at risk."
        ),
    )
    at_risk_periods = models.FloatField(
        default=DEFAULTS.at_risk_periods,
        validators=[MinValueValidator(0.5), MaxValueValidator(12)],
        help_text=gettext_lazy("At risk after this many rhythm periods without a meeting."),
    )
    dormant_periods = models.FloatField(
        default=DEFAULTS.dormant_periods,
        validators=[MinValueValidator(0.5), MaxValueValidator(24)],
        help_text=gettext_lazy("Dormant after this many rhythm periods without a meeting…"),
    )
    dormant_min_days = models.PositiveSmallIntegerField(
        default=DEFAULTS.dormant_min_days,
        validators=[MaxValueValidator(365)],
        help_text=gettext_lazy("…and at least this many days."),
    )
    missed_window = models.PositiveSmallIntegerField(
        default=DEFAULTS.missed_window,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=gettext_lazy("How many of the latest meetings to look at for misses."),
    )
    missed_struggling = models.PositiveSmallIntegerField(
        default=DEFAULTS.missed_struggling,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=gettext_lazy("Struggling when this many of them were missed or cancelled."),
    )
    pulse_window = models.PositiveSmallIntegerField(
        default=DEFAULTS.pulse_window,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=gettext_lazy("How many of the latest pulse ratings to average."),
    )
    pulse_struggling = models.FloatField(
        default=DEFAULTS.pulse_struggling,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=gettext_lazy("Struggling when the average is at or below this (1–5)."),
    )
    commitments_window = models.PositiveSmallIntegerField(
        default=DEFAULTS.commitments_window,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=gettext_lazy("How many of the latest reviewed commitments to look at."),
    )
    commitments_min = models.PositiveSmallIntegerField(
        default=DEFAULTS.commitments_min,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=gettext_lazy("Fewer reviewed commitments than this say nothing yet."),
    )
    commitments_at_risk = models.FloatField(
        default=DEFAULTS.commitments_at_risk,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=gettext_lazy("At risk when the share kept is below this (0–1)."),
    )
    left_days = models.PositiveSmallIntegerField(
        default=DEFAULTS.left_days,
        validators=[MaxValueValidator(365)],
        help_text=gettext_lazy("Struggling for this many days after a member leaves."),
    )
    updated_at = models.DateTimeField(default=django_timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "health thresholds"

    def __str__(self) -> str:
        return f"Health thresholds of {self.programme}"

    def as_rules(self) -> rules.Thresholds:
        return rules.Thresholds(**{name: getattr(self, name) for name in THRESHOLD_FIELDS})


THRESHOLD_FIELDS: tuple[str, ...] = tuple(rules.Thresholds.__dataclass_fields__)


FIGURE_FIELDS: tuple[str, ...] = (
    "meetings_held",
    "meetings_missed",
    "meetings_cancelled",
    "commitments_made",
    "commitments_reviewed",
    "commitments_kept",
    "commitments_partly",
    "pulse_1",
    "pulse_2",
    "pulse_3",
    "pulse_4",
    "pulse_5",
)


class RelationshipHealth(models.Model):
    """The latest verdict on one relationship and the figures it was drawn from.

    Kept so that a dashboard sums a few thousand stored rows instead of scanning every
    meeting, commitment and pulse of a year. ``status`` is blank while the relationship
    is paused or ended: it is not assessed, but its figures still count.
    """

    relationship = models.OneToOneField(
        "relationships.Relationship", on_delete=models.CASCADE, related_name="health"
    )
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=16, choices=HealthStatus.choices, blank=True)
    reasons = models.JSONField(default=list)
    suggestion = models.CharField(
        max_length=16,
        blank=True,
        choices=[(a.value, ACTION_LABELS[a]) for a in rules.Action if a.value],
        help_text=gettext_lazy("What a manager could do next."),
    )
    computed_at = models.DateTimeField(default=django_timezone.now)
    status_since = models.DateTimeField(default=django_timezone.now)
    meetings_held = models.PositiveIntegerField(default=0)
    meetings_missed = models.PositiveIntegerField(default=0)
    meetings_cancelled = models.PositiveIntegerField(default=0)
    commitments_made = models.PositiveIntegerField(default=0)
    commitments_reviewed = models.PositiveIntegerField(default=0)
    commitments_kept = models.PositiveIntegerField(default=0)
    commitments_partly = models.PositiveIntegerField(default=0)
    pulse_1 = models.PositiveIntegerField(default=0)
    pulse_2 = models.PositiveIntegerField(default=0)
    pulse_3 = models.PositiveIntegerField(default=0)
    pulse_4 = models.PositiveIntegerField(default=0)
    pulse_5 = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["programme", "status", "status_since"])]

    def __str__(self) -> str:
        return f"{self.relationship}: {self.status or 'not assessed'}"

    @property
    def reasons_text(self) -> str:
        return "; ".join(self.reasons)


class MeetingWeek(models.Model):
    """Meetings a relationship held in one week (Monday, UTC): the dashboard's chart."""

    relationship = models.ForeignKey(
        "relationships.Relationship", on_delete=models.CASCADE, related_name="+"
    )
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="+"
    )
    week_start = models.DateField()
    held = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["relationship", "week_start"], name="meeting_week_once")
        ]
        # Covers the chart's sum per week without touching the table.
        indexes = [models.Index(fields=["programme", "week_start", "held"])]

    def __str__(self) -> str:
        return f"{self.relationship}: {self.held} in the week of {self.week_start}"


class Intervention(models.Model):
    """Something a manager did about a relationship: who, what, when."""

    class Kind(models.TextChoices):
        MESSAGE = "message", gettext_lazy("Messaged the members")
        REMATCH_OFFER = "rematch_offer", gettext_lazy("Offered a rematch")
        PAUSE = "pause", gettext_lazy("Paused")
        RESUME = "resume", gettext_lazy("Resumed")
        NOTE = "note", gettext_lazy("Note")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    relationship = models.ForeignKey(
        "relationships.Relationship", on_delete=models.CASCADE, related_name="interventions"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    message = models.TextField(blank=True)
    health_status = models.CharField(
        max_length=16,
        blank=True,
        help_text=gettext_lazy("The relationship's health when this was done."),
    )
    created_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["relationship", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.relationship}"

    @property
    def health_label(self) -> str:
        return str(HealthStatus(self.health_status).label) if self.health_status else ""
