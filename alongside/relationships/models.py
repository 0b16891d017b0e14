from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class Relationship(models.Model):
    """A published pair, circle or mentoring group: where mentoring actually happens."""

    class Kind(models.TextChoices):
        PAIR = "pair", gettext_lazy("Peer pair")
        CIRCLE = "circle", gettext_lazy("Peer circle")
        MENTORING = "mentoring", gettext_lazy("1:1 mentoring")
        GROUP = "group", gettext_lazy("Mentoring group")
        BUDDY = "buddy", gettext_lazy("Onboarding buddies")

    class Status(models.TextChoices):
        ACTIVE = "active", gettext_lazy("Active")
        PAUSED = "paused", gettext_lazy("Paused")
        ENDED = "ended", gettext_lazy("Ended")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="relationships"
    )
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="relationships"
    )
    match_run = models.ForeignKey(
        "matches.MatchRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What everyone sees: the members' chosen name, else one made from their names
    # (relationships/naming.py), kept current as members join and leave.
    name = models.CharField(max_length=120)
    chosen_name = models.CharField(
        max_length=80,
        blank=True,
        help_text=gettext_lazy("A name the members chose; empty: their names."),
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    score = models.FloatField(default=0.0)
    reasons_admin = models.TextField(blank=True)
    reasons_participant = models.TextField(blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["programme", "name"]
        indexes = [models.Index(fields=["programme", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.programme})"


class RelationshipMember(models.Model):
    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="members")
    enrolment = models.ForeignKey(
        "programmes.Enrolment", on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=16)
    is_active = models.BooleanField(default=True)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["relationship", "-role", "person__name"]
        constraints = [
            # One active relationship per person per programme; mentors hold one per mentee
            # up to their capacity, checked under a row lock in the publishing service.
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=models.Q(is_active=True) & ~models.Q(role="mentor"),
                name="relationship_one_active_per_enrolment",
            ),
            models.UniqueConstraint(
                fields=["relationship", "enrolment"], name="relationship_member_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.relationship}"


class RematchRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", gettext_lazy("Open")
        REMATCHED = "rematched", gettext_lazy("Rematched")
        DECLINED = "declined", gettext_lazy("Declined")

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="rematch_requests"
    )
    enrolment = models.ForeignKey(
        "programmes.Enrolment", on_delete=models.CASCADE, related_name="rematch_requests"
    )
    reason = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=models.Q(status="open"),
                name="rematch_one_open_per_enrolment",
            )
        ]

    def __str__(self) -> str:
        return f"Rematch request by {self.enrolment}"
