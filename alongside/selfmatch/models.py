"""Participants taking part in choosing: self-match requests, bookmarks, hybrid picks."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChoiceMode(models.TextChoices):
    CENTRAL = "central", _("Managers match everyone")
    ONE_SIDED = "one_sided", _("Self-match: mentees choose a mentor, no approval needed")
    TWO_SIDED = "two_sided", _("Self-match: the other person accepts or declines")
    HYBRID = (
        "hybrid",
        _("Hybrid: people pick from their best suggestions, the engine does the rest"),
    )


SELF_MATCH_MODES = frozenset({ChoiceMode.ONE_SIDED, ChoiceMode.TWO_SIDED})


class ChoiceSettings(models.Model):
    """How much a programme's participants choose, and the deadlines they choose by."""

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="choice_settings"
    )
    mode = models.CharField(max_length=16, choices=ChoiceMode.choices, default=ChoiceMode.CENTRAL)
    response_days = models.PositiveSmallIntegerField(
        default=3, help_text=_("Days the other person has to accept or decline a request.")
    )
    suggestions = models.PositiveSmallIntegerField(
        default=5, help_text=_("Suggestions each person picks from in a hybrid programme.")
    )
    picks_open = models.BooleanField(default=False)
    picks_close_at = models.DateTimeField(null=True, blank=True)
    picks_closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(response_days__gte=1) & models.Q(response_days__lte=30),
                name="choice_response_days_range",
            ),
            models.CheckConstraint(
                condition=models.Q(suggestions__gte=1) & models.Q(suggestions__lte=20),
                name="choice_suggestions_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} ({self.programme_id})"


class Bookmark(models.Model):
    enrolment = models.ForeignKey(
        "programmes.Enrolment", on_delete=models.CASCADE, related_name="bookmarks"
    )
    target = models.ForeignKey("programmes.Enrolment", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "target"], name="bookmark_once")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} bookmarked {self.target_id}"


class MatchRequest(models.Model):
    """A participant asking another to be their mentor (or partner)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        LAPSED = "lapsed", _("No answer in time")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REFUSED = "refused", _("No place left")

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="match_requests"
    )
    requester = models.ForeignKey(
        "programmes.Enrolment", on_delete=models.CASCADE, related_name="requests_sent"
    )
    recipient = models.ForeignKey(
        "programmes.Enrolment", on_delete=models.CASCADE, related_name="requests_received"
    )
    message = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    respond_by = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    reply = models.CharField(max_length=500, blank=True)
    relationship = models.ForeignKey(
        "relationships.Relationship",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One request waiting at a time: the next one goes out after an answer.
            models.UniqueConstraint(
                fields=["requester"],
                condition=models.Q(status="pending"),
                name="match_request_one_pending",
            ),
        ]
        indexes = [models.Index(fields=["status", "respond_by"])]

    def __str__(self) -> str:
        return f"Request {self.requester_id} → {self.recipient_id} ({self.status})"


class HybridPick(models.Model):
    """One person's pick among their suggestions (``chosen`` empty: they passed)."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="hybrid_picks"
    )
    chooser = models.OneToOneField(
        "programmes.Enrolment", on_delete=models.CASCADE, related_name="hybrid_pick"
    )
    chosen = models.ForeignKey(
        "programmes.Enrolment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.chooser_id} picked {self.chosen_id or 'no one'}"
