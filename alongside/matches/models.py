from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class MatchRun(models.Model):
    """One run of the engine over a programme's cohort; kept after it is superseded."""

    class Status(models.TextChoices):
        QUEUED = "queued", gettext_lazy("Queued")
        RUNNING = "running", gettext_lazy("Running")
        DRAFT = "draft", gettext_lazy("Ready to review")
        FAILED = "failed", gettext_lazy("Failed")
        PUBLISHED = "published", gettext_lazy("Published")
        DISCARDED = "discarded", gettext_lazy("Discarded")

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="match_runs"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    late_joiners_only = models.BooleanField(default=False)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    rules = models.JSONField(default=dict, help_text=gettext_lazy("The rules this run used."))
    objective = models.FloatField(null=True, blank=True)
    upper_bound = models.FloatField(null=True, blank=True)
    method = models.CharField(max_length=200, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Match run {self.pk} of {self.programme}"

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.upper_bound is None:
            return None
        slack = max(self.upper_bound - self.objective, 0.0)
        scale = max(abs(self.upper_bound), abs(self.objective))
        return slack / scale if scale > 0 and slack > 1e-9 * scale else 0.0


class MatchGroup(models.Model):
    """A proposed pair, circle or mentoring group in a run."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="groups")
    number = models.PositiveIntegerField()
    score = models.FloatField(default=0.0)
    reasons_admin = models.TextField(blank=True)
    reasons_participant = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="match_group_unique_number")
        ]

    def __str__(self) -> str:
        return f"Group {self.number} of run {self.run_id}"


class MatchGroupMember(models.Model):
    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="members")
    group = models.ForeignKey(MatchGroup, on_delete=models.CASCADE, related_name="members")
    enrolment = models.ForeignKey(
        "programmes.Enrolment", on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(max_length=16)
    score = models.FloatField(
        default=0.0, help_text=gettext_lazy("This person's mean score to the others.")
    )

    class Meta:
        ordering = ["group", "-role", "enrolment__person__name"]
        constraints = [
            models.UniqueConstraint(fields=["run", "enrolment"], name="match_member_once_per_run")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} in {self.group}"


class MatchUnmatched(models.Model):
    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="unmatched")
    enrolment = models.ForeignKey(
        "programmes.Enrolment", on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=500)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "enrolment"], name="match_unmatched_once_per_run"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} unmatched in run {self.run_id}: {self.reason}"


class PairingRule(models.Model):
    """A manager's decision the engine must respect on every re-run."""

    class Kind(models.TextChoices):
        LOCK = "lock", gettext_lazy("Keep together")
        FORBID = "forbid", gettext_lazy("Never together")

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="pairing_rules"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    first = models.ForeignKey("programmes.Enrolment", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("programmes.Enrolment", on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    # A lock the two people chose themselves (a hybrid programme's picks), not a manager.
    chosen_by_participants = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "first", "second"], name="pairing_rule_unique_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")),
                name="pairing_rule_ordered_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.first_id} & {self.second_id}"
