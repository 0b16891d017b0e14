"""Check-ins and surveys: how participants say it is going, and what changed."""

from __future__ import annotations

from django.db import models
from django.utils import timezone as django_timezone


class Pulse(models.Model):
    """A 1–5 answer to "how is it going?": after a meeting, or at the programme's midpoint.

    Low ratings feed the relationship's health status.
    """

    class Kind(models.TextChoices):
        MEETING = "meeting", "After a meeting"
        MIDPOINT = "midpoint", "Midpoint check-in"

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
    blocking = models.TextField(blank=True, help_text="Anything in the way (midpoint).")
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
